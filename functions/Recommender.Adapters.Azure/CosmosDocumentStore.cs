using System.Collections.Concurrent;
using System.Globalization;
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
/// <para>
/// Faults: 429 is retried by the SDK (<see cref="AzureOptions.CosmosRateLimitRetries"/>); 408, 410, 449,
/// 503 and transport failures by this store, within <see cref="CosmosRetryOptions"/>. A retried write
/// whose first answer was lost is never applied twice: creates and replaces carry a unique write id
/// (item property <c>w</c>) checked on 409/412, and every increment request sets a marker under
/// <c>markers</c> that is checked before the request is sent again (docs/robustness.md, "Faults and soak").
/// </para>
/// <para>
/// Reads on the serving path (<see cref="ServingPath.IsActive"/>: point reads and partition queries) go through
/// <see cref="CosmosServingReads"/> when one is given: a second client with a short 429 budget and fewer
/// transient retries, so that a throttling storm makes the recommendations route degrade within about a
/// second instead of waiting out the 30 s budget meant for background work. Writes, and the reads a write
/// makes to check its own outcome, always use the main client and budgets.
/// </para>
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

    /// <summary>The stored item's object of increment markers (outside <c>body</c>, never seen by the domain).</summary>
    internal const string MarkersProperty = "markers";

    /// <summary>A marker older than this is removed when the item is next read for a repair or a prune.</summary>
    internal static readonly TimeSpan MarkerLifetime = TimeSpan.FromHours(1);

    /// <summary>Every this many increments of one store, the item is read first and stale markers are pruned.</summary>
    private const int PruneEvery = 1024;

    private readonly CosmosClient _client;
    private readonly string _databaseName;
    private readonly int _queryPageSize;
    private readonly CosmosRetryOptions _retry;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, Container> _containers = new(StringComparer.Ordinal);
    private readonly CosmosServingReads? _servingReads;
    private readonly ConcurrentDictionary<string, Container> _servingContainers = new(StringComparer.Ordinal);
    private readonly string _writer = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 4));
    private readonly ConcurrentBag<int> _freeLanes = [];
    private int _lanes;
    private int _increments;

    /// <summary>
    /// Uses <paramref name="client"/> and the containers of database <paramref name="databaseName"/>; reads on the
    /// serving path use <paramref name="servingReads"/> instead when given (else the main client and budgets).
    /// </summary>
    public CosmosDocumentStore(CosmosClient client, string databaseName, int queryPageSize = DefaultQueryPageSize, CosmosRetryOptions? retry = null,
        TimeProvider? timeProvider = null, CosmosServingReads? servingReads = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseName);
        ArgumentOutOfRangeException.ThrowIfLessThan(queryPageSize, 1);
        _client = client;
        _databaseName = databaseName;
        _queryPageSize = queryPageSize;
        _retry = retry ?? CosmosRetryOptions.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(_retry.MaxRetries, nameof(retry));
        _timeProvider = timeProvider ?? TimeProvider.System;
        if (servingReads is not null)
        {
            ArgumentNullException.ThrowIfNull(servingReads.Client, nameof(servingReads));
            ArgumentOutOfRangeException.ThrowIfNegative(servingReads.Retry.MaxRetries, nameof(servingReads));
        }

        _servingReads = servingReads;
    }

    /// <inheritdoc />
    public async Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        var (container, retry) = ReadPath(collection);
        var item = await ReadItemAsync(container, collection, partitionKey, id, cancellationToken, retry);
        return item is null ? null : CosmosDocumentJson.Read(item.Value.Item, partitionKey, item.Value.ETag);
    }

    /// <summary>The stored item as JSON (cloned) with its ETag; null when absent. Transient failures are retried.</summary>
    private async Task<(JsonElement Item, string ETag)?> ReadItemAsync(Container container, string collection, string partitionKey, string id, CancellationToken cancellationToken,
        CosmosRetryOptions? retry = null)
    {
        var storedId = CosmosIds.Encode(id);
        var (response, _) = await SendAsync(() => container.ReadItemStreamAsync(storedId, new PartitionKey(partitionKey), cancellationToken: cancellationToken), null, cancellationToken, retry);
        using (response)
        {
            if (response!.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            ThrowIfFailed(response, collection, partitionKey, id);
            using var json = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken);
            return (json.RootElement.Clone(), response.Headers.ETag);
        }
    }

    /// <inheritdoc />
    public async Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive = default,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        var container = Container(collection);
        var storedId = CosmosIds.Encode(id);
        var writeId = Guid.NewGuid().ToString("N");
        var (response, retried) = await SendAsync(async () =>
        {
            await using var content = CosmosDocumentJson.Write(storedId, partitionKey, body, timeToLive, writeId);
            return await container.CreateItemStreamAsync(content, new PartitionKey(partitionKey), WriteOptions(), cancellationToken);
        }, null, cancellationToken);
        using (response)
        {
            if (response!.StatusCode == HttpStatusCode.Conflict && retried && await WrittenByAsync(container, collection, partitionKey, id, writeId, cancellationToken) is { } etag)
            {
                return etag; // an earlier attempt created it and its answer was lost
            }

            ThrowIfFailed(response, collection, partitionKey, id);
            return response.Headers.ETag;
        }
    }

    /// <summary>
    /// After a create or replace whose answer was lost: the ETag of the stored item when it carries
    /// <paramref name="writeId"/> (unique per call: the lost attempt applied), else null (someone
    /// else's write: a real conflict, even when their body happens to equal this one).
    /// </summary>
    private async Task<string?> WrittenByAsync(Container container, string collection, string partitionKey, string id, string writeId, CancellationToken cancellationToken)
    {
        var item = await ReadItemAsync(container, collection, partitionKey, id, cancellationToken);
        return item is { } stored && stored.Item.TryGetProperty(CosmosDocumentJson.WriteIdProperty, out var w) && w.ValueKind == JsonValueKind.String && w.GetString() == writeId
            ? stored.ETag
            : null;
    }

    /// <inheritdoc />
    public async Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive = default,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(ifMatchETag);
        var storedId = CosmosIds.Encode(id);
        var container = Container(collection);
        var options = WriteOptions();
        options.IfMatchEtag = ifMatchETag;
        var writeId = Guid.NewGuid().ToString("N");
        var (response, retried) = await SendAsync(async () =>
        {
            await using var content = CosmosDocumentJson.Write(storedId, partitionKey, body, timeToLive, writeId);
            return await container.ReplaceItemStreamAsync(content, storedId, new PartitionKey(partitionKey), options, cancellationToken);
        }, null, cancellationToken);
        using (response)
        {
            if (response!.StatusCode == HttpStatusCode.PreconditionFailed && retried && await WrittenByAsync(container, collection, partitionKey, id, writeId, cancellationToken) is { } etag)
            {
                return etag; // the ETag moved because an earlier attempt applied and its answer was lost
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new DocumentConflictException($"Document '{id}' in {collection}/{partitionKey} no longer exists.");
            }

            ThrowIfFailed(response, collection, partitionKey, id);
            return response.Headers.ETag;
        }
    }

    /// <inheritdoc />
    public async Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive = default,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        var container = Container(collection);
        var storedId = CosmosIds.Encode(id);
        var (response, _) = await SendAsync(async () =>
        {
            await using var content = CosmosDocumentJson.Write(storedId, partitionKey, body, timeToLive);
            return await container.UpsertItemStreamAsync(content, new PartitionKey(partitionKey), WriteOptions(), cancellationToken);
        }, null, cancellationToken);
        using (response)
        {
            ThrowIfFailed(response!, collection, partitionKey, id);
            return response!.Headers.ETag;
        }
    }

    /// <inheritdoc />
    /// <summary>Nothing is kept: see <see cref="ReadSharedAsync{T}"/>.</summary>
    public bool KeepsSharedDocuments => false;

    /// <summary>
    /// A point read and a parse, a new instance every time: other instances of the app write the same
    /// documents, so nothing read here may be kept and handed out again (<see cref="ISharedDocuments"/>).
    /// </summary>
    public async ValueTask<T?> ReadSharedAsync<T>(string collection, string partitionKey, string id, Func<JsonElement, T> deserialize,
        CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(deserialize);
        var document = await ReadAsync(collection, partitionKey, id, cancellationToken).ConfigureAwait(false);
        return document is null ? null : deserialize(document.Body);
    }

    /// <summary>An upsert: nothing is kept for later readers (see <see cref="ReadSharedAsync{T}"/>).</summary>
    public Task<string> UpsertSharedAsync<T>(string collection, string partitionKey, string id, JsonElement body, Func<JsonElement, T> deserialize,
        CancellationToken cancellationToken = default)
        where T : class =>
        UpsertAsync(collection, partitionKey, id, body, DocumentTimeToLive.CollectionDefault, cancellationToken);

    /// <summary>Nothing to purge: Cosmos DB removes expired items itself (the containers' default and the items' <c>ttl</c>).</summary>
    public Task<int> PurgeExpiredAsync(CancellationToken cancellationToken = default) => Task.FromResult(0);

    public async Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        var container = Container(collection);
        var storedId = CosmosIds.Encode(id);
        var (response, retried) = await SendAsync(() => container.DeleteItemStreamAsync(storedId, new PartitionKey(partitionKey), cancellationToken: cancellationToken), null, cancellationToken);
        using (response)
        {
            if (response!.StatusCode == HttpStatusCode.NotFound)
            {
                return retried; // after a lost answer, gone means the earlier attempt deleted it
            }

            ThrowIfFailed(response, collection, partitionKey, id);
            return true;
        }
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
        string? continuation = null;
        var done = false;
        while (!done)
        {
            // A page that fails transiently is asked again from the last continuation (a new iterator).
            var (container, retry) = ReadPath(collection);
            var from = continuation;
            var (page, _) = await SendAsync(async () =>
            {
                using var iterator = container.GetItemQueryStreamIterator(query, from, options);
                return await iterator.ReadNextAsync(cancellationToken);
            }, null, cancellationToken, retry);
            using (page)
            {
                ThrowIfFailed(page!, collection, partitionKey, id: null);
                using var json = await JsonDocument.ParseAsync(page!.Content, cancellationToken: cancellationToken);
                foreach (var item in json.RootElement.GetProperty("Documents").EnumerateArray())
                {
                    documents.Add(CosmosDocumentJson.Read(item, partitionKey));
                }

                continuation = page.ContinuationToken;
                done = continuation is null;
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
        if (Interlocked.Increment(ref _increments) % PruneEvery == 0)
        {
            await PruneMarkersAsync(container, collection, partitionKey, id, storedId, cancellationToken);
        }

        // One operation of each request is the marker's.
        foreach (var chunk in paths.Chunk(MaxPatchOperations - 1))
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
        // The marker: a slot of this store instance held by this call alone until it returns, so no
        // other increment can overwrite it before a lost answer has been checked against it.
        var lane = _freeLanes.TryTake(out var free) ? free : Interlocked.Increment(ref _lanes) - 1;
        try
        {
            var key = $"{_writer}-{lane}";
            var marker = string.Create(CultureInfo.InvariantCulture, $"{_timeProvider.GetUtcNow().ToUnixTimeSeconds()}:{Guid.NewGuid():N}");
            var markerOperation = PatchOperation.Set($"/{MarkersProperty}/{key}", marker);
            var increments = PlainIncrements(paths);
            increments.Add(markerOperation);
            Func<Task<bool>> applied = async () =>
                await ReadItemAsync(container, collection, partitionKey, id, cancellationToken) is { } item
                && item.Item.TryGetProperty(MarkersProperty, out var markers) && markers.ValueKind == JsonValueKind.Object
                && markers.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() == marker;
            for (var unexplained = 0; ; )
            {
                var (response, _) = await SendAsync(() => container.PatchItemStreamAsync(storedId, new PartitionKey(partitionKey), increments, PatchOptions(), cancellationToken),
                    applied, cancellationToken);
                if (response is null)
                {
                    return true; // an attempt whose answer was lost had applied: its marker is there
                }

                using (response)
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

                    // 400: a parent (or the markers object) may be missing, or a target is not a number. Read and find out.
                    var current = await ReadItemAsync(container, collection, partitionKey, id, cancellationToken);
                    if (current is null)
                    {
                        return false;
                    }

                    var body = current.Value.Item.TryGetProperty("body", out var b) ? b : default;
                    var repair = RepairOperations(body, paths, collection, partitionKey, id);
                    var markers = MarkersAfterPrune(current.Value.Item, out var markersChanged);
                    if (repair is null && !markersChanged)
                    {
                        // Nothing missing now: another writer created the parent between the patch and the read.
                        // Retry; a 400 that keeps coming has another cause: the CosmosException with the diagnostics.
                        if (++unexplained >= MaxUnexplainedBadRequests)
                        {
                            response.EnsureSuccessStatusCode();
                        }

                        continue;
                    }

                    var operations = repair ?? PlainIncrements(paths);
                    markers[key] = marker;
                    operations.Add(PatchOperation.Set($"/{MarkersProperty}", markers));
                    var options = PatchOptions();
                    options.IfMatchEtag = current.Value.ETag;
                    var (repaired, _) = await SendAsync(() => container.PatchItemStreamAsync(storedId, new PartitionKey(partitionKey), operations, options, cancellationToken),
                        applied, cancellationToken);
                    if (repaired is null)
                    {
                        return true;
                    }

                    using (repaired)
                    {
                        if (repaired.StatusCode == HttpStatusCode.NotFound)
                        {
                            return false;
                        }

                        if (repaired.StatusCode != HttpStatusCode.PreconditionFailed)
                        {
                            ThrowIfFailed(repaired, collection, partitionKey, id);
                            return true;
                        }
                    }

                    // 412: written in between (perhaps the same parent by another increment): plain increments again.
                }
            }
        }
        finally
        {
            _freeLanes.Add(lane);
        }
    }

    private static List<PatchOperation> PlainIncrements(IncrementPath[] paths) =>
        paths.Select(static p => p.IsIntegral ? PatchOperation.Increment(PatchPath(p), (long)p.Value) : PatchOperation.Increment(PatchPath(p), p.Value)).ToList();

    /// <summary>
    /// The item's markers younger than <see cref="MarkerLifetime"/>; <paramref name="changed"/> when
    /// the object is missing or some were dropped (the caller then writes the whole object back).
    /// </summary>
    private Dictionary<string, string> MarkersAfterPrune(JsonElement item, out bool changed)
    {
        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!item.TryGetProperty(MarkersProperty, out var markers) || markers.ValueKind != JsonValueKind.Object)
        {
            changed = true;
            return kept;
        }

        changed = false;
        var oldest = (_timeProvider.GetUtcNow() - MarkerLifetime).ToUnixTimeSeconds();
        foreach (var marker in markers.EnumerateObject())
        {
            var value = marker.Value.ValueKind == JsonValueKind.String ? marker.Value.GetString()! : "";
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at >= oldest)
            {
                kept[marker.Name] = value;
            }
            else
            {
                changed = true;
            }
        }

        return kept;
    }

    /// <summary>
    /// Best effort, every <see cref="PruneEvery"/> increments: removes markers older than
    /// <see cref="MarkerLifetime"/> (left by instances that have gone) with a patch guarded by the
    /// ETag just read; a concurrent write (412) or any failure leaves them for a later prune.
    /// </summary>
    private async Task PruneMarkersAsync(Container container, string collection, string partitionKey, string id, string storedId, CancellationToken cancellationToken)
    {
        try
        {
            if (await ReadItemAsync(container, collection, partitionKey, id, cancellationToken) is not { } current
                || !current.Item.TryGetProperty(MarkersProperty, out _))
            {
                return;
            }

            var markers = MarkersAfterPrune(current.Item, out var changed);
            if (changed)
            {
                var options = PatchOptions();
                options.IfMatchEtag = current.ETag;
                using var _ = await container.PatchItemStreamAsync(storedId, new PartitionKey(partitionKey), [PatchOperation.Set($"/{MarkersProperty}", markers)], options, cancellationToken);
            }
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            // left for the next prune
        }
    }

    /// <summary>
    /// Sends one request, retrying transient failures (<see cref="IsTransient(HttpStatusCode)"/>, transport
    /// failures, the SDK's own timeouts) up to <see cref="CosmosRetryOptions.MaxRetries"/> times with
    /// backoff. <c>Retried</c> tells that an earlier attempt failed in a way that may have applied it
    /// (its answer was lost): the caller then checks before treating 409/412/404 as someone else's.
    /// With <paramref name="appliedAlready"/>, that is asked before each retry; when it answers true the
    /// request is not sent again and the response is null. <paramref name="retry"/> replaces the store's bounds (serving reads).
    /// </summary>
    private async Task<(ResponseMessage? Response, bool Retried)> SendAsync(Func<Task<ResponseMessage>> send, Func<Task<bool>>? appliedAlready, CancellationToken cancellationToken,
        CosmosRetryOptions? retry = null)
    {
        retry ??= _retry;
        var retried = false;
        for (var attempt = 0; ; attempt++)
        {
            if (retried && appliedAlready is not null && await appliedAlready())
            {
                return (null, true);
            }

            ResponseMessage response;
            try
            {
                response = await send();
            }
            catch (Exception ex) when (attempt < retry.MaxRetries && IsTransient(ex, cancellationToken))
            {
                retried = true;
                await DelayAsync(retry, attempt, cancellationToken);
                continue;
            }

            if (attempt < retry.MaxRetries && IsTransient(response.StatusCode))
            {
                response.Dispose();
                retried = true;
                await DelayAsync(retry, attempt, cancellationToken);
                continue;
            }

            return (response, retried);
        }
    }

    private Task DelayAsync(CosmosRetryOptions retry, int attempt, CancellationToken cancellationToken)
    {
        var wait = retry.DelayBefore(attempt, Random.Shared.NextDouble());
        return wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, _timeProvider, cancellationToken);
    }

    /// <summary>
    /// Answers worth another attempt: 408 (the request may or may not have applied), 449 (retry with),
    /// 410 (gone: a transient routing failure) and 503 (not processed). Not 429: the SDK already
    /// retried it within its own bounds.
    /// </summary>
    internal static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.ServiceUnavailable or HttpStatusCode.Gone or (HttpStatusCode)449;

    /// <summary>A transport failure, a transient status thrown by the SDK, or the SDK's own request timeout (not the caller's cancellation).</summary>
    internal static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpRequestException => true,
        CosmosException cosmos => IsTransient(cosmos.StatusCode),
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        IOException => true,
        _ => false,
    };

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

    /// <summary>Where a read goes: the serving client and retries on the serving path (when configured), else the main ones.</summary>
    private (Container Container, CosmosRetryOptions Retry) ReadPath(string collection)
    {
        if (_servingReads is not { } serving || !ServingPath.IsActive)
        {
            return (Container(collection), _retry);
        }

        ArgumentException.ThrowIfNullOrEmpty(collection);
        return (_servingContainers.GetOrAdd(collection, static (name, self) => self._servingReads!.Client.GetContainer(self._databaseName, name), this), serving.Retry);
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
