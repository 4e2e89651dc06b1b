using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Profiles;

/// <summary>Typed access to profiles, item counters and the customer directory.</summary>
public sealed class ProfileStore(IDocumentStore documents)
{
    /// <summary>The customer directory is spread over this many partitions for fan-out.</summary>
    public const int DirectoryShards = 32;

    public Task<CustomerProfile?> GetAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<CustomerProfile>(Collections.Profiles, customerId, customerId, cancellationToken);

    public Task<CustomerProfile?> UpdateAsync(string customerId, Func<CustomerProfile?, CustomerProfile?> mutate, CancellationToken cancellationToken = default) =>
        documents.UpdateAsync(Collections.Profiles, customerId, customerId, mutate, cancellationToken);

    public Task<bool> DeleteAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.DeleteAsync(Collections.Profiles, customerId, customerId, cancellationToken);

    public Task<ItemStats?> UpdateItemAsync(string productId, Func<ItemStats?, ItemStats?> mutate, CancellationToken cancellationToken = default) =>
        documents.UpdateAsync(Collections.Items, productId, productId, mutate, cancellationToken);

    /// <summary>
    /// Adds a product's counter deltas by atomic increment (counters and pair maps); the first time a
    /// product is seen the delta becomes the document.
    /// </summary>
    public async Task IncrementItemAsync(ItemStats delta, CancellationToken cancellationToken = default)
    {
        var increments = new Dictionary<string, double>(StringComparer.Ordinal);
        AddIfNotZero(increments, "views", delta.Views);
        AddIfNotZero(increments, "addToCarts", delta.AddToCarts);
        AddIfNotZero(increments, "purchases", delta.Purchases);
        AddIfNotZero(increments, "wishlists", delta.Wishlists);
        foreach (var (other, weight) in delta.CoViewed)
        {
            increments["coViewed." + other] = weight;
        }

        foreach (var (other, weight) in delta.BoughtTogether)
        {
            increments["boughtTogether." + other] = weight;
        }

        // First sight of the product: the delta is the document (both pair maps exist, so later increments find their parent).
        await documents.IncrementOrCreateAsync(Collections.Items, delta.ProductId, delta.ProductId, increments, () => delta, cancellationToken).ConfigureAwait(false);

        static void AddIfNotZero(Dictionary<string, double> into, string path, long value)
        {
            if (value != 0)
            {
                into[path] = value;
            }
        }
    }

    /// <summary>Keeps each pair map to its strongest <see cref="ItemStats.MaxNeighbors"/> (increments only add; compaction trims).</summary>
    public Task<ItemStats?> CompactItemAsync(string productId, CancellationToken cancellationToken = default) =>
        UpdateItemAsync(productId, current =>
        {
            if (current is null || (current.CoViewed.Count <= ItemStats.MaxNeighbors && current.BoughtTogether.Count <= ItemStats.MaxNeighbors))
            {
                return null;
            }

            current.Add(new ItemStats { ProductId = productId });
            return current;
        }, cancellationToken);

    public Task<ItemStats?> GetItemAsync(string productId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<ItemStats>(Collections.Items, productId, productId, cancellationToken);

    public Task<PopularityBoard?> UpdatePopularityAsync(Func<PopularityBoard?, PopularityBoard?> mutate, CancellationToken cancellationToken = default) =>
        documents.UpdateAsync(Collections.Items, PopularityBoard.PartitionKey, PopularityBoard.Id, mutate, cancellationToken);

    public Task<PopularityBoard?> GetPopularityAsync(CancellationToken cancellationToken = default) =>
        documents.GetAsync<PopularityBoard>(Collections.Items, PopularityBoard.PartitionKey, PopularityBoard.Id, cancellationToken);

    /// <summary>Shard of the customer directory a customer belongs to (stable across processes).</summary>
    public static string ShardOf(string customerId)
    {
        return $"shard-{StableHash.Fnv1a(customerId) % DirectoryShards:D2}";
    }

    public static IEnumerable<string> AllShards => Enumerable.Range(0, DirectoryShards).Select(i => $"shard-{i:D2}");

    public Task RegisterCustomerAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.PutAsync(Collections.Customers, ShardOf(customerId), customerId, new DirectoryEntry(customerId), cancellationToken);

    public Task<bool> UnregisterCustomerAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.DeleteAsync(Collections.Customers, ShardOf(customerId), customerId, cancellationToken);

    public async IAsyncEnumerable<string> CustomersInShardAsync(string shard, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var doc in documents.ReadPartitionAsync(Collections.Customers, shard, cancellationToken).ConfigureAwait(false))
        {
            yield return doc.Id;
        }
    }

    private sealed record DirectoryEntry(string CustomerId);
}
