using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain.Events;
using Recommender.Domain.Privacy;

namespace Recommender.Functions.Endpoints;

public sealed record ErasureCommand(string? CustomerId);

/// <summary>
/// The privacy team's erasure API. In Azure both routes are functions with
/// <c>authLevel: function</c> (a function key is required).
/// </summary>
public static class PrivacyEndpoints
{
    public static IEndpointRouteBuilder MapPrivacyApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/privacy/erasure", StartAsync).WithName("api-erasure-start");
        app.MapGet("/api/privacy/erasure/{requestId}", GetAsync).WithName("api-erasure-status");
        app.MapConsentApi();
        return app;
    }

    private static async Task<Results<Accepted<ErasureRequest>, ValidationProblem>> StartAsync(ErasureCommand? command, ErasureService erasure, CancellationToken cancellationToken)
    {
        if (command?.CustomerId is not { } customerId || !EventValidator.IsValidId(customerId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["customerId"] = ["customerId is required: 1-128 letters, digits or - _ . : @"] });
        }

        var request = await erasure.StartAsync(customerId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/privacy/erasure/{request.RequestId}", request);
    }

    private static async Task<Results<Ok<ErasureRequest>, NotFound>> GetAsync(string requestId, ErasureService erasure, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(requestId))
        {
            return TypedResults.NotFound();
        }

        return await erasure.GetAsync(requestId, cancellationToken).ConfigureAwait(false) is { } request ? TypedResults.Ok(request) : TypedResults.NotFound();
    }
}
