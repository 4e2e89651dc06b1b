using System.Text.Json;
using Recommender.Domain.Ports;

namespace Recommender.Domain.Ports.Telemetry;

/// <summary>
/// An <see cref="IDocumentStore"/> that counts each call it passes on (<see cref="StorageMetering"/>),
/// tagged with the operation and the collection. Shared reads and writes (<see cref="ISharedDocuments"/>)
/// are passed on when the wrapped store keeps shared documents (<see cref="ISharedDocuments.KeepsSharedDocuments"/>)
/// and otherwise done as the port's default does them, a read and a parse or an upsert, counted as such;
/// the purge (<see cref="IExpiringDocumentStore"/>) is passed on.
/// </summary>
public sealed class MeteredDocumentStore : IDocumentStore, ISharedDocuments, IExpiringDocumentStore, IMeteredPort, IDisposable, IAsyncDisposable
{
    private const string Port = StorageMetering.Ports.Documents;
    private readonly bool _ownsInner;

    /// <param name="inner">The adapter.</param>
    /// <param name="ownsInner">Whether disposing this disposes <paramref name="inner"/> (the container created it).</param>
    public MeteredDocumentStore(IDocumentStore inner, bool ownsInner = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        _ownsInner = ownsInner;
    }

    /// <summary>The wrapped store.</summary>
    public IDocumentStore Inner { get; }

    public Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "read", collection);
        return Inner.ReadAsync(collection, partitionKey, id, cancellationToken);
    }

    public Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "create", collection);
        return Inner.CreateAsync(collection, partitionKey, id, body, timeToLive, cancellationToken);
    }

    public Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive,
        CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "replace", collection);
        return Inner.ReplaceAsync(collection, partitionKey, id, body, ifMatchETag, timeToLive, cancellationToken);
    }

    public Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "upsert", collection);
        return Inner.UpsertAsync(collection, partitionKey, id, body, timeToLive, cancellationToken);
    }

    public Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "delete", collection);
        return Inner.DeleteAsync(collection, partitionKey, id, cancellationToken);
    }

    public IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, CancellationToken cancellationToken = default) =>
        StorageMetering.CountedWhenEnumerated(Inner.ReadPartitionAsync(collection, partitionKey, cancellationToken), Port, "read-partition", collection);

    public Task<bool> IncrementAsync(string collection, string partitionKey, string id, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "increment", collection);
        return Inner.IncrementAsync(collection, partitionKey, id, increments, cancellationToken);
    }

    public ValueTask<T?> ReadSharedAsync<T>(string collection, string partitionKey, string id, Func<JsonElement, T> deserialize, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(deserialize);
        if (Inner.KeepsSharedDocuments)
        {
            StorageMetering.Record(Port, "read-shared", collection);
            return Inner.ReadSharedAsync(collection, partitionKey, id, deserialize, cancellationToken);
        }

        return ReadAndDeserializeAsync(collection, partitionKey, id, deserialize, cancellationToken);
    }

    public Task<string> UpsertSharedAsync<T>(string collection, string partitionKey, string id, JsonElement body, Func<JsonElement, T> deserialize,
        CancellationToken cancellationToken = default)
        where T : class
    {
        if (Inner.KeepsSharedDocuments)
        {
            StorageMetering.Record(Port, "upsert", collection);
            return Inner.UpsertSharedAsync(collection, partitionKey, id, body, deserialize, cancellationToken);
        }

        return UpsertAsync(collection, partitionKey, id, body, DocumentTimeToLive.CollectionDefault, cancellationToken);
    }

    public bool KeepsSharedDocuments => Inner.KeepsSharedDocuments;

    public Task<int> PurgeExpiredAsync(CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "purge-expired");
        return Inner.PurgeExpiredAsync(cancellationToken);
    }

    public void Dispose() => StorageMetering.DisposeOwned(Inner, _ownsInner);

    public ValueTask DisposeAsync() => StorageMetering.DisposeOwnedAsync(Inner, _ownsInner);

    private async ValueTask<T?> ReadAndDeserializeAsync<T>(string collection, string partitionKey, string id, Func<JsonElement, T> deserialize, CancellationToken cancellationToken)
        where T : class
    {
        var document = await ReadAsync(collection, partitionKey, id, cancellationToken).ConfigureAwait(false);
        return document is null ? null : deserialize(document.Body);
    }
}
