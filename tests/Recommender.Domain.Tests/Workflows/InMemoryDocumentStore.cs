using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recommender.Domain.Ports;

namespace Recommender.Domain.Tests.Workflows;

/// <summary>An <see cref="IDocumentStore"/> in a dictionary, with version tokens, for unit tests of what runs on the store.</summary>
public sealed class InMemoryDocumentStore : IDocumentStore
{
    private readonly Dictionary<(string Collection, string Partition, string Id), (JsonElement Body, int Version)> _documents = [];
    private readonly Lock _gate = new();

    public Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_documents.TryGetValue((collection, partitionKey, id), out var d)
                ? new StoredDocument(id, partitionKey, d.Body.Clone(), d.Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : null);
        }
    }

    public Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_documents.TryAdd((collection, partitionKey, id), (body.Clone(), 1)))
            {
                throw new DocumentConflictException();
            }

            return Task.FromResult("1");
        }
    }

    public Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive,
        CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_documents.TryGetValue((collection, partitionKey, id), out var current) || current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) != ifMatchETag)
            {
                throw new DocumentConflictException();
            }

            return Task.FromResult(Write(collection, partitionKey, id, body));
        }
    }

    public Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Write(collection, partitionKey, id, body));
        }
    }

    public Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_documents.Remove((collection, partitionKey, id)));
        }
    }

    public async IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<string> ids;
        lock (_gate)
        {
            ids = [.. _documents.Keys.Where(k => k.Collection == collection && k.Partition == partitionKey).Select(k => k.Id).Order(StringComparer.Ordinal)];
        }

        foreach (var id in ids)
        {
            if (await ReadAsync(collection, partitionKey, id, cancellationToken) is { } document)
            {
                yield return document;
            }
        }
    }

    /// <summary>Adds to numbers at <c>name</c> or <c>parent.name</c>, as the port describes.</summary>
    public Task<bool> IncrementAsync(string collection, string partitionKey, string id, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_documents.TryGetValue((collection, partitionKey, id), out var current))
            {
                return Task.FromResult(false);
            }

            var body = JsonNode.Parse(current.Body.GetRawText())!.AsObject();
            foreach (var (path, value) in increments)
            {
                var dot = path.IndexOf('.', StringComparison.Ordinal);
                var parent = dot < 0 ? body : (body[path[..dot]] ??= new JsonObject()).AsObject();
                var name = dot < 0 ? path : path[(dot + 1)..];
                parent[name] = (parent[name]?.GetValue<double>() ?? 0) + value;
            }

            Write(collection, partitionKey, id, JsonSerializer.SerializeToElement(body));
            return Task.FromResult(true);
        }
    }

    private string Write(string collection, string partitionKey, string id, JsonElement body)
    {
        var version = _documents.TryGetValue((collection, partitionKey, id), out var current) ? current.Version + 1 : 1;
        _documents[(collection, partitionKey, id)] = (body.Clone(), version);
        return version.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
