using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain.Events;
using Recommender.Domain.Privacy;

namespace Recommender.Functions.Endpoints;

public sealed record ErasureCommand(string? CustomerId);

/// <summary>The one answer to a malformed id on the privacy routes: 400 problem details naming the field (an unknown well-formed id is 404).</summary>
public static class PrivacyIds
{
    public const string Rule = "1-128 letters, digits or - _ . : @";

    public static ValidationProblem Invalid(string field) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [$"{field} must be {Rule}"] });
}

/// <summary>
/// The privacy team's erasure API. In Azure every route is a function with
/// <c>authLevel: function</c> (a function key is required).
/// </summary>
public static class PrivacyEndpoints
{
    public static IEndpointRouteBuilder MapPrivacyApi(this IEndpointRouteBuilder app)
    {
        var erasure = app.MapGroup(ApiRoutes.Privacy).WithTags(ApiRoutes.ErasureTag);
        erasure.MapPost("/erasure", StartAsync).WithName("api-erasure-start").WithSummary("Erase a customer everywhere (queued); its status is at the Location");
        erasure.MapGet("/erasure/{requestId}", GetAsync).WithName("api-erasure-status").WithSummary("An erasure request's status and receipt");
        erasure.MapPost("/erasure/{requestId}/retry", RetryAsync).WithName("api-erasure-retry")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Resume a failed erasure");
        app.MapConsentApi();
        app.MapRectificationApi();
        return app;
    }

    private static async Task<Results<Accepted<ErasureRequest>, ValidationProblem>> StartAsync(ErasureCommand? command, ErasureService erasure, HttpContext context, CancellationToken cancellationToken)
    {
        if (command?.CustomerId is not { } customerId || !EventValidator.IsValidId(customerId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["customerId"] = ["customerId is required: 1-128 letters, digits or - _ . : @"] });
        }

        var request = await erasure.StartAsync(customerId, Security.OperatorAuth.ActorOf(context.User), cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/privacy/erasure/{request.RequestId}", request);
    }

    private static async Task<Results<Ok<ErasureRequest>, NotFound, ValidationProblem>> GetAsync(string requestId, ErasureService erasure, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(requestId))
        {
            return PrivacyIds.Invalid("requestId");
        }

        return await erasure.GetAsync(requestId, cancellationToken).ConfigureAwait(false) is { } request ? TypedResults.Ok(request) : TypedResults.NotFound();
    }

    /// <summary>Resumes a failed request (a provider refused the deletion): 202 and its status, 404 unknown, 409 problem details when it has not failed.</summary>
    private static async Task<Results<Accepted<ErasureRequest>, NotFound, ValidationProblem, ProblemHttpResult>> RetryAsync(string requestId, ErasureService erasure, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(requestId))
        {
            return PrivacyIds.Invalid("requestId");
        }

        if (await erasure.GetAsync(requestId, cancellationToken).ConfigureAwait(false) is not { } request)
        {
            return TypedResults.NotFound();
        }

        if (!await erasure.RetryAsync(requestId, cancellationToken).ConfigureAwait(false))
        {
            return TypedResults.Problem($"only a failed erasure can be retried; this one is {request.Status}", statusCode: StatusCodes.Status409Conflict, title: "Not retryable");
        }

        return TypedResults.Accepted($"/api/privacy/erasure/{requestId}", await erasure.GetAsync(requestId, cancellationToken).ConfigureAwait(false));
    }
}
