using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Recommender.Domain.Events;
using Recommender.Domain.Segments;

namespace Recommender.Functions.Endpoints;

/// <summary>The segment sizes' query parameters (strings, so each malformed value is answered by one 400 naming it).</summary>
public sealed record SegmentCountsQuery(
    [property: FromQuery(Name = "from"), Description("First day of the daily series (yyyy-MM-dd).")] string? From,
    [property: FromQuery(Name = "to"), Description("Last day of the daily series (yyyy-MM-dd), inclusive.")] string? To) : IValidatedRequest
{
    /// <summary><see cref="From"/> parsed (valid once <see cref="Validate"/> found no error).</summary>
    public DateOnly? FromDay { get; private set; }

    /// <summary><see cref="To"/> parsed.</summary>
    public DateOnly? ToDay { get; private set; }

    public Dictionary<string, string[]>? Validate()
    {
        Dictionary<string, string[]>? errors = null;
        FromDay = Day(ref errors, "from", From);
        ToDay = Day(ref errors, "to", To);
        if (errors is null && FromDay > ToDay)
        {
            errors = new() { ["from"] = ["from must not be after to"] };
        }

        return errors;
    }

    private static DateOnly? Day(ref Dictionary<string, string[]>? errors, string field, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        (errors ??= [])[field] = [$"{field} must be a date yyyy-MM-dd"];
        return null;
    }
}

/// <summary>A segment's members page: the segment (route) and the page's size and continuation.</summary>
public sealed record SegmentMembersQuery(
    [property: FromRoute(Name = "segment"), Description("vip, active, at-risk, dormant, new, price-sensitive, category-enthusiast:{category} or brand-loyalist:{brand}.")] string Segment,
    [property: FromQuery(Name = "limit"), Description("Members per page: 1 to 500; default 100.")] int? Limit,
    [property: FromQuery(Name = "continuation"), Description("The continuation token the previous page returned.")] string? Continuation) : IValidatedRequest
{
    public Dictionary<string, string[]>? Validate()
    {
        Dictionary<string, string[]>? errors = null;
        if (!SegmentNames.IsValid(Segment))
        {
            (errors ??= [])["segment"] = [$"segment must be one of {string.Join(", ", SegmentNames.All.Select(s => s is SegmentNames.CategoryEnthusiast or SegmentNames.BrandLoyalist ? s + ":{name}" : s))}"];
        }

        if (Limit is < 1 or > SegmentQueries.MaxPageSize)
        {
            (errors ??= [])["limit"] = [$"limit must be from 1 to {SegmentQueries.MaxPageSize}"];
        }

        if (Continuation is { Length: > 1000 })
        {
            (errors ??= [])["continuation"] = ["continuation is not a token this query returned"];
        }

        return errors;
    }
}

/// <summary>
/// Segmentation for the data and marketing teams (admin routes: bearer token with the admin role;
/// Functions keys in Azure): run it on demand and follow the run, segment sizes (latest and per day),
/// a segment's members page by page, and one customer's scores.
/// </summary>
public static class SegmentsEndpoints
{
    public const int DefaultPageSize = 100;

    public static IEndpointRouteBuilder MapSegmentsApi(this IEndpointRouteBuilder app)
    {
        var segments = app.MapGroup(ApiRoutes.Admin).WithTags(ApiRoutes.SegmentsTag);
        segments.MapPost("/segmentation", StartAsync).WithName("api-segmentation").WithSummary("Start a segmentation run");
        segments.MapGet("/segmentation/{runId}", GetRunAsync).WithName("api-segmentation-run").WithSummary("A segmentation run's status");
        segments.MapGet("/segments", CountsAsync).WithName("api-segments").Validated<SegmentCountsQuery>().WithSummary("Segment sizes: latest and per day");
        segments.MapGet("/segments/{segment}/members", MembersAsync).WithName("api-segment-members").Validated<SegmentMembersQuery>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A segment's members, page by page");
        segments.MapGet("/customers/{customerId}/segments", CustomerAsync).WithName("api-segment-customer").WithSummary("One customer's segments and scores");
        return app;
    }

    /// <summary>Starts a segmentation run (queued); its status is at the Location.</summary>
    private static async Task<Accepted<SegmentationRun>> StartAsync(SegmentationWorkflow segmentation, CancellationToken cancellationToken)
    {
        var run = await segmentation.StartAsync("on-demand", cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/admin/segmentation/{run.RunId}", run);
    }

    private static async Task<Results<Ok<SegmentationRun>, NotFound>> GetRunAsync(string runId, SegmentationWorkflow segmentation, CancellationToken cancellationToken) =>
        EventValidator.IsValidId(runId) && await segmentation.GetAsync(runId, cancellationToken).ConfigureAwait(false) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound();

    /// <summary><paramref name="query"/> has been validated by the route's endpoint filter.</summary>
    private static async Task<Ok<SegmentCounts>> CountsAsync([AsParameters] SegmentCountsQuery query, SegmentQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.CountsAsync(query.FromDay, query.ToDay, cancellationToken).ConfigureAwait(false));

    /// <summary><paramref name="query"/> has been validated by the route's endpoint filter; a continuation this query did not return is a 400 here.</summary>
    private static async Task<Results<Ok<SegmentMembersPage>, ProblemHttpResult>> MembersAsync([AsParameters] SegmentMembersQuery query, SegmentQueries queries,
        CancellationToken cancellationToken)
    {
        try
        {
            return await queries.MembersAsync(query.Segment, query.Limit ?? DefaultPageSize, query.Continuation, cancellationToken).ConfigureAwait(false) is { } page
                ? TypedResults.Ok(page)
                : TypedResults.Problem("no segmentation run has completed yet", statusCode: 404);
        }
        catch (InvalidContinuationException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: 400);
        }
    }

    private static async Task<Results<Ok<CustomerSegments>, NotFound>> CustomerAsync(string customerId, SegmentationWorkflow segmentation, CancellationToken cancellationToken) =>
        EventValidator.IsValidId(customerId) && await segmentation.GetCustomerAsync(customerId, cancellationToken).ConfigureAwait(false) is { } segments
            ? TypedResults.Ok(segments) : TypedResults.NotFound();
}
