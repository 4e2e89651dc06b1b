using Recommender.Domain.Catalog;

namespace Recommender.Domain.Recommendations;

/// <summary>
/// Content-based similar products for a product neither the model nor the real-time co-view
/// counters know yet (a new product): catalog attributes only. A candidate scores 3 for the same
/// category, 2 for the same brand, 1 for each shared facet value (<see cref="Product.Attributes"/>)
/// and up to 1 for a close price (1 − |Δprice| / the larger price), divided by the most it could
/// score; candidates sharing nothing but a price range are left out. Only offered products, never
/// the product itself or an excluded one. The reason names the product, never the category, so a
/// sensitive category is not spelled out.
/// </summary>
public static class CatalogSimilarity
{
    private const double CategoryWeight = 3;
    private const double BrandWeight = 2;
    private const double FacetWeight = 1;
    private const double PriceWeight = 1;

    public static IReadOnlyList<RecommendedItem> SimilarTo(Product product, IReadOnlyDictionary<string, Product> catalog, ISet<string> exclude, int count)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(catalog);
        var scored = new List<(Product Candidate, double Score)>();
        foreach (var candidate in catalog.Values)
        {
            if (candidate.Id == product.Id || !candidate.InStock || exclude.Contains(candidate.Id))
            {
                continue;
            }

            var score = Score(product, candidate);
            if (score > 0)
            {
                scored.Add((candidate, score));
            }
        }

        return scored
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Candidate.Id, StringComparer.Ordinal)
            .Take(count)
            .Select(s => new RecommendedItem(s.Candidate.Id, Math.Round(s.Score, 6), $"Similar to {product.Name}", $"content:{product.Id}"))
            .ToList();
    }

    /// <summary>How much <paramref name="candidate"/> resembles <paramref name="product"/> by catalog attributes, from 0 (nothing shared but maybe a price range) to 1.</summary>
    public static double Score(Product product, Product candidate)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(candidate);
        var facets = product.Attributes ?? new Dictionary<string, string>();
        var best = CategoryWeight + (product.Brand is null ? 0 : BrandWeight) + (FacetWeight * facets.Count) + PriceWeight;
        var shared = 0.0;
        if (string.Equals(candidate.Category, product.Category, StringComparison.OrdinalIgnoreCase))
        {
            shared += CategoryWeight;
        }

        if (product.Brand is not null && string.Equals(candidate.Brand, product.Brand, StringComparison.OrdinalIgnoreCase))
        {
            shared += BrandWeight;
        }

        foreach (var (name, value) in facets)
        {
            if (candidate.Attributes?.TryGetValue(name, out var other) == true && string.Equals(other, value, StringComparison.OrdinalIgnoreCase))
            {
                shared += FacetWeight;
            }
        }

        if (shared == 0)
        {
            return 0;
        }

        var larger = Math.Max(product.Price, candidate.Price);
        var priceCloseness = larger <= 0 ? 1.0 : 1.0 - (double)(Math.Abs(product.Price - candidate.Price) / larger);
        return (shared + (PriceWeight * priceCloseness)) / best;
    }
}
