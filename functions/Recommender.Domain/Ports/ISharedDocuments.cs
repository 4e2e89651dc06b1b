using System.Text.Json;

namespace Recommender.Domain.Ports;

/// <summary>
/// Shared reads, a part of every <see cref="IDocumentStore"/>. A store that sees every write to its
/// documents (the embedded store, which owns its database file) keeps documents deserialized and hands
/// the same instance to every reader until the document is written again or deleted, so a hot read is
/// a lookup instead of a read and a parse. Stores shared between processes (Cosmos DB) cannot know when
/// another instance writes: theirs is <see cref="IDocumentStore"/>'s default, a read and a parse.
/// Shared values must never be mutated.
/// </summary>
public interface ISharedDocuments
{
    /// <summary>
    /// Whether <see cref="ReadSharedAsync"/> may hand out a kept instance (and then make no store call):
    /// false where a shared read is a read and a parse. For wrappers that count or pass calls on.
    /// </summary>
    bool KeepsSharedDocuments { get; }

    /// <summary>
    /// The document deserialized by <paramref name="deserialize"/> (<c>null</c> when it does not
    /// exist), possibly the instance an earlier reader got for the same stored version.
    /// </summary>
    ValueTask<T?> ReadSharedAsync<T>(string collection, string partitionKey, string id, Func<JsonElement, T> deserialize, CancellationToken cancellationToken = default)
        where T : class;

    /// <summary>
    /// <see cref="IDocumentStore.UpsertAsync"/>, after which shared reads get <paramref name="deserialize"/>
    /// of <paramref name="body"/> without reading the document back (unless another write overtook this one).
    /// </summary>
    Task<string> UpsertSharedAsync<T>(string collection, string partitionKey, string id, JsonElement body, Func<JsonElement, T> deserialize, CancellationToken cancellationToken = default)
        where T : class;
}
