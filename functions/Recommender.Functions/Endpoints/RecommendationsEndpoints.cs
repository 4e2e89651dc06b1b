using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Recommender.Domain.Events;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Functions.Endpoints;

/// <summary>A query's result ids to re-rank for the customer.</summary>
public sealed record SearchRerankRequest(string? Query, IReadOnlyList<string>? ResultIds);

/// <summary>
/// <c>GET /api/recommendations/{customerId}?placement=…&amp;count=10</c> for every placement, and
/// <c>POST /api/recommendations/{customerId}/search</c> to re-rank a search's results.
/// </summary>
public static partial class RecommendationsEndpoints
{
    public const int DefaultCount = 10;
    public const int DefaultEmailCount = 4;
    public const int MaxSearchResults = 200;

    public static IEndpointRouteBuilder MapRecommendationsApi(this IEndpointRouteBuilder app)
    {
        var storefront = app.MapGroup(ApiRoutes.Recommendations).WithTags(ApiRoutes.RecommendationsTag);
        storefront.MapGet("/{customerId}", GetAsync).WithName("api-recommendations").Validated<RecommendationQuery>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Ranked recommendations for one placement")
            .WithDescription("The customer's list for the placement, after the serving rules and the request's filters. When the stores cannot be read "
                + "the last model's popular list is answered, marked degraded; 503 with Retry-After only before this instance has served once.");
        storefront.MapPost("/{customerId}/search", RerankAsync).WithName("api-search-rerank")
            .WithSummary("Re-rank a search's results for the customer");
        return app;
    }

    /// <summary>
    /// The answer is written by <see cref="RecommendationJsonResult"/> (the same bytes as <c>TypedResults.Ok</c>
    /// without the reflection-based serializer, about 15% of the request's CPU in a profile under load).
    /// <paramref name="query"/> has been validated by the route's endpoint filter (<see cref="RecommendationQuery.Validate"/>).
    /// </summary>
    private static async Task<Results<RecommendationJsonResult, ValidationProblem, ProblemHttpResult>> GetAsync([AsParameters] RecommendationQuery query, HttpContext http,
        RecommendationService recommendations, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var request = query.Request;
        try
        {
            // Its reads get the short serving budget (Cosmos DB: CosmosServing* settings): degrade soon rather than wait out a storm.
            using var serving = ServingPath.Enter();
            return new RecommendationJsonResult(RecommenderTelemetry.Served(await recommendations.GetAsync(request, cancellationToken).ConfigureAwait(false)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The stores cannot be read (a sustained 429 storm after the SDK's retries, an outage): the storefront
            // gets the last model's popular list, marked "degraded" — never a 500 while this instance has served once.
            LogDegraded(loggers.CreateLogger(typeof(RecommendationsEndpoints).FullName!), ex.GetType().Name);
            if (recommendations.Degraded(request) is { } degraded)
            {
                return new RecommendationJsonResult(RecommenderTelemetry.Served(degraded));
            }

            http.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Recommendations are unavailable for a moment",
                detail: "The stores could not be read and this instance has nothing served yet to fall back on; retry shortly.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serving degraded: the stores could not be read ({ExceptionType})")]
    private static partial void LogDegraded(ILogger logger, string exceptionType);

    /// <summary>
    /// Re-ranks a search's results by the customer's category, brand, price-band and attribute
    /// affinities (only when the customer may be personalized for; otherwise the order is kept).
    /// Its reads get the short serving budget, as the recommendations route's do; when the stores cannot be
    /// read the search's own order is answered, not personalized and marked degraded — never a 500.
    /// </summary>
    private static async Task<Results<Ok<SearchRerankResponse>, ValidationProblem>> RerankAsync(string customerId, [FromBody] SearchRerankRequest? body,
        SearchReranker reranker, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        CheckId(errors, "customerId", customerId);
        if (body?.ResultIds is not { Count: > 0 and <= MaxSearchResults } ids)
        {
            errors["resultIds"] = [$"resultIds must hold 1 to {MaxSearchResults} product ids"];
        }
        else if (ids.FirstOrDefault(id => !EventValidator.IsValidId(id)) is { } bad)
        {
            errors["resultIds"] = [$"'{(bad.Length > 20 ? bad[..20] + "…" : bad)}' is not a valid product id"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            using var serving = ServingPath.Enter();
            return TypedResults.Ok(await reranker.RerankAsync(customerId, body!.ResultIds!, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogDegraded(loggers.CreateLogger(typeof(RecommendationsEndpoints).FullName!), ex.GetType().Name);
            return TypedResults.Ok(SearchReranker.InSearchOrder(customerId, body!.ResultIds!) with { Degraded = true });
        }
    }

    private static void CheckId(Dictionary<string, string[]> errors, string field, string value)
    {
        if (!EventValidator.IsValidId(value))
        {
            errors[field] = [$"{field} must be 1-128 letters, digits or - _ . : @"];
        }
    }
}
