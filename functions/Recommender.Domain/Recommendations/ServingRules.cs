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
        var lambda = Math.Clamp(diversity ?? options.Diversity, 0, 1);
        var eligible = new List<Candidate>(candidates.TryGetNonEnumeratedCount(out var n) ? n : 0);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in candidates)
        {
            // Offered: the catalog knows the product and has it in stock (anything, while no catalog is loaded).
            var known = products.TryGetValue(item.ProductId, out var product);
            if (!seen.Add(item.ProductId) || exclude.Contains(item.ProductId) || (products.Count > 0 && !(known && product!.InStock)))
            {
                continue;
            }

            if ((product?.AgeRestricted == true && !adult) || !Passes(product, filters))
            {
                continue;
            }

            var score = product is null ? item.Score : Math.Round(item.Score * BoostOf(product, options), 6);
            eligible.Add(new Candidate(score == item.Score ? item : item with { Score = score }, product, lambda < 1 ? Facets.Of(product) : default));
        }

        return Select(eligible, count, products, lambda, filters.MaxPerBrand ?? options.MaxPerBrand, filters.MaxPerCategory ?? options.MaxPerCategory, picked ?? []);
    }

    /// <summary>An eligible item with its catalog entry (null when the catalog does not know it).</summary>
    private readonly record struct Candidate(RecommendedItem Item, Product? Product, Facets Facets);

    /// <summary>
    /// A product's category and brand with their case-insensitive hashes: different hashes prove
    /// the names differ, so most comparisons in the diversity pass are two integer compares.
    /// </summary>
    private readonly record struct Facets(string? Category, int CategoryHash, string? Brand, int BrandHash)
    {
        public static Facets Of(Product? product) => product is null
            ? default
            : new(product.Category, Hash(product.Category), product.Brand, product.Brand is null ? 0 : Hash(product.Brand));

        /// <summary>0.7 for the same category, plus 0.3 for the same brand (names compared ignoring case).</summary>
        public double SimilarityTo(in Facets other)
        {
            if (Category is null || other.Category is null)
            {
                return 0;
            }

            var same = 0.0;
            if (CategoryHash == other.CategoryHash && string.Equals(Category, other.Category, StringComparison.OrdinalIgnoreCase))
            {
                same += 0.7;
            }

            if (Brand is not null && BrandHash == other.BrandHash && string.Equals(Brand, other.Brand, StringComparison.OrdinalIgnoreCase))
            {
                same += 0.3;
            }

            return same;
        }

        private static int Hash(string value) => string.GetHashCode(value, StringComparison.OrdinalIgnoreCase);
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

    /// <summary>
    /// Greedy maximal marginal relevance within the caps: each round picks the item (in relevance
    /// order, first wins a tie) with the best λ·relevance − (1 − λ)·(its highest similarity to an item
    /// already picked). Each item's highest similarity is kept up to date as items are picked, so a
    /// round costs one pass over the pool.
    /// </summary>
    private static List<RecommendedItem> Select(List<Candidate> eligible, int count, IReadOnlyDictionary<string, Product> products,
        double lambda, int? maxPerBrand, int? maxPerCategory, IReadOnlyList<RecommendedItem> alreadyPicked)
    {
        eligible.Sort(static (a, b) => b.Item.Score.CompareTo(a.Item.Score) is var byScore and not 0 ? byScore : string.CompareOrdinal(a.Item.ProductId, b.Item.ProductId));
        var top = eligible.Count == 0 ? 1 : Math.Max(eligible[0].Item.Score, 1e-12);
        var similarity = new double[eligible.Count];
        var taken = new bool[eligible.Count];
        var result = new List<RecommendedItem>(Math.Min(count, eligible.Count));
        var perBrand = maxPerBrand is null ? null : new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var perCategory = maxPerCategory is null ? null : new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in alreadyPicked)
        {
            products.TryGetValue(item.ProductId, out var product);
            Picked(product, lambda < 1 ? Facets.Of(product) : default);
        }

        while (result.Count < count)
        {
            var bestIndex = -1;
            var bestValue = double.NegativeInfinity;
            for (var i = 0; i < eligible.Count; i++)
            {
                var product = eligible[i].Product;
                if (taken[i]
                    || (perBrand is not null && product?.Brand is { } b && perBrand.GetValueOrDefault(b) >= maxPerBrand)
                    || (perCategory is not null && product is not null && perCategory.GetValueOrDefault(product.Category) >= maxPerCategory))
                {
                    continue;
                }

                var value = (lambda * eligible[i].Item.Score / top) - ((1 - lambda) * similarity[i]);
                if (value > bestValue)
                {
                    (bestIndex, bestValue) = (i, value);
                }
            }

            if (bestIndex < 0)
            {
                break; // every remaining item is taken or over a cap
            }

            taken[bestIndex] = true;
            result.Add(eligible[bestIndex].Item);
            Picked(eligible[bestIndex].Product, eligible[bestIndex].Facets);
        }

        return result;

        void Picked(Product? product, Facets facets)
        {
            if (product is null)
            {
                return;
            }

            if (perCategory is not null)
            {
                perCategory[product.Category] = perCategory.GetValueOrDefault(product.Category) + 1;
            }

            if (perBrand is not null && product.Brand is { } brand)
            {
                perBrand[brand] = perBrand.GetValueOrDefault(brand) + 1;
            }

            if (lambda < 1)
            {
                for (var i = 0; i < eligible.Count; i++)
                {
                    similarity[i] = Math.Max(similarity[i], eligible[i].Facets.SimilarityTo(facets));
                }
            }
        }
    }
}
