using System.Runtime.CompilerServices;
using System.Text.Json;
using Recommender.Domain.Ports;

namespace Recommender.Functions.Tests.Faults;

/// <summary>An <see cref="IDocumentStore"/> that dies when <see cref="FaultInjector"/> says so.</summary>
public sealed class FaultInjectingDocumentStore(IDocumentStore inner, FaultInjector faults) : DelegatingDocumentStore(inner)
{
    public override Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfDown();
        return base.ReadAsync(collection, partitionKey, id, cancellationToken);
    }

    public override Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"create {collection}/{partitionKey}/{id}", () => base.CreateAsync(collection, partitionKey, id, body, timeToLive, cancellationToken));

    public override Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"replace {collection}/{partitionKey}/{id}", () => base.ReplaceAsync(collection, partitionKey, id, body, ifMatchETag, timeToLive, cancellationToken));

    public override Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"upsert {collection}/{partitionKey}/{id}", () => base.UpsertAsync(collection, partitionKey, id, body, timeToLive, cancellationToken));

    public override Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"delete {collection}/{partitionKey}/{id}", () => base.DeleteAsync(collection, partitionKey, id, cancellationToken));

    public override Task<bool> IncrementAsync(string collection, string partitionKey, string id, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"increment {collection}/{partitionKey}/{id}", () => base.IncrementAsync(collection, partitionKey, id, increments, cancellationToken));

    public override async IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        faults.ThrowIfDown();
        await foreach (var document in base.ReadPartitionAsync(collection, partitionKey, cancellationToken).ConfigureAwait(false))
        {
            yield return document;
        }
    }
}
