namespace Recommender.Domain.Ports;

/// <summary>
/// The purge of expired documents, a part of every <see cref="IDocumentStore"/>. A store that enforces
/// the collections' time-to-live (<see cref="Storage.Collections.TimeToLive"/>) itself (the embedded
/// store) hides expired documents at once and keeps their rows until purged; Cosmos DB removes expired
/// documents on its own, so its purge removes nothing.
/// </summary>
public interface IExpiringDocumentStore
{
    /// <summary>Removes every expired document; returns how many (the retention sweep calls it).</summary>
    Task<int> PurgeExpiredAsync(CancellationToken cancellationToken = default);
}
