using Recommender.Domain.Ports;

namespace Recommender.Domain.Ports.Storage;

/// <summary>Typed, optimistic-concurrency helpers over <see cref="IDocumentStore"/>.</summary>
public static class DocumentStoreExtensions
{
    private const int MaxAttempts = 20;

    public static async Task<T?> GetAsync<T>(this IDocumentStore store, string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
        where T : class
    {
        var document = await store.ReadAsync(collection, partitionKey, id, cancellationToken).ConfigureAwait(false);
        return document is null ? null : Json.FromElement<T>(document.Body);
    }

    /// <summary>
    /// <see cref="GetAsync{T}"/> for immutable documents read far more often than written (a customer's
    /// cached list): a store that can (<see cref="ISharedDocuments"/>) returns one shared instance per
    /// stored version instead of parsing the document again. Never mutate the result.
    /// </summary>
    public static ValueTask<T?> GetSharedAsync<T>(this IDocumentStore store, string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
        where T : class =>
        store.ReadSharedAsync(collection, partitionKey, id, Json.FromElement<T>, cancellationToken);

    /// <summary>
    /// <see cref="PutAsync{T}"/> of a document read with <see cref="GetSharedAsync{T}"/>: a store that
    /// shares documents keeps the written version ready for the next reader (as a read would return it).
    /// </summary>
    public static Task<string> PutSharedAsync<T>(this IDocumentStore store, string collection, string partitionKey, string id, T value, CancellationToken cancellationToken = default)
        where T : class =>
        store.UpsertSharedAsync(collection, partitionKey, id, Json.ToElement(value), Json.FromElement<T>, cancellationToken);

    /// <summary>The documents of one partition whose id starts with <paramref name="idPrefix"/> (one single-partition read), in id order.</summary>
    public static async Task<IReadOnlyList<T>> ListAsync<T>(this IDocumentStore store, string collection, string partitionKey, string idPrefix,
        CancellationToken cancellationToken = default)
    {
        var values = new List<T>();
        await foreach (var document in store.ReadPartitionAsync(collection, partitionKey, cancellationToken).ConfigureAwait(false))
        {
            if (document.Id.StartsWith(idPrefix, StringComparison.Ordinal))
            {
                values.Add(Json.FromElement<T>(document.Body));
            }
        }

        return values;
    }

    public static Task<string> PutAsync<T>(this IDocumentStore store, string collection, string partitionKey, string id, T value, CancellationToken cancellationToken = default) =>
        store.UpsertAsync(collection, partitionKey, id, Json.ToElement(value), cancellationToken);

    /// <summary>
    /// Read-modify-write with ETag concurrency: reads the document (null when missing), applies
    /// <paramref name="mutate"/>, and writes only if nobody wrote in between, retrying otherwise, so
    /// concurrent updates all land. <paramref name="mutate"/> returns null to leave the document
    /// unchanged; it may run several times, so it must have no side effects beyond its argument.
    /// </summary>
    public static Task<T?> UpdateAsync<T>(this IDocumentStore store, string collection, string partitionKey, string id,
        Func<T?, T?> mutate, CancellationToken cancellationToken = default)
        where T : class =>
        store.UpdateAsync(collection, partitionKey, id, mutate, DocumentTimeToLive.CollectionDefault, cancellationToken);

    /// <summary>
    /// <see cref="UpdateAsync{T}(IDocumentStore, string, string, string, Func{T, T}, CancellationToken)"/> for a
    /// document with its own time-to-live, written with every update (so it counts from the last one).
    /// </summary>
    public static async Task<T?> UpdateAsync<T>(this IDocumentStore store, string collection, string partitionKey, string id,
        Func<T?, T?> mutate, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default)
        where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.ReadAsync(collection, partitionKey, id, cancellationToken).ConfigureAwait(false);
            var value = current is null ? null : Json.FromElement<T>(current.Body);
            var updated = mutate(value);
            if (updated is null)
            {
                return value;
            }

            try
            {
                var body = Json.ToElement(updated);
                if (current is null)
                {
                    await store.CreateAsync(collection, partitionKey, id, body, timeToLive, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await store.ReplaceAsync(collection, partitionKey, id, body, current.ETag, timeToLive, cancellationToken).ConfigureAwait(false);
                }

                return updated;
            }
            catch (DocumentConflictException) when (attempt < MaxAttempts)
            {
                // Someone else wrote first: back off a little (jittered) and re-apply on fresh state.
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Atomic counters: increments the document's fields, or — the first time — creates it from
    /// <paramref name="initial"/> (which must already hold the increments). A concurrent creator wins
    /// the race and this call increments its document instead.
    /// </summary>
    public static async Task IncrementOrCreateAsync<T>(this IDocumentStore store, string collection, string partitionKey, string id,
        IReadOnlyDictionary<string, double> increments, Func<T> initial, CancellationToken cancellationToken = default)
    {
        if (increments.Count == 0)
        {
            return;
        }

        while (true)
        {
            if (await store.IncrementAsync(collection, partitionKey, id, increments, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            try
            {
                await store.CreateAsync(collection, partitionKey, id, Json.ToElement(initial()), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DocumentConflictException)
            {
                // Created concurrently: increment that one.
            }
        }
    }
}
