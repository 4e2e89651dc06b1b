namespace Recommender.Domain.Ports;

/// <summary>
/// A document store that enforces the collections' time-to-live (<see cref="Storage.Collections.TimeToLive"/>)
/// itself: expired documents are invisible at once and their rows stay until purged. The embedded
/// store is one; Cosmos DB removes expired documents on its own, so its adapter is not.
/// </summary>
public interface IExpiringDocumentStore
{
    /// <summary>Removes every expired document; returns how many (the retention sweep calls it).</summary>
    Task<int> PurgeExpiredAsync(CancellationToken cancellationToken = default);
}
