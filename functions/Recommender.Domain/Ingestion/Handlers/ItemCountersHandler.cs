using Recommender.Domain.Events;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// Item counters and pairs: views, carts, wishlists and purchases per product, bought-together and
/// co-viewed pairs — one atomic increment per product touched (no read, no ETag race between concurrent batches).
/// </summary>
public sealed class ItemCountersHandler(ProfileStore profiles) : IBatchChangesHandler
{
    public async Task HandleAsync(BatchChanges batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Counted.Count == 0)
        {
            return;
        }

        var deltas = new Dictionary<string, ItemStats>(StringComparer.Ordinal);
        ItemStats For(string id) => deltas.TryGetValue(id, out var s) ? s : deltas[id] = new ItemStats { ProductId = id };
        foreach (var change in batch.CountedBySubject)
        {
            foreach (var e in change.Applied)
            {
                Action<ItemStats>? count = e.Type switch
                {
                    EventType.View => s => s.Views++,
                    EventType.AddToCart => s => s.AddToCarts++,
                    EventType.WishlistAdd => s => s.Wishlists++,
                    EventType.Purchase => s => s.Purchases++,
                    _ => null,
                };
                if (count is null || batch.WeightOf(e) == 0)
                {
                    continue;
                }

                foreach (var productId in e.AllProductIds)
                {
                    count(For(productId));
                }

                if (e.Type == EventType.Purchase)
                {
                    foreach (var (a, b) in PurchasePairs(e))
                    {
                        AddPair(For(a).BoughtTogether, For(b).BoughtTogether, a, b, e.OccurredAt);
                    }
                }
            }

            foreach (var (a, b, at) in change.CoViewed.Where(p => change.Applied.Any(e => e.Type == EventType.View && e.OccurredAt == p.At && e.ProductId == p.A)))
            {
                AddPair(For(a).CoViewed, For(b).CoViewed, a, b, at);
            }
        }

        await Parallel.ForEachAsync(deltas.Values, new ParallelOptions { MaxDegreeOfParallelism = IngestionService.MaxParallelCustomers, CancellationToken = cancellationToken },
            async (delta, ct) => await profiles.IncrementItemAsync(delta, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>A pair counts both ways, weighted forward-decayed by when it happened.</summary>
    private static void AddPair(Dictionary<string, double> ofA, Dictionary<string, double> ofB, string a, string b, DateTimeOffset at)
    {
        var weight = ItemStats.PairDecay.Scale(1, at);
        ofA[b] = ofA.GetValueOrDefault(b) + weight;
        ofB[a] = ofB.GetValueOrDefault(a) + weight;
    }

    private static IEnumerable<(string A, string B)> PurchasePairs(ClickstreamEvent e)
    {
        var ids = e.Lines!.Select(l => l.ProductId).Distinct(StringComparer.Ordinal).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            for (var j = i + 1; j < ids.Count; j++)
            {
                yield return (ids[i], ids[j]);
            }
        }
    }
}
