using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Recommendations;

/// <summary>
/// Ranks products for a customer from the item-item model: every product the customer viewed,
/// has in the cart or bought is a seed; candidates score the seed-weighted sum of their
/// similarities; each item is explained by the seed that contributed most. Pure and in-memory.
/// </summary>
public static class RecommendationEngine
{
    /// <summary>How many items a cached list keeps (requests take a prefix after filtering).</summary>
    public const int CachedListSize = 50;
    private const double RecencyDecay = 0.85;
    private const int MaxPurchasedSeeds = 10;

    private sealed record Seed(string ProductId, double Weight, string Kind);

    public static IReadOnlyList<RecommendedItem> ForCustomer(CustomerProfile profile, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> catalog, int size = CachedListSize)
    {
        var seeds = new List<Seed>();
        seeds.AddRange(profile.RecentViews.Select((v, i) => new Seed(v.ProductId, Math.Pow(RecencyDecay, i), "viewed")));
        seeds.AddRange(profile.Cart.Keys.Select(id => new Seed(id, 2.0, "in_cart")));
        seeds.AddRange(profile.Purchased.OrderByDescending(p => p.Value).Take(MaxPurchasedSeeds).Select(p => new Seed(p.Key, 1.5, "purchased")));
        var exclude = ExclusionsFor(profile);
        exclude.UnionWith(profile.RecentViews.Select(v => v.ProductId));
        // Sensitive products (health, religion, ...) never seed a list nor appear in an explanation.
        seeds.RemoveAll(seed => catalog.TryGetValue(seed.ProductId, out var p) && p.Sensitive);
        return Rank(seeds, model, catalog, exclude, size);
    }

    /// <summary>Products related to <paramref name="seedIds"/> (product page, cart cross-sell).</summary>
    public static IReadOnlyList<RecommendedItem> RelatedTo(IReadOnlyList<string> seedIds, string kind, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> catalog, ISet<string> exclude, int size)
    {
        var excluded = new HashSet<string>(exclude, StringComparer.Ordinal);
        excluded.UnionWith(seedIds);
        // A product page's own context is explicit, not inferred; a cart's sensitive items still never seed.
        var seeds = seedIds.Where(id => kind == "similar" || !(catalog.TryGetValue(id, out var p) && p.Sensitive)).Select(id => new Seed(id, 1.0, kind)).ToList();
        return Rank(seeds, model, catalog, excluded, size);
    }

    /// <summary>What a customer must never be shown: products in the cart and products bought.</summary>
    public static HashSet<string> ExclusionsFor(CustomerProfile? profile)
    {
        var exclude = new HashSet<string>(StringComparer.Ordinal);
        if (profile is not null)
        {
            exclude.UnionWith(profile.Cart.Keys);
            exclude.UnionWith(profile.Purchased.Keys);
        }

        return exclude;
    }

    /// <summary>The most popular products not excluded.</summary>
    public static IEnumerable<RecommendedItem> Popular(IReadOnlyList<ScoredItem> popular, IReadOnlyDictionary<string, Product> catalog, ISet<string> exclude) =>
        popular.Where(p => !exclude.Contains(p.ProductId) && IsOffered(p.ProductId, catalog))
            .Select(p => new RecommendedItem(p.ProductId, p.Score, "Popular with other customers", "popular"));

    /// <summary>Products the catalog knows and has in stock (everything passes while no catalog is loaded).</summary>
    public static bool IsOffered(string productId, IReadOnlyDictionary<string, Product> catalog) =>
        catalog.Count == 0 || (catalog.TryGetValue(productId, out var product) && product.InStock);

    private static List<RecommendedItem> Rank(List<Seed> seeds, ItemSimilarityModel model, IReadOnlyDictionary<string, Product> catalog,
        HashSet<string> exclude, int size)
    {
        var scores = new Dictionary<string, (double Total, Seed Best, double BestContribution)>(StringComparer.Ordinal);
        foreach (var seed in seeds)
        {
            foreach (var neighbor in model.NeighborsOf(seed.ProductId))
            {
                if (exclude.Contains(neighbor.ProductId) || !IsOffered(neighbor.ProductId, catalog))
                {
                    continue;
                }

                var contribution = seed.Weight * neighbor.Score;
                scores[neighbor.ProductId] = scores.TryGetValue(neighbor.ProductId, out var s)
                    ? (s.Total + contribution, contribution > s.BestContribution ? seed : s.Best, Math.Max(contribution, s.BestContribution))
                    : (contribution, seed, contribution);
            }
        }

        // Ranked as served: by the score rounded as stored (sums of the same contributions in another
        // order differ in the last bits), ties by product id — so a cached list needs no sort to serve.
        var ranked = scores
            .OrderByDescending(kv => Math.Round(kv.Value.Total, 6))
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(size)
            .Select(kv => Explain(kv.Key, kv.Value.Total, kv.Value.Best, catalog))
            .ToList();
        if (ranked.Count < size)
        {
            var taken = new HashSet<string>(ranked.Select(r => r.ProductId), StringComparer.Ordinal);
            taken.UnionWith(exclude);
            ranked.AddRange(Popular(model.Popular, catalog, taken).Take(size - ranked.Count));
        }

        return ranked;
    }

    private static RecommendedItem Explain(string productId, double score, Seed seed, IReadOnlyDictionary<string, Product> catalog)
    {
        var name = catalog.TryGetValue(seed.ProductId, out var product) ? product.Name : seed.ProductId;
        var reason = seed.Kind switch
        {
            "viewed" => $"Because you viewed {name}",
            "in_cart" => $"Goes well with {name} in your cart",
            "purchased" => $"Because you bought {name}",
            _ => $"Customers who viewed {name} also viewed this",
        };
        return new RecommendedItem(productId, Math.Round(score, 6), reason, $"{seed.Kind}:{seed.ProductId}");
    }
}
