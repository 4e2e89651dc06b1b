using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain.Events;
using Recommender.Domain.Messaging;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Endpoints;

/// <summary>A customer's workflow instances: cart and browse abandonment, post-purchase, replenishment, and every outbox message with its history.</summary>
public sealed record CustomerWorkflows(string CustomerId, CartAbandonmentState? CartAbandonment, IReadOnlyList<OutboxEntry> Messages)
{
    /// <summary>One post-purchase cross-sell per order (instance id <c>post-purchase:{orderId}</c>).</summary>
    public IReadOnlyList<PostPurchaseState> PostPurchase { get; init; } = [];
    /// <summary>The replenishment reminders (instance id <c>replenishment</c>).</summary>
    public ReplenishmentState? Replenishment { get; init; }
    /// <summary>The browse-abandonment reminder (instance id <c>browse-abandonment</c>): status, due time (next wake-up while armed), history.</summary>
    public BrowseAbandonmentState? BrowseAbandonment { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => CartAbandonment is null && BrowseAbandonment is null && Messages.Count == 0 && PostPurchase.Count == 0 && Replenishment is null;
}

/// <summary>
/// The operator view: a customer's workflow instances (state, history, next wake-up), cancelling one,
/// and counts of sends, suppressions and failures per message kind. Admin routes (bearer token with the
/// admin role; Functions keys in Azure).
/// </summary>
public static class WorkflowEndpoints
{
    public static IEndpointRouteBuilder MapWorkflowApi(this IEndpointRouteBuilder app)
    {
        var workflows = app.MapGroup(ApiRoutes.Admin).WithTags(ApiRoutes.WorkflowsTag);
        workflows.MapGet("/workflows/{customerId}", ListAsync).WithName("api-workflows").WithSummary("A customer's workflow instances and messages");
        workflows.MapPost("/workflows/{customerId}/cancel/{instanceId}", CancelAsync).WithName("api-workflow-cancel").WithSummary("Cancel a workflow instance or a message");
        workflows.MapGet("/workflow-stats", async (WorkflowStats stats, CancellationToken ct) => TypedResults.Ok(await stats.ReadAsync(ct).ConfigureAwait(false)))
            .WithName("api-workflow-stats").WithSummary("Sends, suppressions and failures per message kind");
        return app;
    }

    private static async Task<Results<Ok<CustomerWorkflows>, NotFound>> ListAsync(string customerId, CartAbandonmentWorkflow cart, BrowseAbandonmentWorkflow browse,
        MessageOutbox outbox, PostPurchaseWorkflow postPurchase, ReplenishmentWorkflow replenishment, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(customerId))
        {
            return TypedResults.NotFound();
        }

        var state = await cart.GetAsync(customerId, cancellationToken).ConfigureAwait(false);
        var messages = await outbox.ListAsync(customerId, cancellationToken).ConfigureAwait(false);
        var workflows = new CustomerWorkflows(customerId, state, messages)
        {
            PostPurchase = await postPurchase.ListAsync(customerId, cancellationToken).ConfigureAwait(false),
            Replenishment = await replenishment.GetAsync(customerId, cancellationToken).ConfigureAwait(false),
            BrowseAbandonment = await browse.GetAsync(customerId, cancellationToken).ConfigureAwait(false),
        };
        return workflows.IsEmpty ? TypedResults.NotFound() : TypedResults.Ok(workflows);
    }

    /// <summary>
    /// <c>instanceId</c> is <c>cart-abandonment</c>, <c>browse-abandonment</c>, <c>replenishment</c>, <c>post-purchase:{orderId}</c> or an
    /// outbox message id (tried when no workflow instance of that id was running).
    /// </summary>
    private static async Task<Results<NoContent, NotFound>> CancelAsync(string customerId, string instanceId, CartAbandonmentWorkflow cart, BrowseAbandonmentWorkflow browse,
        MessageOutbox outbox, PostPurchaseWorkflow postPurchase, ReplenishmentWorkflow replenishment, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(customerId) || instanceId.Length is 0 or > 256)
        {
            return TypedResults.NotFound();
        }

        const string reason = "cancelled by an operator";
        var cancelled = instanceId switch
        {
            CartAbandonmentWorkflow.InstanceId => await cart.CancelAsync(customerId, reason, cancellationToken).ConfigureAwait(false),
            BrowseAbandonmentWorkflow.InstanceId => await browse.CancelAsync(customerId, reason, cancellationToken: cancellationToken).ConfigureAwait(false),
            ReplenishmentWorkflow.InstanceId => await replenishment.CancelAsync(customerId, reason, cancellationToken).ConfigureAwait(false),
            _ when instanceId.StartsWith(PostPurchaseWorkflow.InstancePrefix, StringComparison.Ordinal)
                => await postPurchase.CancelAsync(customerId, instanceId[PostPurchaseWorkflow.InstancePrefix.Length..], reason, cancellationToken).ConfigureAwait(false),
            _ => false,
        };
        cancelled = cancelled || await outbox.CancelAsync(customerId, instanceId, reason, cancellationToken).ConfigureAwait(false);
        return cancelled ? TypedResults.NoContent() : TypedResults.NotFound();
    }
}
