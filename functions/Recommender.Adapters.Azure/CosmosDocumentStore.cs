using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Azure;

/// <summary>
/// <see cref="IDocumentStore"/> over Cosmos DB: one container per collection in one database,
/// partition key path <c>/pk</c>, each document stored as <c>{"id", "pk", "body"}</c> through the
/// stream APIs. Not found maps to <c>null</c>/<c>false</c>; 409 and 412 (and 404 on a conditional
/// replace) map to <see cref="DocumentConflictException"/>. Ids may contain any character:
/// '/', '\', '?', '#', '%' and '~' are stored escaped as '~' plus two hex digits (see <c>CosmosIds</c>),
/// in every operation, the patch of <see cref="IncrementAsync"/> included. Increment paths are JSON
/// Pointers under <c>/body</c> built from validated names (<c>IncrementPath</c>: ASCII letters, digits,
/// <c>_ - . : @</c>), which never contain the two characters JSON Pointer escapes ('~' and '/').
/// </summary>
/// <remarks>
/// A <see cref="DocumentTimeToLive"/> override is the item's <c>ttl</c> property next to <c>id</c> and
/// <c>pk</c>; Cosmos DB honours it because every container with a TTL has a default one (Bicep,
/// <c>Collections.TimeToLive</c>), and a patch (increment) keeps it.
/// <see cref="ReadPartitionAsync"/> is a single-partition query (the partition key both in the SQL
/// and in <see cref="QueryRequestOptions.PartitionKey"/>), pages through continuations and sorts by
/// id in memory: ORDER BY would need the query plan service, and the page of a partition is small.
/// </remarks>
public sealed class CosmosDocumentStore : IDocumentStore
{
    /// <summary>Documents per query page unless configured otherwise.</summary>
    public const int DefaultQueryPageSize = 1000;

    /// <summary>Cosmos DB accepts at most this many operations in one patch request.</summary>
    public const int MaxPatchOperations = 10;

    private const string PartitionQuery = "SELECT * FROM c WHERE c.pk = @pk";

    /// <summary>Increment requests refused with 400 although nothing was missing on the following read, before giving up.</summary>
    private const int MaxUnexplainedBadRequests = 3;

    private readonly CosmosClient _client;
    private readonly string _databaseName;
    private readonly int _queryPageSize;
    private readonly ConcurrentDictionary<string, Container> _containers = new(StringComparer.Ordinal);

    /// <summary>Uses <paramref name="client"/> and the containers of database <paramref name="databaseName"/>.</summary>
    public CosmosDocumentStore(CosmosClient client, string databaseName, int queryPageSize = DefaultQueryPageSize)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseName);
        ArgumentOutOfRangeException.ThrowIfLessThan(queryPageSize, 1);
        _client = client;
        _databaseName = databaseName;
        _queryPageSize = queryPageSize;
    }

    /// <inheritdoc />
    public async Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        using var response = await Container(collection).ReadItemStreamAsync(CosmosIds.Encode(id), new PartitionKey(partitionKey), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        ThrowIfFailed(response, collection, partitionKey, id);
        using var json = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken);
        return CosmosDocumentJson.Read(json.RootElement, partitionKey, response.Headers.ETag);
    }

    /// <inheritdoc />
    public async Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive = default,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        await using var content = CosmosDocumentJson.Write(CosmosIds.Encode(id), partitionKey, body, timeToLive);
        using var response = await Container(collection).CreateItemStreamAsync(content, new PartitionKey(partitionKey), WriteOptions(), cancellationToken);
        ThrowIfFailed(response, collection, partitionKey, id);
        return response.Headers.ETag;
    }

    /// <inheritdoc />
    public async Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive = default,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(ifMatchETag);
        var storedId = CosmosIds.Encode(id);
        await using var content = CosmosDocumentJson.Write(storedId, partitionKey, body, timeToLive);
        var options = WriteOptions();
        options.IfMatchEtag = ifMatchETag;
        using var response = await Container(collection).ReplaceItemStreamAsync(content, storedId, new PartitionKey(partitionKey), options, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new DocumentConflictException($"Document '{id}' in {collection}/{partitionKey} no longer exists.");
        }

        ThrowIfFailed(response, collection, partitionKey, id);
        return response.Headers.ETag;
    }

    /// <inheritdoc />
    public async Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive = default,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        await using var content = CosmosDocumentJson.Write(CosmosIds.Encode(id), partitionKey, body, timeToLive);
        using var response = await Container(collection).UpsertItemStreamAsync(content, new PartitionKey(partitionKey), WriteOptions(), cancellationToken);
        ThrowIfFailed(response, collection, partitionKey, id);
        return response.Headers.ETag;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        using var response = await Container(collection).DeleteItemStreamAsync(CosmosIds.Encode(id), new PartitionKey(partitionKey), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        ThrowIfFailed(response, collection, partitionKey, id);
        return true;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        var query = new QueryDefinition(PartitionQuery).WithParameter("@pk", partitionKey);
        var options = new QueryRequestOptions
        {
            // Both the SQL predicate and this option: a single-partition query, never fanned out.
            PartitionKey = new PartitionKey(partitionKey),
            MaxItemCount = _queryPageSize,
        };

        var documents = new List<StoredDocument>();
        using (var iterator = Container(collection).GetItemQueryStreamIterator(query, continuationToken: null, options))
        {
            while (iterator.HasMoreResults)
            {
                using var page = await iterator.ReadNextAsync(cancellationToken);
                ThrowIfFailed(page, collection, partitionKey, id: null);
                using var json = await JsonDocument.ParseAsync(page.Content, cancellationToken: cancellationToken);
                foreach (var item in json.RootElement.GetProperty("Documents").EnumerateArray())
                {
                    documents.Add(CosmosDocumentJson.Read(item, partitionKey));
                }
            }
        }

        documents.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        foreach (var document in documents)
        {
            yield return document;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>
    /// Patch with <see cref="PatchOperation.Increment(string, long)"/> on <c>/body/name</c> or
    /// <c>/body/parent/name</c>, at most <see cref="MaxPatchOperations"/> paths per request: each
    /// request is atomic on the server, a call with more paths is several requests and is not atomic
    /// as a whole (a failure leaves the earlier requests applied; a document deleted in between makes
    /// the call return <c>false</c>, its earlier increments gone with the document).
    /// </para>
    /// <para>
    /// Cosmos DB's increment creates a missing property (set to the value) but not a missing parent
    /// object: that request fails with 400 ("can't create path recursively"; the stand-in answers the
    /// same). Then the document is read and the request is sent again guarded by its ETag, with a
    /// <see cref="PatchOperation.Set{T}"/> of each missing parent to an object holding that
    /// parent's values (and of each <c>null</c> value to its increment); on 412 someone wrote in between
    /// and the plain increments are retried, as they are when the read shows the parent already there
    /// (created by a concurrent increment; a 400 that stays unexplained 3 times is thrown). A parent that is not an object or a value that is not a
    /// number throws <see cref="InvalidOperationException"/>. A conditional patch
    /// (<c>FilterPredicate = "... NOT IS_DEFINED(...)"</c>) would save the read, but the stand-in
    /// lower-cases the predicate, so it could not be tested here.
    /// </para>
    /// </remarks>
    public async Task<bool> IncrementAsync(string collection, string partitionKey, string id, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        var paths = IncrementPath.Parse(increments);
        var container = Container(collection);
        var storedId = CosmosIds.Encode(id);
        foreach (var chunk in paths.Chunk(MaxPatchOperations))
        {
            if (!await IncrementChunkAsync(container, collection, partitionKey, id, storedId, chunk, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<bool> IncrementChunkAsync(Container container, string collection, string partitionKey, string id, string storedId,
        IncrementPath[] paths, CancellationToken cancellationToken)
    {
        var increments = paths.Select(static p => p.IsIntegral ? PatchOperation.Increment(PatchPath(p), (long)p.Value) : PatchOperation.Increment(PatchPath(p), p.Value)).ToList();
        for (var unexplained = 0; ; )
        {
            using (var response = await container.PatchItemStreamAsync(storedId, new PartitionKey(partitionKey), increments, PatchOptions(), cancellationToken))
            {
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return false;
                }

                if (response.StatusCode != HttpStatusCode.BadRequest)
                {
                    ThrowIfFailed(response, collection, partitionKey, id);
                    return true;
                }

                // 400: a parent may be missing, or a target is not a number. Read and find out.
                var current = await ReadAsync(collection, partitionKey, id, cancellationToken);
                if (current is null)
                {
                    return false;
                }

                var repair = RepairOperations(current.Body, paths, collection, partitionKey, id);
                if (repair is null)
                {
                    // Nothing missing now: another writer created the parent between the patch and the read.
                    // Retry; a 400 that keeps coming has another cause: the CosmosException with the diagnostics.
                    if (++unexplained >= MaxUnexplainedBadRequests)
                    {
                        response.EnsureSuccessStatusCode();
                    }

                    continue;
                }

                var options = PatchOptions();
                options.IfMatchEtag = current.ETag;
                using var repaired = await container.PatchItemStreamAsync(storedId, new PartitionKey(partitionKey), repair, options, cancellationToken);
                if (repaired.StatusCode == HttpStatusCode.NotFound)
                {
                    return false;
                }

                if (repaired.StatusCode != HttpStatusCode.PreconditionFailed)
                {
                    ThrowIfFailed(repaired, collection, partitionKey, id);
                    return true;
                }

                // 412: written in between (perhaps the same parent by another increment): plain increments again.
            }
        }
    }

    /// <summary>
    /// The operations that apply <paramref name="paths"/> to <paramref name="body"/> as read: a set of
    /// each missing parent (with its values) and of each null value, increments for the rest;
    /// <c>null</c> when nothing is missing (created since by another writer, or the 400 had another
    /// cause). Throws <see cref="InvalidOperationException"/> when a target has the wrong type.
    /// </summary>
    private static List<PatchOperation>? RepairOperations(JsonElement body, IncrementPath[] paths, string collection, string partitionKey, string id)
    {
        var operations = new List<PatchOperation>(paths.Length);
        var missingParents = new Dictionary<string, Dictionary<string, object>>(StringComparer.Ordinal);
        var repaired = false;
        foreach (var path in paths)
        {
            var parent = body;
            string? problem = null;
            if (body.ValueKind != JsonValueKind.Object)
            {
                problem = "the body is not an object";
            }
            else if (path.Parent is not null && !body.TryGetProperty(path.Parent, out parent))
            {
                var values = missingParents.TryGetValue(path.Parent, out var v) ? v : missingParents[path.Parent] = new(StringComparer.Ordinal);
                values[path.Name] = NumberValue(path);
                repaired = true;
                continue;
            }
            else if (parent.ValueKind != JsonValueKind.Object)
            {
                problem = $"'{path.Parent}' is not an object";
            }
            else if (parent.TryGetProperty(path.Name, out var value) && value.ValueKind is not JsonValueKind.Number)
            {
                if (value.ValueKind == JsonValueKind.Null)
                {
                    operations.Add(PatchOperation.Set(PatchPath(path), NumberValue(path)));
                    repaired = true;
                    continue;
                }

                problem = "the value is not a number";
            }

            if (problem is not null)
            {
                throw new InvalidOperationException($"Cannot increment '{path}' of document '{id}' in {collection}/{partitionKey}: {problem}.");
            }

            operations.Add(path.IsIntegral ? PatchOperation.Increment(PatchPath(path), (long)path.Value) : PatchOperation.Increment(PatchPath(path), path.Value));
        }

        foreach (var (parent, values) in missingParents)
        {
            operations.Add(PatchOperation.Set($"/body/{parent}", values));
        }

        return repaired ? operations : null;
    }

    /// <summary>The JSON Pointer of a path inside the stored item (names need no escaping, see <c>IncrementPath</c>).</summary>
    private static string PatchPath(IncrementPath path) => path.Parent is null ? $"/body/{path.Name}" : $"/body/{path.Parent}/{path.Name}";

    private static object NumberValue(IncrementPath path) => path.IsIntegral ? (long)path.Value : path.Value;

    private static PatchItemRequestOptions PatchOptions() => new() { EnableContentResponseOnWrite = false };

    private Container Container(string collection)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        return _containers.GetOrAdd(collection, static (name, self) => self._client.GetContainer(self._databaseName, name), this);
    }

    private static ItemRequestOptions WriteOptions() => new() { EnableContentResponseOnWrite = false };

    private static void ThrowIfFailed(ResponseMessage response, string collection, string partitionKey, string? id)
    {
        if (response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed)
        {
            var reason = response.StatusCode == HttpStatusCode.Conflict ? "already exists" : "changed since it was read";
            throw new DocumentConflictException($"Document '{id}' in {collection}/{partitionKey} {reason} (HTTP {(int)response.StatusCode}).");
        }

        response.EnsureSuccessStatusCode(); // anything else: a CosmosException with the diagnostics
    }
}
