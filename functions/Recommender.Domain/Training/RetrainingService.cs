using System.Text.Json;
using Microsoft.Extensions.Logging;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Storage;

namespace Recommender.Domain.Training;

/// <summary>The result of one retraining.</summary>
public sealed record RetrainResult(string ModelVersion, int EventCount, int CustomerCount, int ItemCount, int RefreshShards);

/// <summary>A fan-out task: refresh the cached lists of one directory shard for a model version.</summary>
public sealed record RefreshMessage(string Shard, string ModelVersion);

/// <summary>
/// Retraining: rebuild item-item similarities from the event archive (customers with an erasure
/// in progress or done are excluded), write the model as a new immutable version and point serving
/// at it, then refresh every customer's cached list by fan-out (one queue message per directory
/// shard; each shard task is idempotent).
/// </summary>
public sealed partial class RetrainingService(
    EventArchive archive,
    ModelStore models,
    ProfileStore profiles,
    RecommendationService recommendations,
    IWorkQueue queue,
    TimeProvider timeProvider,
    ILogger<RetrainingService> logger)
{
    public async Task<RetrainResult> RetrainAsync(CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var events = new List<Events.ClickstreamEvent>();
        await foreach (var e in archive.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(e);
        }

        var version = $"{now.UtcDateTime:yyyyMMdd-HHmmss}-{Guid.CreateVersion7(now).ToString("N")[^8..]}";
        var model = ItemSimilarityTrainer.Train(events, version, now);
        await models.PromoteAsync(model, cancellationToken).ConfigureAwait(false);

        var shards = ProfileStore.AllShards.ToList();
        foreach (var shard in shards)
        {
            var message = JsonSerializer.Serialize(new RefreshMessage(shard, version), Json.Options);
            await queue.SendAsync(Queues.RecommendationRefresh, message, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        LogTrained(logger, version, model.EventCount, model.CustomerCount, model.Neighbors.Count);
        return new RetrainResult(version, model.EventCount, model.CustomerCount, model.Neighbors.Count, shards.Count);
    }

    /// <summary>One fan-out task: recompute the cached list of every customer in a shard.</summary>
    public async Task<int> RefreshShardAsync(RefreshMessage message, CancellationToken cancellationToken = default)
    {
        var refreshed = 0;
        await foreach (var customerId in profiles.CustomersInShardAsync(message.Shard, cancellationToken).ConfigureAwait(false))
        {
            if (await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false) is { } profile)
            {
                await recommendations.RefreshCacheAsync(profile, cancellationToken).ConfigureAwait(false);
                refreshed++;
            }
        }

        return refreshed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Trained model {Version} from {Events} events of {Customers} customers, {Items} items")]
    private static partial void LogTrained(ILogger logger, string version, int events, int customers, int items);
}
