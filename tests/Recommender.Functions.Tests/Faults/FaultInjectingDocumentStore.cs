using System.Runtime.CompilerServices;
using System.Text.Json;
using Recommender.Domain.Ports;

namespace Recommender.Functions.Tests.Faults;

/// <summary>An <see cref="IDocumentStore"/> that dies when <see cref="FaultInjector"/> says so.</summary>
public sealed class FaultInjectingDocumentStore(IDocumentStore inner, FaultInjector faults) : IDocumentStore, IExpiringDocumentStore
{
    public Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfDown();
        return inner.ReadAsync(collection, partitionKey, id, cancellationToken);
    }

    public Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"create {collection}/{partitionKey}/{id}", () => inner.CreateAsync(collection, partitionKey, id, body, timeToLive, cancellationToken));

    public Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"replace {collection}/{partitionKey}/{id}", () => inner.ReplaceAsync(collection, partitionKey, id, body, ifMatchETag, timeToLive, cancellationToken));

    public Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"upsert {collection}/{partitionKey}/{id}", () => inner.UpsertAsync(collection, partitionKey, id, body, timeToLive, cancellationToken));

    public Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"delete {collection}/{partitionKey}/{id}", () => inner.DeleteAsync(collection, partitionKey, id, cancellationToken));

    public Task<bool> IncrementAsync(string collection, string partitionKey, string id, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"increment {collection}/{partitionKey}/{id}", () => inner.IncrementAsync(collection, partitionKey, id, increments, cancellationToken));

    public async IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        faults.ThrowIfDown();
        await foreach (var document in inner.ReadPartitionAsync(collection, partitionKey, cancellationToken).ConfigureAwait(false))
        {
            yield return document;
        }
    }

    public Task<int> PurgeExpiredAsync(CancellationToken cancellationToken = default) =>
        inner.PurgeExpiredAsync(cancellationToken);
}
