using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Recommender.Domain.Ports;

namespace Recommender.Domain.Tests.Telemetry;

/// <summary>In-memory ports that write down every call that reaches them (what the adapter sees).</summary>
internal sealed class RecordingDocumentStore : IDocumentStore, IDisposable
{
    private readonly ConcurrentDictionary<(string, string, string), StoredDocument> _documents = new();
    private int _version;

    public ConcurrentQueue<string> Calls { get; } = new();
    public bool Disposed { get; private set; }

    public Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("read");
        return Task.FromResult(_documents.GetValueOrDefault((collection, partitionKey, id)));
    }

    public Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("create");
        var document = Stored(collection, partitionKey, id, body);
        return _documents.TryAdd((collection, partitionKey, id), document) ? Task.FromResult(document.ETag) : throw new DocumentConflictException("exists");
    }

    public Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive,
        CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("replace");
        var key = (collection, partitionKey, id);
        var current = _documents.GetValueOrDefault(key);
        if (current is null || current.ETag != ifMatchETag)
        {
            throw new DocumentConflictException("changed");
        }

        var document = Stored(collection, partitionKey, id, body);
        _documents[key] = document;
        return Task.FromResult(document.ETag);
    }

    public Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("upsert");
        var document = Stored(collection, partitionKey, id, body);
        _documents[(collection, partitionKey, id)] = document;
        return Task.FromResult(document.ETag);
    }

    public Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("delete");
        return Task.FromResult(_documents.TryRemove((collection, partitionKey, id), out _));
    }

    public async IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("read-partition");
        await Task.Yield();
        foreach (var document in _documents.Values.Where(d => d.PartitionKey == partitionKey).OrderBy(d => d.Id, StringComparer.Ordinal).ToList())
        {
            yield return document;
        }
    }

    public Task<bool> IncrementAsync(string collection, string partitionKey, string id, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("increment");
        return Task.FromResult(_documents.ContainsKey((collection, partitionKey, id))); // found or not; the values are not added up
    }

    public void Dispose() => Disposed = true;

    private StoredDocument Stored(string collection, string partitionKey, string id, JsonElement body) =>
        new(id, partitionKey, body.Clone(), $"v{Interlocked.Increment(ref _version)}");
}

/// <summary>A blob container in memory that writes down every call that reaches it.</summary>
internal sealed class RecordingBlobStore : IBlobStore
{
    private readonly ConcurrentDictionary<string, (byte[] Content, string ETag)> _blobs = new(StringComparer.Ordinal);
    private int _version;

    public ConcurrentQueue<string> Calls { get; } = new();

    public Task<string> PutAsync(string name, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("put");
        var etag = $"v{Interlocked.Increment(ref _version)}";
        _blobs[name] = (content.ToArray(), etag);
        return Task.FromResult(etag);
    }

    public Task<string> ReplaceAsync(string name, ReadOnlyMemory<byte> content, string ifMatchETag, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("replace");
        return PutAsync(name, content, true, cancellationToken);
    }

    public Task<(byte[] Content, string ETag)?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("get");
        return Task.FromResult(_blobs.TryGetValue(name, out var blob) ? blob : ((byte[], string)?)null);
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("list");
        await Task.Yield();
        foreach (var (name, blob) in _blobs.Where(b => b.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(b => b.Key, StringComparer.Ordinal).ToList())
        {
            yield return new BlobItem(name, blob.Content.Length, DateTimeOffset.UnixEpoch, blob.ETag);
        }
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("delete");
        return Task.FromResult(_blobs.TryRemove(name, out _));
    }
}
