using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Adapters.Embedded;

/// <summary>
/// <see cref="IDocumentStore"/> over one SQLite file: table <c>documents(collection, pk, id, etag, body, written_at, ttl_seconds)</c>
/// keyed by (collection, pk, id). Each write stores a fresh random ETag; conditional writes are
/// single <c>UPDATE ... WHERE etag = @etag</c> statements, so they are atomic across threads and processes.
/// Ids are stored as given (any string is accepted); partitions are returned in ordinal id order.
/// Increments run in one write transaction with <c>json_set</c>/<c>json_extract</c> (see <see cref="IncrementAsync"/>).
/// <para>
/// With a document cache (<c>documentCacheEntries</c> &gt; 0) the store keeps what
/// <see cref="ReadSharedAsync"/> deserialized (and what <see cref="UpsertSharedAsync"/> wrote), and drops
/// a document's entry after every write to it.
/// That is exact only while this instance is the one writer of the file, so a caching store holds an
/// exclusive lock on <c>{database}.lock</c> and every other store a shared one: a second store on the
/// same file (in this process or another) fails to open while a caching one is open, and the reverse.
/// </para>
/// </summary>
/// <remarks>
/// Time-to-live as Cosmos DB applies a container's default TTL: a document of a collection with a
/// TTL (<see cref="Collections.TimeToLive"/> unless given) expires that long after its last write
/// (<c>written_at</c>, every write including increments refreshes it). An expired document is gone
/// for every operation at once — reads and partition reads skip it, replace and increment find
/// nothing, create succeeds over it, delete reports nothing deleted — and <see cref="PurgeExpiredAsync"/>
/// (the retention sweep) removes the rows. A document's own <see cref="DocumentTimeToLive"/> (column
/// <c>ttl_seconds</c>: seconds, <c>-1</c> never, <c>NULL</c> the collection's) overrides its collection's
/// as Cosmos DB's item <c>ttl</c> does: only in a collection with a TTL, restated by every create,
/// replace and upsert, kept by increments.
/// </remarks>
public sealed class SqliteDocumentStore : IDocumentStore, IExpiringDocumentStore, ISharedDocuments, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS documents (
            collection TEXT NOT NULL,
            pk TEXT NOT NULL,
            id TEXT NOT NULL,
            etag TEXT NOT NULL,
            body TEXT NOT NULL,
            written_at INTEGER NOT NULL,
            ttl_seconds INTEGER,
            PRIMARY KEY (collection, pk, id)
        ) WITHOUT ROWID;
        """;

    /// <summary>
    /// The document is live (not expired) — <c>$ttlMs</c> is the collection's TTL in milliseconds (NULL:
    /// none, so nothing expires), a row's own <c>ttl_seconds</c> overrides it (negative: never expires).
    /// </summary>
    private const string Live = "($ttlMs IS NULL OR coalesce(documents.ttl_seconds * 1000, $ttlMs) < 0 OR documents.written_at > $now - coalesce(documents.ttl_seconds * 1000, $ttlMs))";

    /// <summary>Paths per <c>json_set</c> call: 1 + 2 arguments each, well under SQLite's default limit of 127 function arguments.</summary>
    private const int PathsPerStatement = 40;

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly IReadOnlyDictionary<string, TimeSpan?> _timeToLive;
    private readonly FileStream _ownership;
    private readonly DocumentCache? _cache;

    /// <summary>
    /// Opens (creating if needed) the database file at <paramref name="databasePath"/>, keeping up to
    /// <paramref name="documentCacheEntries"/> deserialized documents in memory (0: no cache).
    /// </summary>
    /// <param name="timeProvider">The clock of write times and expiry (the system clock when null).</param>
    /// <param name="timeToLive">Time-to-live per collection (<see cref="Collections.TimeToLive"/> when null); collections not in it never expire.</param>
    /// <param name="documentCacheEntries">How many deserialized documents <see cref="ReadSharedAsync"/> may keep (0: no cache).</param>
    /// <exception cref="IOException">Another store has the file open and one of the two caches documents.</exception>
    public SqliteDocumentStore(string databasePath, TimeProvider? timeProvider = null, IReadOnlyDictionary<string, TimeSpan?>? timeToLive = null,
        int documentCacheEntries = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(documentCacheEntries);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _timeToLive = timeToLive ?? Collections.TimeToLive;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        _ownership = OpenOwnership(Path.GetFullPath(databasePath) + ".lock", exclusive: documentCacheEntries > 0);
        try
        {
            _database = new SqliteDatabase(databasePath, Schema, Migrate);
        }
        catch
        {
            _ownership.Dispose();
            throw;
        }

        _cache = documentCacheEntries > 0 ? new DocumentCache(documentCacheEntries) : null;
    }

    /// <summary>How many documents the cache may hold (0: no cache).</summary>
    public int DocumentCacheCapacity => _cache?.Capacity ?? 0;

    /// <summary>How many documents (and known-missing documents) the cache holds now.</summary>
    public int CachedDocumentCount => _cache?.Count ?? 0;

    /// <summary>Releases the lock on the database file (the data stays).</summary>
    public void Dispose() => _ownership.Dispose();

    /// <summary>Always: shared reads may come from the document cache.</summary>
    public bool KeepsSharedDocuments => true;

    /// <inheritdoc />
    /// <remarks>
    /// Without a cache, every call reads and deserializes. A cached document is served until its
    /// expiry instant (last write + its time-to-live, read with it), so it expires from the cache
    /// exactly when it expires from the file.
    /// </remarks>
    public ValueTask<T?> ReadSharedAsync<T>(string collection, string partitionKey, string id, Func<JsonElement, T> deserialize, CancellationToken cancellationToken = default)
        where T : class
    {
        Validate(collection, partitionKey, id);
        ArgumentNullException.ThrowIfNull(deserialize);
        var key = new DocumentKey(collection, partitionKey, id);
        return _cache is not null && _cache.TryGet<T>(key, Now(), out var cached)
            ? ValueTask.FromResult(cached)
            : ReadAndCacheAsync(key, deserialize, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<string> UpsertSharedAsync<T>(string collection, string partitionKey, string id, JsonElement body, Func<JsonElement, T> deserialize,
        CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(deserialize);
        var key = new DocumentKey(collection, partitionKey, id);
        var token = _cache?.BeginRead(key) ?? 0;
        // Taken before the write stamps its own (later or equal) time: the cached copy never outlives the row.
        var expiresAt = ExpiresAt(collection, Now(), itemTtlSeconds: null);
        var etag = await UpsertAsync(collection, partitionKey, id, body, cancellationToken: cancellationToken);
        // The upsert invalidated the key once; any other invalidation of its stripe since the token
        // (another write, perhaps committed after this one) leaves the entry to the next read.
        _cache?.TryAdd(key, deserialize(body), expiresAt, token + 1);
        return etag;
    }

    private async ValueTask<T?> ReadAndCacheAsync<T>(DocumentKey key, Func<JsonElement, T> deserialize, CancellationToken cancellationToken)
        where T : class
    {
        var token = _cache?.BeginRead(key) ?? 0;
        if (await ReadLiveAsync(key.Collection, key.PartitionKey, key.Id, cancellationToken) is not var (document, expiresAt))
        {
            // Missing stays missing until a write, which invalidates the entry.
            _cache?.TryAdd(key, null, long.MaxValue, token);
            return null;
        }

        var value = deserialize(document.Body);
        _cache?.TryAdd(key, value, expiresAt, token);
        return value;
    }

    /// <summary>The live document (validated address) and when it expires (Unix ms, see <see cref="ExpiresAt"/>); null when missing or expired.</summary>
    private async Task<(StoredDocument Document, long ExpiresAt)?> ReadLiveAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT etag, body, written_at, ttl_seconds FROM documents WHERE collection = $c AND pk = $pk AND id = $id AND {Live};", collection, partitionKey, id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var document = new StoredDocument(id, partitionKey, ParseBody(reader.GetFieldValue<byte[]>(1)), reader.GetString(0));
        return (document, ExpiresAt(collection, reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
    }

    /// <summary>When a document written at <paramref name="writtenAt"/> (Unix ms) expires, as <see cref="Live"/> decides (<see cref="long.MaxValue"/>: never).</summary>
    private long ExpiresAt(string collection, long writtenAt, long? itemTtlSeconds)
    {
        if (_timeToLive.GetValueOrDefault(collection) is not { } collectionTtl)
        {
            return long.MaxValue;
        }

        var ttlMs = itemTtlSeconds is { } seconds ? seconds * 1000 : (long)collectionTtl.TotalMilliseconds;
        return ttlMs < 0 ? long.MaxValue : writtenAt + ttlMs;
    }

    /// <summary>
    /// Upgrades a file an older version wrote: before expiry existed its documents count as written
    /// now; before per-document TTLs, they all live as long as their collection's.
    /// </summary>
    private void Migrate(SqliteConnection connection)
    {
        if (!HasColumn(connection, "written_at"))
        {
            using var alter = connection.CreateCommand();
            alter.CommandText = "ALTER TABLE documents ADD COLUMN written_at INTEGER NOT NULL DEFAULT 0; UPDATE documents SET written_at = $now;";
            alter.Parameters.AddWithValue("$now", Now());
            alter.ExecuteNonQuery();
        }

        if (!HasColumn(connection, "ttl_seconds"))
        {
            using var alter = connection.CreateCommand();
            alter.CommandText = "ALTER TABLE documents ADD COLUMN ttl_seconds INTEGER;";
            alter.ExecuteNonQuery();
        }
    }

    private static bool HasColumn(SqliteConnection connection, string column)
    {
        using var check = connection.CreateCommand();
        check.CommandText = "SELECT count(*) FROM pragma_table_info('documents') WHERE name = $name;";
        check.Parameters.AddWithValue("$name", column);
        return Convert.ToInt64(check.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    /// <inheritdoc />
    public async Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        Validate(collection, partitionKey, id);
        return (await ReadLiveAsync(collection, partitionKey, id, cancellationToken))?.Document;
    }

    /// <inheritdoc />
    public async Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive = default,
        CancellationToken cancellationToken = default)
    {
        Validate(collection, partitionKey, id);
        var json = SerializeBody(body);
        var etag = NewETag();
        await using var connection = await _database.OpenAsync(cancellationToken);
        // An expired document is gone: creating over it succeeds (it is overwritten), a live one conflicts.
        await using var command = Command(
            connection,
            $"""
            INSERT INTO documents (collection, pk, id, etag, body, written_at, ttl_seconds) VALUES ($c, $pk, $id, $etag, $body, $now, $itemTtl)
            ON CONFLICT (collection, pk, id) DO UPDATE SET etag = excluded.etag, body = excluded.body, written_at = excluded.written_at, ttl_seconds = excluded.ttl_seconds
            WHERE NOT {Live};
            """,
            collection,
            partitionKey,
            id);
        command.Parameters.AddWithValue("$etag", etag);
        command.Parameters.AddWithValue("$body", json);
        command.Parameters.AddWithValue("$itemTtl", (object?)timeToLive.Seconds ?? DBNull.Value);
        int created;
        try
        {
            created = await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            Written(collection, partitionKey, id);
        }

        if (created == 0)
        {
            throw new DocumentConflictException($"Document '{id}' already exists in {collection}/{partitionKey}.");
        }

        return etag;
    }

    /// <inheritdoc />
    public async Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive = default,
        CancellationToken cancellationToken = default)
    {
        Validate(collection, partitionKey, id);
        ArgumentNullException.ThrowIfNull(ifMatchETag);
        var json = SerializeBody(body);
        var etag = NewETag();
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = Command(connection, $"UPDATE documents SET etag = $etag, body = $body, written_at = $now, ttl_seconds = $itemTtl WHERE collection = $c AND pk = $pk AND id = $id AND etag = $ifMatch AND {Live};", collection, partitionKey, id);
        command.Parameters.AddWithValue("$etag", etag);
        command.Parameters.AddWithValue("$body", json);
        command.Parameters.AddWithValue("$itemTtl", (object?)timeToLive.Seconds ?? DBNull.Value);
        command.Parameters.AddWithValue("$ifMatch", ifMatchETag);
        int updated;
        try
        {
            updated = await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            Written(collection, partitionKey, id);
        }

        if (updated == 0)
        {
            throw new DocumentConflictException($"Document '{id}' in {collection}/{partitionKey} changed or does not exist.");
        }

        return etag;
    }

    /// <inheritdoc />
    public async Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive = default,
        CancellationToken cancellationToken = default)
    {
        Validate(collection, partitionKey, id);
        var json = SerializeBody(body);
        var etag = NewETag();
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = Command(
            connection,
            """
            INSERT INTO documents (collection, pk, id, etag, body, written_at, ttl_seconds) VALUES ($c, $pk, $id, $etag, $body, $now, $itemTtl)
            ON CONFLICT (collection, pk, id) DO UPDATE SET etag = excluded.etag, body = excluded.body, written_at = excluded.written_at, ttl_seconds = excluded.ttl_seconds;
            """,
            collection,
            partitionKey,
            id);
        command.Parameters.AddWithValue("$etag", etag);
        command.Parameters.AddWithValue("$body", json);
        command.Parameters.AddWithValue("$itemTtl", (object?)timeToLive.Seconds ?? DBNull.Value);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            Written(collection, partitionKey, id);
        }

        return etag;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        Validate(collection, partitionKey, id);
        await using var connection = await _database.OpenAsync(cancellationToken);
        // An expired document was already gone: its row goes, but nothing counts as deleted.
        await using var command = Command(connection, $"DELETE FROM documents WHERE collection = $c AND pk = $pk AND id = $id RETURNING {Live};", collection, partitionKey, id);
        try
        {
            return await command.ExecuteScalarAsync(cancellationToken) is long live && live != 0;
        }
        finally
        {
            Written(collection, partitionKey, id);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Reads the whole partition before yielding, so no connection (and no read snapshot) stays
    /// open while the caller works; partitions in this design are small (one customer, one request).
    /// </remarks>
    public async IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentNullException.ThrowIfNull(partitionKey);
        var documents = new List<StoredDocument>();
        await using (var connection = await _database.OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT id, etag, body FROM documents WHERE collection = $c AND pk = $pk AND {Live};";
            command.Parameters.AddWithValue("$c", collection);
            command.Parameters.AddWithValue("$pk", partitionKey);
            BindExpiry(command, collection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                documents.Add(new StoredDocument(reader.GetString(0), partitionKey, ParseBody(reader.GetFieldValue<byte[]>(2)), reader.GetString(1)));
            }
        }

        // Ordinal (UTF-16) order, the same order every IDocumentStore adapter returns.
        documents.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        foreach (var document in documents)
        {
            yield return document;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One write transaction (<c>BEGIN IMMEDIATE</c>, so the write lock is held from the read on and
    /// concurrent increments queue on <c>busy_timeout</c>): reads the body to check that every parent
    /// is an object (or missing) and every value a number (or missing or null), then applies
    /// <c>json_set(body, path, coalesce(json_extract(body, path), 0) + value, ...)</c> (40 paths per
    /// statement) with a new ETag, and commits. <c>json_set</c> creates a missing parent object; SQL
    /// integer arithmetic keeps integers integral (an integral increment is bound as an integer).
    /// </remarks>
    public async Task<bool> IncrementAsync(string collection, string partitionKey, string id, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default)
    {
        Validate(collection, partitionKey, id);
        var paths = IncrementPath.Parse(increments);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        string body;
        await using (var read = Command(connection, $"SELECT body FROM documents WHERE collection = $c AND pk = $pk AND id = $id AND {Live};", collection, partitionKey, id))
        {
            read.Transaction = transaction;
            if (await read.ExecuteScalarAsync(cancellationToken) is not string text)
            {
                return false; // disposing the transaction rolls it back
            }

            body = text;
        }

        CheckIncrementTargets(body, paths, collection, partitionKey, id);
        var etag = NewETag();
        foreach (var chunk in paths.Chunk(PathsPerStatement))
        {
            var setters = new StringBuilder("json_set(body");
            await using var update = Command(connection, "", collection, partitionKey, id);
            update.Transaction = transaction;
            for (var i = 0; i < chunk.Length; i++)
            {
                setters.Append(CultureInfo.InvariantCulture, $", $p{i}, coalesce(json_extract(body, $p{i}), 0) + $v{i}");
                update.Parameters.AddWithValue($"$p{i}", JsonPath(chunk[i]));
                update.Parameters.AddWithValue($"$v{i}", chunk[i].IsIntegral ? (object)(long)chunk[i].Value : chunk[i].Value); // an integer stays an integer
            }

            update.CommandText = $"UPDATE documents SET etag = $etag, written_at = $now, body = {setters}) WHERE collection = $c AND pk = $pk AND id = $id;";
            update.Parameters.AddWithValue("$etag", etag);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            Written(collection, partitionKey, id);
        }

        return true;
    }

    /// <summary><c>json_set</c> would silently skip a path under a non-object and add to a string's numeric prefix: refuse both first.</summary>
    private static void CheckIncrementTargets(string body, List<IncrementPath> paths, string collection, string partitionKey, string id)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        foreach (var path in paths)
        {
            var parent = root;
            string? problem = null;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "the body is not an object";
            }
            else if (path.Parent is not null && root.TryGetProperty(path.Parent, out parent) && parent.ValueKind != JsonValueKind.Object)
            {
                problem = $"'{path.Parent}' is not an object";
            }
            else if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(path.Name, out var value) && value.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
            {
                problem = "the value is not a number";
            }

            if (problem is not null)
            {
                throw new InvalidOperationException($"Cannot increment '{path}' of document '{id}' in {collection}/{partitionKey}: {problem}.");
            }
        }
    }

    /// <summary>A SQLite JSON path with quoted labels (names never contain '"'): <c>$."coViewed"."SKU.1"</c>.</summary>
    private static string JsonPath(IncrementPath path) =>
        path.Parent is null ? $"$.\"{path.Name}\"" : $"$.\"{path.Parent}\".\"{path.Name}\"";

    /// <summary>After every write (committed or not: dropping an entry is always safe).</summary>
    private void Written(string collection, string partitionKey, string id) => _cache?.Invalidate(new DocumentKey(collection, partitionKey, id));

    private static FileStream OpenOwnership(string lockPath, bool exclusive)
    {
        try
        {
            // .NET locks the file for the stream's lifetime (flock): exclusive for FileShare.None, shared otherwise.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, exclusive ? FileShare.None : FileShare.ReadWrite);
        }
        catch (IOException ex)
        {
            throw new DataFolderInUseException(
                $"'{lockPath}' is locked: another document store has this database open and one of the two keeps a document cache, "
                + "which is only coherent for the file's one writer. Close the other store, or turn the cache off in both (Recommender:Embedded:DocumentCacheEntries = 0).", ex);
        }
    }

    /// <inheritdoc />
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken = default)
    {
        var purged = 0;
        await using var connection = await _database.OpenAsync(cancellationToken);
        foreach (var (collection, ttl) in _timeToLive)
        {
            if (ttl is null)
            {
                continue;
            }

            await using var command = connection.CreateCommand();
            command.CommandText = $"DELETE FROM documents WHERE collection = $c AND NOT {Live};";
            command.Parameters.AddWithValue("$c", collection);
            BindExpiry(command, collection);
            purged += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return purged;
    }

    /// <summary>Binds the collection, partition and id, the write time (<c>$now</c>) and the collection's TTL (<c>$ttlMs</c>), for statements to use as they need.</summary>
    private SqliteCommand Command(SqliteConnection connection, string sql, string collection, string partitionKey, string id)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$c", collection);
        command.Parameters.AddWithValue("$pk", partitionKey);
        command.Parameters.AddWithValue("$id", id);
        BindExpiry(command, collection);
        return command;
    }

    /// <summary>Binds what <see cref="Live"/> needs: <c>$now</c> and the collection's TTL <c>$ttlMs</c>.</summary>
    private void BindExpiry(SqliteCommand command, string collection)
    {
        command.Parameters.AddWithValue("$now", Now());
        command.Parameters.AddWithValue("$ttlMs", _timeToLive.GetValueOrDefault(collection) is { } ttl ? (object)(long)ttl.TotalMilliseconds : DBNull.Value);
    }

    /// <summary>Write times are Unix milliseconds of the injected clock.</summary>
    private long Now() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private static void Validate(string collection, string partitionKey, string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentException.ThrowIfNullOrEmpty(id);
    }

    private static string SerializeBody(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The document body is an undefined JsonElement.", nameof(body));
        }

        return body.GetRawText();
    }

    /// <summary>The stored UTF-8 text (SQLite hands TEXT out as its bytes) as an element that owns its memory.</summary>
    private static JsonElement ParseBody(byte[] utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        return JsonElement.ParseValue(ref reader);
    }

    private static string NewETag() => $"\"{Guid.NewGuid():N}\"";
}
