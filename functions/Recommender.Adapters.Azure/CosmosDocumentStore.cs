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
/// '/', '\', '?', '#', '%' and '~' are stored escaped as '~' plus two hex digits (see <c>CosmosIds</c>).
/// </summary>
/// <remarks>
/// <see cref="ReadPartitionAsync"/> is a single-partition query (the partition key both in the SQL
/// and in <see cref="QueryRequestOptions.PartitionKey"/>), pages through continuations and sorts by
/// id in memory: ORDER BY would need the query plan service, and the page of a partition is small.
/// </remarks>
public sealed class CosmosDocumentStore : IDocumentStore
{
    /// <summary>Documents per query page unless configured otherwise.</summary>
    public const int DefaultQueryPageSize = 1000;

    private const string PartitionQuery = "SELECT * FROM c WHERE c.pk = @pk";

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
    public async Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        await using var content = CosmosDocumentJson.Write(CosmosIds.Encode(id), partitionKey, body);
        using var response = await Container(collection).CreateItemStreamAsync(content, new PartitionKey(partitionKey), WriteOptions(), cancellationToken);
        ThrowIfFailed(response, collection, partitionKey, id);
        return response.Headers.ETag;
    }

    /// <inheritdoc />
    public async Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(ifMatchETag);
        var storedId = CosmosIds.Encode(id);
        await using var content = CosmosDocumentJson.Write(storedId, partitionKey, body);
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
    public async Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        await using var content = CosmosDocumentJson.Write(CosmosIds.Encode(id), partitionKey, body);
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
