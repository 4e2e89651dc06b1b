using System.Text.Json;
using Recommender.Domain.Ports;

namespace Recommender.Functions.Tests.Faults;

/// <summary>
/// A pass-through <see cref="IDocumentStore"/>: every member of the port calls the wrapped store. A test double
/// derives from it and overrides only what it watches or breaks (<see cref="FaultInjectingDocumentStore"/>,
/// <see cref="ReadRecordingDocumentStore"/>). Shared reads keep the port's default — a <see cref="ReadAsync"/> and a
/// parse — so they pass through the overrides too.
/// </summary>
public abstract class DelegatingDocumentStore(IDocumentStore inner) : IDocumentStore, IExpiringDocumentStore
{
    /// <summary>The wrapped store.</summary>
    protected IDocumentStore Inner { get; } = inner;

    public virtual Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default) =>
        Inner.ReadAsync(collection, partitionKey, id, cancellationToken);

    public virtual Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        Inner.CreateAsync(collection, partitionKey, id, body, timeToLive, cancellationToken);

    public virtual Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        Inner.ReplaceAsync(collection, partitionKey, id, body, ifMatchETag, timeToLive, cancellationToken);

    public virtual Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        Inner.UpsertAsync(collection, partitionKey, id, body, timeToLive, cancellationToken);

    public virtual Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default) =>
        Inner.DeleteAsync(collection, partitionKey, id, cancellationToken);

    public virtual Task<bool> IncrementAsync(string collection, string partitionKey, string id, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default) =>
        Inner.IncrementAsync(collection, partitionKey, id, increments, cancellationToken);

    public virtual IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, CancellationToken cancellationToken = default) =>
        Inner.ReadPartitionAsync(collection, partitionKey, cancellationToken);

    public virtual Task<int> PurgeExpiredAsync(CancellationToken cancellationToken = default) =>
        Inner.PurgeExpiredAsync(cancellationToken);
}
