using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Ports;

namespace Recommender.Functions.Tests.Faults;

/// <summary>An <see cref="IDocumentStore"/> that records every point read (collection/partition/id) it passes on: what a request read.</summary>
public sealed class ReadRecordingDocumentStore(IDocumentStore inner) : IDocumentStore, IExpiringDocumentStore
{
    private readonly ConcurrentQueue<string> _reads = new();

    /// <summary>The point reads since the last <see cref="Clear"/>, as <c>collection/partitionKey/id</c>.</summary>
    public IReadOnlyList<string> Reads => [.. _reads];

    public void Clear() => _reads.Clear();

    /// <summary>Wraps the registered document store; the recorder is registered too, for the test to read.</summary>
    public static void AddTo(IServiceCollection services)
    {
        FaultInjectionExtensions.Decorate<IDocumentStore>(services, inner => new ReadRecordingDocumentStore(inner));
        services.AddSingleton(sp => (ReadRecordingDocumentStore)sp.GetRequiredService<IDocumentStore>());
    }

    public Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        _reads.Enqueue($"{collection}/{partitionKey}/{id}");
        return inner.ReadAsync(collection, partitionKey, id, cancellationToken);
    }

    public Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        inner.CreateAsync(collection, partitionKey, id, body, timeToLive, cancellationToken);

    public Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        inner.ReplaceAsync(collection, partitionKey, id, body, ifMatchETag, timeToLive, cancellationToken);

    public Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
        inner.UpsertAsync(collection, partitionKey, id, body, timeToLive, cancellationToken);

    public Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default) =>
        inner.DeleteAsync(collection, partitionKey, id, cancellationToken);

    public Task<bool> IncrementAsync(string collection, string partitionKey, string id, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default) =>
        inner.IncrementAsync(collection, partitionKey, id, increments, cancellationToken);

    public async IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var document in inner.ReadPartitionAsync(collection, partitionKey, cancellationToken).ConfigureAwait(false))
        {
            yield return document;
        }
    }

    public Task<int> PurgeExpiredAsync(CancellationToken cancellationToken = default) =>
        inner.PurgeExpiredAsync(cancellationToken);
}
