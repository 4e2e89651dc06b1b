using Microsoft.Extensions.Diagnostics.HealthChecks;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;
using Recommender.Functions.Messaging;

namespace Recommender.Functions.Hosting;

/// <summary>
/// Readiness checks (<c>GET /api/health/ready</c>): the document store, the blob store and the work
/// queues answer. Liveness (<c>GET /api/health</c>) runs none: the process answers, nothing more.
/// </summary>
public static class HealthChecks
{
    /// <summary>The tag of the checks readiness runs.</summary>
    public const string Ready = "ready";

    public static IServiceCollection AddRecommenderHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DocumentStoreHealthCheck>("documents", tags: [Ready])
            .AddCheck<BlobStoreHealthCheck>("blobs", tags: [Ready])
            .AddCheck<WorkQueueHealthCheck>("queues", tags: [Ready]);
        return services;
    }

    /// <summary>A failed check says which kind of failure, never the message (which can quote an endpoint, a key name or a document id).</summary>
    internal static HealthCheckResult Unreachable(string what, Exception exception) =>
        HealthCheckResult.Unhealthy($"{what} unreachable ({exception.GetType().Name})");
}

/// <summary>The document store answers a point read (of a document that does not exist).</summary>
public sealed class DocumentStoreHealthCheck(IDocumentStore documents) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            _ = await documents.ReadAsync(Collections.Workflows, "health", "probe", cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("document store answers");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthChecks.Unreachable("document store", ex);
        }
    }
}

/// <summary>The blob store answers a read (of a blob that does not exist).</summary>
public sealed class BlobStoreHealthCheck(IBlobStore blobs) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            _ = await blobs.GetAsync("health/probe", cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("blob store answers");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthChecks.Unreachable("blob store", ex);
        }
    }
}

/// <summary>Every queue of the registry answers its approximate count (reported as the check's data: the backlog).</summary>
public sealed class WorkQueueHealthCheck(IWorkQueue queue) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var backlog = new Dictionary<string, object>(StringComparer.Ordinal);
        try
        {
            foreach (var name in QueueRegistry.Names.Order(StringComparer.Ordinal))
            {
                backlog[name] = await queue.ApproximateCountAsync(name, cancellationToken).ConfigureAwait(false);
            }

            return HealthCheckResult.Healthy("queues answer", backlog);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthChecks.Unreachable("queue", ex);
        }
    }
}
