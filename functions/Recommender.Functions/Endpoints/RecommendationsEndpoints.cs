using System.Collections.Frozen;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Recommender.Domain.Events;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Telemetry;

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
        app.MapGet("/api/recommendations/{customerId}", GetAsync).WithName("api-recommendations");
        app.MapPost("/api/recommendations/{customerId}/search", RerankAsync).WithName("api-search-rerank");
        return app;
    }

    /// <summary>
    /// The answer is written by <see cref="RecommendationJsonResult"/> (the same bytes as <c>TypedResults.Ok</c>
    /// without the reflection-based serializer, about 15% of the request's CPU in a profile under load).
    /// </summary>
    private static async Task<Results<RecommendationJsonResult, ValidationProblem, ProblemHttpResult>> GetAsync(string customerId, HttpRequest http,
        RecommendationService recommendations, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var q = http.Query;
        var errors = new Dictionary<string, string[]>();
        CheckId(errors, "customerId", customerId);
        var placement = Placement.Home;
        if (q["placement"].ToString() is { Length: > 0 } placementName && !Placements.ByName.TryGetValue(placementName, out placement))
        {
            errors["placement"] = [$"placement must be one of: {string.Join(", ", Placements.ByName.Keys)}"];
        }

        var count = Integer(errors, q, "count", 1, RecommendationRequest.MaxCount) ?? (placement == Placement.Email ? DefaultEmailCount : DefaultCount);
        var productId = q["productId"].ToString() is { Length: > 0 } p ? p : null;
        if (productId is not null)
        {
            CheckId(errors, "productId", productId);
        }
        else if (Placements.NeedsProduct(placement))
        {
            errors["productId"] = [$"the {Placements.NameOf(placement)} placement needs a productId"];
        }

        var session = List(errors, q, "recent", RecommendationRequest.MaxSessionItems, ids: true);
        var filters = new ServingFilters
        {
            IncludeCategories = Set(List(errors, q, "includeCategories", 20)),
            ExcludeCategories = Set(List(errors, q, "excludeCategories", 20)),
            IncludeBrands = Set(List(errors, q, "includeBrands", 20)),
            ExcludeBrands = Set(List(errors, q, "excludeBrands", 20)),
            MaxPerBrand = Integer(errors, q, "maxPerBrand", 1, RecommendationRequest.MaxCount),
            MaxPerCategory = Integer(errors, q, "maxPerCategory", 1, RecommendationRequest.MaxCount),
        };
        double? diversity = null;
        if (q["diversity"].ToString() is { Length: > 0 } d)
        {
            if (double.TryParse(d, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1)
            {
                diversity = value;
            }
            else
            {
                errors["diversity"] = ["diversity must be a number from 0 (most varied) to 1 (relevance only)"];
            }
        }

        TimeSpan? window = q["window"].ToString() switch
        {
            "" => null,
            "1h" => TimeSpan.FromHours(1),
            "24h" => TimeSpan.FromDays(1),
            "7d" => TimeSpan.FromDays(7),
            _ => Error(errors, "window", "window must be one of: 1h, 24h, 7d"),
        };
        var category = q["category"].ToString() is { Length: > 0 } c ? c : null;
        if (category is { Length: > 64 })
        {
            errors["category"] = ["category must be at most 64 characters"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var request = new RecommendationRequest(customerId, placement, count, productId)
        {
            SessionItems = session,
            Filters = filters,
            Diversity = diversity,
            Category = category,
            Window = window,
        };
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

            http.HttpContext.Response.Headers.RetryAfter = "5";
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

    private static int? Integer(Dictionary<string, string[]> errors, IQueryCollection q, string name, int min, int max)
    {
        if (q[name].ToString() is not { Length: > 0 } text)
        {
            return null;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors[name] = [$"{name} must be a whole number from {min} to {max}"];
        return null;
    }

    private static List<string> List(Dictionary<string, string[]> errors, IQueryCollection q, string name, int max, bool ids = false)
    {
        if (q[name].Count == 0)
        {
            return [];
        }

        var values = q[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (values.Count > max)
        {
            errors[name] = [$"{name} takes at most {max} values"];
        }
        else if (values.FirstOrDefault(v => ids ? !EventValidator.IsValidId(v) : v.Length > 64 || v.Any(char.IsControl)) is { } bad)
        {
            errors[name] = [$"{name} has an invalid value '{(bad.Length > 20 ? bad[..20] + "…" : bad)}'"];
        }

        return values;
    }

    private static IReadOnlySet<string> Set(List<string> values) =>
        values.Count == 0 ? FrozenSet<string>.Empty : new HashSet<string>(values, StringComparer.OrdinalIgnoreCase);

    private static TimeSpan? Error(Dictionary<string, string[]> errors, string field, string message)
    {
        errors[field] = [message];
        return null;
    }
}
