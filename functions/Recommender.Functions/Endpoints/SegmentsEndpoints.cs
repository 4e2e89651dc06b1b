using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain.Events;
using Recommender.Domain.Segments;

namespace Recommender.Functions.Endpoints;

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
        app.MapPost("/api/admin/segmentation", StartAsync).WithName("api-segmentation");
        app.MapGet("/api/admin/segmentation/{runId}", GetRunAsync).WithName("api-segmentation-run");
        app.MapGet("/api/admin/segments", CountsAsync).WithName("api-segments");
        app.MapGet("/api/admin/segments/{segment}/members", MembersAsync).WithName("api-segment-members");
        app.MapGet("/api/admin/customers/{customerId}/segments", CustomerAsync).WithName("api-segment-customer");
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

    private static async Task<Results<Ok<SegmentCounts>, ProblemHttpResult>> CountsAsync(string? from, string? to, SegmentQueries queries, CancellationToken cancellationToken)
    {
        DateOnly? fromDay = null, toDay = null;
        if (from is not null)
        {
            if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                return TypedResults.Problem("from must be a date yyyy-MM-dd", statusCode: 400);
            }

            fromDay = d;
        }

        if (to is not null)
        {
            if (!DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                return TypedResults.Problem("to must be a date yyyy-MM-dd", statusCode: 400);
            }

            toDay = d;
        }

        if (fromDay > toDay)
        {
            return TypedResults.Problem("from must not be after to", statusCode: 400);
        }

        return TypedResults.Ok(await queries.CountsAsync(fromDay, toDay, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Results<Ok<SegmentMembersPage>, ProblemHttpResult>> MembersAsync(string segment, int? limit, string? continuation, SegmentQueries queries,
        CancellationToken cancellationToken)
    {
        if (!SegmentNames.IsValid(segment))
        {
            return TypedResults.Problem($"segment must be one of {string.Join(", ", SegmentNames.All.Select(s => s is SegmentNames.CategoryEnthusiast or SegmentNames.BrandLoyalist ? s + ":{name}" : s))}",
                statusCode: 400);
        }

        if (limit is < 1 or > SegmentQueries.MaxPageSize)
        {
            return TypedResults.Problem($"limit must be from 1 to {SegmentQueries.MaxPageSize}", statusCode: 400);
        }

        if (continuation is { Length: > 1000 })
        {
            return TypedResults.Problem("continuation is not a token this query returned", statusCode: 400);
        }

        try
        {
            return await queries.MembersAsync(segment, limit ?? DefaultPageSize, continuation, cancellationToken).ConfigureAwait(false) is { } page
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
