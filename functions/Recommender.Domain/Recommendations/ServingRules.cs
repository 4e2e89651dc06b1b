using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Recommendations;

/// <summary>
/// The rules every list passes at request time, in order: drop what must never be shown (in the
/// cart, already bought unless replenishable and due, out of stock, age-restricted for a customer not
/// verified adult, outside the request's include/exclude filters), boost promoted items (capped),
/// then pick the list greedily by maximal marginal relevance — relevance traded against similarity to
/// what is already picked (same category, same brand) — within the per-brand and per-category caps.
/// </summary>
public static class ServingRules
{
    /// <summary>Products this customer must not be shown now.</summary>
    public static HashSet<string> Exclusions(CustomerProfile? profile, IReadOnlyDictionary<string, Product> products, DateTimeOffset now)
    {
        var exclude = new HashSet<string>(StringComparer.Ordinal);
        if (profile is null)
        {
            return exclude;
        }

        exclude.UnionWith(profile.Cart.Keys);
        foreach (var (productId, boughtAt) in profile.Purchased)
        {
            var due = products.TryGetValue(productId, out var product) && product.ReplenishmentInterval is { } interval && now - boughtAt >= interval;
            if (!due)
            {
                exclude.Add(productId);
            }
        }

        return exclude;
    }

    /// <summary>
    /// Applies the rules and picks up to <paramref name="count"/> items. <paramref name="picked"/> are
    /// items already chosen (a top-up continues their list: caps and diversity count them).
    /// </summary>
    public static IReadOnlyList<RecommendedItem> Apply(IEnumerable<RecommendedItem> candidates, int count, ISet<string> exclude, CustomerProfile? profile,
        IReadOnlyDictionary<string, Product> products, ServingFilters filters, ServingOptions options, double? diversity,
        IReadOnlyList<RecommendedItem>? picked = null)
    {
        var adult = profile?.AgeVerifiedAdult == true;
        var eligible = new List<RecommendedItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in candidates)
        {
            if (!seen.Add(item.ProductId) || exclude.Contains(item.ProductId) || !RecommendationEngine.IsOffered(item.ProductId, products))
            {
                continue;
            }

            products.TryGetValue(item.ProductId, out var product);
            if ((product?.AgeRestricted == true && !adult) || !Passes(product, filters))
            {
                continue;
            }

            eligible.Add(product is null ? item : item with { Score = Math.Round(item.Score * BoostOf(product, options), 6) });
        }

        return Select(eligible, count, products, diversity ?? options.Diversity, filters.MaxPerBrand ?? options.MaxPerBrand, filters.MaxPerCategory ?? options.MaxPerCategory, picked ?? []);
    }

    private static bool Passes(Product? product, ServingFilters filters)
    {
        if (filters.IncludeCategories.Count > 0 && (product is null || !filters.IncludeCategories.Contains(product.Category)))
        {
            return false;
        }

        if (product is not null && filters.ExcludeCategories.Contains(product.Category))
        {
            return false;
        }

        if (filters.IncludeBrands.Count > 0 && (product?.Brand is null || !filters.IncludeBrands.Contains(product.Brand)))
        {
            return false;
        }

        return product?.Brand is null || !filters.ExcludeBrands.Contains(product.Brand);
    }

    private static double BoostOf(Product product, ServingOptions options)
    {
        var boost = 1.0;
        foreach (var promotion in options.Promotions)
        {
            if (promotion.Matches(product) && promotion.Boost > 0)
            {
                boost *= promotion.Boost;
            }
        }

        return Math.Clamp(boost, 0, Math.Max(1, options.MaxBoost));
    }

    /// <summary>Greedy maximal marginal relevance within the caps.</summary>
    private static List<RecommendedItem> Select(List<RecommendedItem> eligible, int count, IReadOnlyDictionary<string, Product> products,
        double lambda, int? maxPerBrand, int? maxPerCategory, IReadOnlyList<RecommendedItem> alreadyPicked)
    {
        lambda = Math.Clamp(lambda, 0, 1);
        var pool = eligible.OrderByDescending(i => i.Score).ThenBy(i => i.ProductId, StringComparer.Ordinal).ToList();
        var top = pool.Count == 0 ? 1 : Math.Max(pool[0].Score, 1e-12);
        var picked = new List<RecommendedItem>(alreadyPicked);
        var perBrand = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var perCategory = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in alreadyPicked)
        {
            Count(item);
        }

        while (picked.Count < alreadyPicked.Count + count && pool.Count > 0)
        {
            var bestIndex = -1;
            var bestValue = double.NegativeInfinity;
            for (var i = 0; i < pool.Count; i++)
            {
                products.TryGetValue(pool[i].ProductId, out var product);
                if ((maxPerBrand is { } mb && product?.Brand is { } b && perBrand.GetValueOrDefault(b) >= mb)
                    || (maxPerCategory is { } mc && product is not null && perCategory.GetValueOrDefault(product.Category) >= mc))
                {
                    continue;
                }

                var similarity = lambda >= 1 ? 0 : picked.Select(p => Similarity(product, p.ProductId, products)).DefaultIfEmpty(0).Max();
                var value = (lambda * pool[i].Score / top) - ((1 - lambda) * similarity);
                if (value > bestValue)
                {
                    (bestIndex, bestValue) = (i, value);
                }
            }

            if (bestIndex < 0)
            {
                break; // every remaining item is over a cap
            }

            var chosen = pool[bestIndex];
            pool.RemoveAt(bestIndex);
            picked.Add(chosen);
            Count(chosen);
        }

        return picked.Skip(alreadyPicked.Count).ToList();

        void Count(RecommendedItem item)
        {
            if (products.TryGetValue(item.ProductId, out var p))
            {
                perCategory[p.Category] = perCategory.GetValueOrDefault(p.Category) + 1;
                if (p.Brand is { } brand)
                {
                    perBrand[brand] = perBrand.GetValueOrDefault(brand) + 1;
                }
            }
        }
    }

    private static double Similarity(Product? a, string otherId, IReadOnlyDictionary<string, Product> products)
    {
        if (a is null || !products.TryGetValue(otherId, out var b))
        {
            return 0;
        }

        var same = 0.0;
        if (string.Equals(a.Category, b.Category, StringComparison.OrdinalIgnoreCase))
        {
            same += 0.7;
        }

        if (a.Brand is not null && string.Equals(a.Brand, b.Brand, StringComparison.OrdinalIgnoreCase))
        {
            same += 0.3;
        }

        return same;
    }
}
