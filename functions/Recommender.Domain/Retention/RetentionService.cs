using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Retention;

/// <summary>What one retention sweep deleted (<paramref name="PurgedDocuments"/>: expired documents the store removed on this sweep).</summary>
public sealed record RetentionResult(IReadOnlyDictionary<string, int> DeletedBlobs, int DeletedTrendingBuckets, int PurgedDocuments = 0, int ExpiredExposures = 0);

/// <summary>
/// Enforces retention per data class: archived event blobs older than their class's retention,
/// dead letters older than theirs, hourly trending buckets past the longest window, and trims the
/// item pair maps (increments only add) to their strongest neighbours. Runs daily
/// (timer function <c>EnforceRetention</c>; the local scheduler when the app runs on its own). In
/// Azure the storage account's lifecycle rules apply the same limits by prefix as a second line;
/// documents age out through the collections' time-to-live (<see cref="Collections.TimeToLive"/>:
/// Cosmos DB container TTLs in Azure; the embedded store hides expired documents and this sweep
/// purges them) and profiles drop searches older than 90 days on every write.
/// </summary>
public sealed partial class RetentionService(IBlobStore blobs, IDocumentStore documents, TrendingStore trending, ProfileStore profiles, Catalog.CatalogProvider catalog,
    Experiments.ExperimentStore experiments, IOptions<RetentionOptions> options, TimeProvider timeProvider, ILogger<RetentionService> logger)
{
    public async Task<RetentionResult> EnforceAsync(CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var deleted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var dataClass in Enum.GetValues<DataClass>())
        {
            var prefix = $"{BlobPrefixes.Events}{RetentionOptions.FolderOf(dataClass)}/";
            deleted[prefix] = await DeleteOlderThanAsync(prefix, now - options.Value.For(dataClass), EventArchive.ArrivalHourOf, cancellationToken).ConfigureAwait(false);
        }

        deleted[BlobPrefixes.DeadLetter] = await DeleteOlderThanAsync(BlobPrefixes.DeadLetter, now - options.Value.DeadLetters, DeadLetters.DayOf, cancellationToken).ConfigureAwait(false);
        var buckets = await trending.PruneAsync(now, cancellationToken).ConfigureAwait(false);

        // Pair maps only grow by increment; keep each to its strongest neighbours.
        foreach (var productId in (await catalog.GetAsync(cancellationToken).ConfigureAwait(false)).Keys)
        {
            await profiles.CompactItemAsync(productId, cancellationToken).ConfigureAwait(false);
        }

        // Experiment exposures (subject keys and what each bought) go ExperimentExposures after the experiment ends.
        var exposures = await experiments.ExpireExposuresAsync(now, options.Value.ExperimentExposures, cancellationToken).ConfigureAwait(false);
        var purged = await documents.PurgeExpiredAsync(cancellationToken).ConfigureAwait(false); // nothing where the store expires documents itself
        LogSwept(logger, deleted.Values.Sum(), buckets, purged, exposures);
        return new RetentionResult(deleted, buckets, purged, exposures);
    }

    private async Task<int> DeleteOlderThanAsync(string prefix, DateTimeOffset cutoff, Func<string, DateTimeOffset?> dateOf, CancellationToken cancellationToken)
    {
        var expired = new List<string>();
        await foreach (var blob in blobs.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            // A blob holds data up to the end of its hour (or day): it expires once all of it is past the cutoff.
            if (dateOf(blob.Name) is { } at && at < cutoff - TimeSpan.FromDays(1))
            {
                expired.Add(blob.Name);
            }
        }

        foreach (var name in expired)
        {
            await blobs.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        }

        return expired.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep deleted {Blobs} blobs and {Buckets} trending buckets, purged {Documents} expired documents and {Exposures} expired experiment exposures")]
    private static partial void LogSwept(ILogger logger, int blobs, int buckets, int documents, int exposures);
}
