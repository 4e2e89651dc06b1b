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
public interface IDocumentStore
{
    /// <summary>Reads one document; <c>null</c> when it does not exist.</summary>
    Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default);

    /// <summary>Creates a document; throws <see cref="DocumentConflictException"/> when it already exists.</summary>
    Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a document only if its current version is <paramref name="ifMatchETag"/>; throws
    /// <see cref="DocumentConflictException"/> when it changed or disappeared.
    /// </summary>
    Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, CancellationToken cancellationToken = default);

    /// <summary>Creates or overwrites a document unconditionally; returns its new version.</summary>
    Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, CancellationToken cancellationToken = default);

    /// <summary>Deletes a document; <c>false</c> when there was none.</summary>
    Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default);

    /// <summary>Every document of one partition, in id order.</summary>
    IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, CancellationToken cancellationToken = default);
}

/// <summary>The document changed (or appeared, or vanished) since it was read.</summary>
public sealed class DocumentConflictException : Exception
{
    public DocumentConflictException() { }
    public DocumentConflictException(string message) : base(message) { }
    public DocumentConflictException(string message, Exception inner) : base(message, inner) { }
}
