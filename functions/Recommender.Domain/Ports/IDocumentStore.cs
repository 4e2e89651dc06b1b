using System.Text.Json;

namespace Recommender.Domain.Ports;

/// <summary>
/// A document and the version token it was read at. <see cref="ETag"/> is opaque; pass it back to
/// <see cref="IDocumentStore.ReplaceAsync"/> to write only if nobody changed the document since.
/// </summary>
public sealed record StoredDocument(string Id, string PartitionKey, JsonElement Body, string ETag);

/// <summary>
/// Versioned JSON documents grouped in collections and partitions. Only the operations every
/// adapter can serve cheaply: point reads and writes with optimistic concurrency, deletes, and
/// reads of one whole partition (a single-partition query in Cosmos DB).
/// </summary>
/// <remarks>
/// Every store also offers shared reads (<see cref="ISharedDocuments"/>) and the purge of expired
/// documents (<see cref="IExpiringDocumentStore"/>): the defaults here are what a store that cannot do
/// better does — a shared read is a read and a parse, a shared write an upsert, a purge removes
/// nothing. Each adapter implements them as it can (the embedded store keeps shared documents and
/// purges; the Cosmos DB store says why it does neither); the defaults serve wrappers and test doubles.
/// Callers never ask which store they have.
/// </remarks>
public interface IDocumentStore : ISharedDocuments, IExpiringDocumentStore
{
    /// <summary>Reads one document; <c>null</c> when it does not exist.</summary>
    Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default);

    /// <summary>Creates a document; throws <see cref="DocumentConflictException"/> when it already exists.</summary>
    /// <param name="timeToLive">The document's own time-to-live, overriding the collection's (Cosmos DB item <c>ttl</c>).</param>
    Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a document only if its current version is <paramref name="ifMatchETag"/>; throws
    /// <see cref="DocumentConflictException"/> when it changed or disappeared.
    /// </summary>
    /// <param name="timeToLive">The document's own time-to-live from now on (as every write, a replace restates it).</param>
    Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default);

    /// <summary>Creates or overwrites a document unconditionally; returns its new version.</summary>
    /// <param name="timeToLive">The document's own time-to-live from now on.</param>
    Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default);

    /// <summary>Creates a document living as long as its collection's documents do.</summary>
    Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, CancellationToken cancellationToken = default) =>
        CreateAsync(collection, partitionKey, id, body, DocumentTimeToLive.CollectionDefault, cancellationToken);

    /// <summary>Replaces a document; it lives as long as its collection's documents do.</summary>
    Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, CancellationToken cancellationToken = default) =>
        ReplaceAsync(collection, partitionKey, id, body, ifMatchETag, DocumentTimeToLive.CollectionDefault, cancellationToken);

    /// <summary>Creates or overwrites a document; it lives as long as its collection's documents do.</summary>
    Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, CancellationToken cancellationToken = default) =>
        UpsertAsync(collection, partitionKey, id, body, DocumentTimeToLive.CollectionDefault, cancellationToken);

    /// <summary>Deletes a document; <c>false</c> when there was none.</summary>
    Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default);

    /// <summary>Every document of one partition, in id order.</summary>
    IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds each value of <paramref name="increments"/> to the number at its path in the document's
    /// body, on the server (no read-modify-write, no ETag needed: concurrent increments all land),
    /// and gives the document a new version (a write: its time-to-live, override included, counts from now).
    /// <c>false</c> when the document does not exist (nothing
    /// is written; create it, and on <see cref="DocumentConflictException"/> increment again).
    /// </summary>
    /// <remarks>
    /// A path is <c>name</c> (a property of the body) or <c>parent.name</c> (a property of the object
    /// <c>parent</c> of the body). The path splits at its FIRST '.', so the inner name may itself
    /// contain '.' (map keys such as product ids: <c>coViewed.SKU.1</c> is key <c>SKU.1</c> of
    /// <c>coViewed</c>); deeper nesting is not supported. Names are 1-128 ASCII letters, digits and
    /// <c>_ - . : @</c> (the top-level name without '.'); anything else throws
    /// <see cref="ArgumentException"/>, as do an empty dictionary and values that are not finite.
    /// A missing (or <c>null</c>) property counts as 0; a missing parent is created as an object.
    /// A value that is not a number, or a parent that is not an object, throws
    /// <see cref="InvalidOperationException"/>. Integral values keep integral numbers integral.
    /// Adapters may split a large dictionary into several atomic requests (Cosmos DB: 10 paths per
    /// request); the call as a whole is then not atomic, though every request is, and none is lost.
    /// </remarks>
    Task<bool> IncrementAsync(string collection, string partitionKey, string id, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default);

    /// <summary>Without a cache of its own (the default): shared reads are reads and parses.</summary>
    bool ISharedDocuments.KeepsSharedDocuments => false;

    /// <summary>Without a cache of its own: a read and a parse, a new instance every time.</summary>
    async ValueTask<T?> ISharedDocuments.ReadSharedAsync<T>(string collection, string partitionKey, string id, Func<JsonElement, T> deserialize,
        CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(deserialize);
        var document = await ReadAsync(collection, partitionKey, id, cancellationToken).ConfigureAwait(false);
        return document is null ? null : deserialize(document.Body);
    }

    /// <summary>Without a cache of its own: an upsert.</summary>
    Task<string> ISharedDocuments.UpsertSharedAsync<T>(string collection, string partitionKey, string id, JsonElement body, Func<JsonElement, T> deserialize,
        CancellationToken cancellationToken) =>
        UpsertAsync(collection, partitionKey, id, body, cancellationToken);

    /// <summary>A store whose documents expire on their own (Cosmos DB) has nothing to purge.</summary>
    Task<int> IExpiringDocumentStore.PurgeExpiredAsync(CancellationToken cancellationToken) => Task.FromResult(0);
}

/// <summary>The document changed (or appeared, or vanished) since it was read.</summary>
public sealed class DocumentConflictException : Exception
{
    public DocumentConflictException() { }
    public DocumentConflictException(string message) : base(message) { }
    public DocumentConflictException(string message, Exception inner) : base(message, inner) { }
}
