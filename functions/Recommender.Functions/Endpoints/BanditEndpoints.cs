using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain.Recommendations;

namespace Recommender.Functions.Endpoints;

/// <summary>The bandit report's query parameters (a string, so a malformed value is answered by a 400 naming it).</summary>
public sealed record BanditReportRequest(
    [property: Description("Days of the daily series, ending today (UTC): 1 to 90, default 14.")] string? Days);

/// <summary>
/// The bandit report (admin route; Functions key in Azure): exploration share and reward settings, every arm's totals,
/// and arm shares over time — a daily series per placement × context (docs/serving.md, "The bandit").
/// </summary>
public static class BanditEndpoints
{
    public static IEndpointRouteBuilder MapBanditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/bandit", GetReportAsync).WithName("api-bandit");
        return app;
    }

    private static async Task<Results<Ok<BanditReport>, ValidationProblem>> GetReportAsync([AsParameters] BanditReportRequest request, BanditPolicy bandit,
        TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var days = BanditReport.DefaultDays;
        if (request.Days is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out days) || days is < 1 or > BanditReport.MaxDays))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["days"] = [$"days must be a whole number from 1 to {BanditReport.MaxDays}"] },
                title: "Invalid bandit report query");
        }

        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        return TypedResults.Ok(await BanditReport.BuildAsync(bandit, days, today, cancellationToken).ConfigureAwait(false));
    }
}
