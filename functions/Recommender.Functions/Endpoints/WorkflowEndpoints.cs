using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain.Events;
using Recommender.Domain.Messaging;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Endpoints;

/// <summary>A customer's workflow instances: the cart-abandonment state and every outbox message with its history.</summary>
public sealed record CustomerWorkflows(string CustomerId, CartAbandonmentState? CartAbandonment, IReadOnlyList<OutboxEntry> Messages);

/// <summary>
/// The operator view: a customer's workflow instances (state, history, next wake-up), cancelling one,
/// and counts of sends, suppressions and failures per message kind. Admin routes (bearer token with the
/// admin role; Functions keys in Azure).
/// </summary>
public static class WorkflowEndpoints
{
    public static IEndpointRouteBuilder MapWorkflowApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/workflows/{customerId}", ListAsync).WithName("api-workflows");
        app.MapPost("/api/admin/workflows/{customerId}/cancel/{instanceId}", CancelAsync).WithName("api-workflow-cancel");
        app.MapGet("/api/admin/workflow-stats", async (WorkflowStats stats, CancellationToken ct) => TypedResults.Ok(await stats.ReadAsync(ct).ConfigureAwait(false)))
            .WithName("api-workflow-stats");
        return app;
    }

    private static async Task<Results<Ok<CustomerWorkflows>, NotFound>> ListAsync(string customerId, CartAbandonmentWorkflow cart, MessageOutbox outbox, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(customerId))
        {
            return TypedResults.NotFound();
        }

        var state = await cart.GetAsync(customerId, cancellationToken).ConfigureAwait(false);
        var messages = await outbox.ListAsync(customerId, cancellationToken).ConfigureAwait(false);
        return state is null && messages.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok(new CustomerWorkflows(customerId, state, messages));
    }

    /// <summary><c>instanceId</c> is <c>cart-abandonment</c> or an outbox message id.</summary>
    private static async Task<Results<NoContent, NotFound>> CancelAsync(string customerId, string instanceId, CartAbandonmentWorkflow cart, MessageOutbox outbox,
        CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(customerId) || instanceId.Length is 0 or > 256)
        {
            return TypedResults.NotFound();
        }

        var cancelled = instanceId == CartAbandonmentWorkflow.InstanceId
            ? await cart.CancelAsync(customerId, "cancelled by an operator", cancellationToken).ConfigureAwait(false)
            : await outbox.CancelAsync(customerId, instanceId, "cancelled by an operator", cancellationToken).ConfigureAwait(false);
        return cancelled ? TypedResults.NoContent() : TypedResults.NotFound();
    }
}
