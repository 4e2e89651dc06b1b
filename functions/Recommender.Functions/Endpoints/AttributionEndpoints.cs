using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Recommender.Domain.Attribution;

namespace Recommender.Functions.Endpoints;

/// <summary>The attribution report's query parameters (all optional; strings, so every malformed value is answered by one 400 naming it).</summary>
public sealed record AttributionReportRequest(
    [property: FromQuery(Name = "from"), Description("First day (UTC, yyyy-MM-dd); default 29 days before to.")] string? From,
    [property: FromQuery(Name = "to"), Description("Last day (UTC, yyyy-MM-dd), inclusive; default today. At most 366 days in all.")] string? To,
    [property: FromQuery(Name = "channel"), Description("recommendation, email, push or none (unattributed).")] string? Channel,
    [property: FromQuery(Name = "placement"), Description("A recommendation placement (home, product, cart, ...).")] string? Placement,
    [property: FromQuery(Name = "campaign"), Description("An email or push campaign (the message's campaignId).")] string? Campaign,
    [property: FromQuery(Name = "variant"), Description("An experiment variant.")] string? Variant,
    [property: FromQuery(Name = "segment"), Description("A segment (vip, active, at-risk, ...): only its members' rows and totals.")] string? Segment);

/// <summary>
/// The attribution report for the marketing team (admin route: bearer token with the admin role;
/// Functions key in Azure): daily series and totals per placement, campaign, channel, variant and
/// segment, from the counters ingestion keeps (docs/attribution.md).
/// </summary>
public static class AttributionEndpoints
{
    public static IEndpointRouteBuilder MapAttributionApi(this IEndpointRouteBuilder app)
    {
        // The query is checked against today's date (TimeProvider) by the domain's AttributionQuery.Parse, in the handler.
        app.MapGroup(ApiRoutes.Admin).WithTags(ApiRoutes.AttributionTag)
            .MapGet("/attribution", GetReportAsync).WithName("api-attribution")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Daily series and totals per placement, campaign, channel, variant and segment");
        return app;
    }

    private static async Task<Results<Ok<AttributionReport>, ProblemHttpResult>> GetReportAsync([AsParameters] AttributionReportRequest request,
        AttributionReports reports, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var (query, error) = AttributionQuery.Parse(request.From, request.To, request.Channel, request.Placement, request.Campaign, request.Variant, request.Segment, today);
        return query is null
            ? TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Invalid attribution query")
            : TypedResults.Ok(await reports.GetAsync(query, cancellationToken).ConfigureAwait(false));
    }
}
