using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Recommender.Domain.Recommendations;

namespace Recommender.Functions.Endpoints;

/// <summary>The bandit report's query parameters (a string, so a malformed value is answered by a 400 naming it).</summary>
public sealed record BanditReportRequest(
    [property: FromQuery(Name = "days"), Description("Days of the daily series, ending today (UTC): 1 to 90, default 14.")] string? Days) : IValidatedRequest
{
    /// <summary>The days asked for (valid once <see cref="Validate"/> found no error).</summary>
    public int DayCount { get; private set; } = BanditReport.DefaultDays;

    public Dictionary<string, string[]>? Validate()
    {
        if (Days is not { } text)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days is < 1 or > BanditReport.MaxDays)
        {
            return new() { ["days"] = [$"days must be a whole number from 1 to {BanditReport.MaxDays}"] };
        }

        DayCount = days;
        return null;
    }
}

/// <summary>
/// The bandit report (admin route; Functions key in Azure): exploration share and reward settings, every arm's totals,
/// and arm shares over time — a daily series per placement × context (docs/serving.md, "The bandit").
/// </summary>
public static class BanditEndpoints
{
    public static IEndpointRouteBuilder MapBanditApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(ApiRoutes.Admin).WithTags(ApiRoutes.BanditTag)
            .MapGet("/bandit", GetReportAsync).WithName("api-bandit").Validated<BanditReportRequest>("Invalid bandit report query")
            .WithSummary("Exploration, rewards and arm shares over time");
        return app;
    }

    /// <summary><paramref name="request"/> has been validated by the route's endpoint filter.</summary>
    private static async Task<Ok<BanditReport>> GetReportAsync([AsParameters] BanditReportRequest request, BanditPolicy bandit,
        TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        return TypedResults.Ok(await BanditReport.BuildAsync(bandit, request.DayCount, today, cancellationToken).ConfigureAwait(false));
    }
}
