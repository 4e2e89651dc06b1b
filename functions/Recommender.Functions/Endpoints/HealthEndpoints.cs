using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Recommender.Functions.Hosting;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// <c>GET /api/health</c>: liveness — the process answers <c>{"status":"ok"}</c>, nothing is checked.
/// <c>GET /api/health/ready</c>: readiness — the document store, the blob store and the queues answer
/// (<see cref="HealthChecks"/>); 200 when all do, 503 otherwise, with each check's status.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        // Two routes of one tag, mapped at their full paths: a group's "" route would be "/api/health/".
        app.MapGet(ApiRoutes.Health, () => TypedResults.Ok(new { status = "ok" })).WithName("api-health").WithTags(ApiRoutes.HealthTag)
            .WithSummary("Liveness: the handler answers.");
        app.MapGet(ApiRoutes.Health + "/ready", ReadyAsync).WithName("api-health-ready").WithTags(ApiRoutes.HealthTag)
            .Produces<Readiness>(StatusCodes.Status200OK)
            .Produces<Readiness>(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Readiness: the document store, the blob store and the queues answer.");
        return app;
    }

    private static async Task<JsonHttpResult<Readiness>> ReadyAsync(HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(HealthChecks.Ready), cancellationToken).ConfigureAwait(false);
        var readiness = new Readiness(
            report.Status == HealthStatus.Healthy ? "ready" : "not-ready",
            report.Entries.ToDictionary(e => e.Key, e => new ReadinessCheck(
                e.Value.Status.ToString().ToLowerInvariant(), e.Value.Description, Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                e.Value.Data.Count == 0 ? null : e.Value.Data.ToDictionary(d => d.Key, d => d.Value)), StringComparer.Ordinal));
        return TypedResults.Json(readiness, statusCode: report.Status == HealthStatus.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>The readiness answer: <c>ready</c> or <c>not-ready</c>, and each check.</summary>
    public sealed record Readiness(string Status, IReadOnlyDictionary<string, ReadinessCheck> Checks);

    /// <summary>One check: <c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>, why, how long it took, and its data (queue backlogs).</summary>
    public sealed record ReadinessCheck(string Status, string? Description, double DurationMilliseconds, IReadOnlyDictionary<string, object>? Data);
}
