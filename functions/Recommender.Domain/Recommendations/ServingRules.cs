using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Recommendations;

/// <summary>
/// The rules every list passes at request time, in order: drop what must never be shown (in the
/// cart, already bought unless replenishable and due, out of stock, age-restricted for a customer not
/// verified adult, outside the request's include/exclude filters), boost promoted items (capped; a
/// promotion targeted by purchase propensity only for a customer whose score is in its range),
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
    /// When <see cref="Exclusions"/> for this profile next changes by the clock alone: the first
    /// instant a purchased replenishable product comes due (<see cref="DateTimeOffset.MaxValue"/>: never).
    /// </summary>
    public static DateTimeOffset ExclusionsChangeAt(CustomerProfile? profile, IReadOnlyDictionary<string, Product> products, DateTimeOffset now)
    {
        var at = DateTimeOffset.MaxValue;
        foreach (var (productId, boughtAt) in profile?.Purchased ?? [])
        {
            if (products.TryGetValue(productId, out var product) && product.ReplenishmentInterval is { } interval && now - boughtAt < interval && boughtAt + interval < at)
            {
                at = boughtAt + interval;
            }
        }

        return at;
    }

    /// <summary>
    /// Applies the rules and picks up to <paramref name="count"/> items. <paramref name="picked"/> are
    /// items already chosen (a top-up continues their list: caps and diversity count them). A product
    /// that appears more than once counts once, as its first appearance; <paramref name="distinct"/>
    /// says the candidates are known to hold none twice (a cached list), which spares the check.
    /// <paramref name="propensity"/> is the customer's purchase propensity when it may be used (targeted promotions).
    /// </summary>
    public static IReadOnlyList<RecommendedItem> Apply(IEnumerable<RecommendedItem> candidates, int count, ISet<string> exclude, CustomerProfile? profile,
        IReadOnlyDictionary<string, Product> products, ServingFilters filters, ServingOptions options, double? diversity,
        IReadOnlyList<RecommendedItem>? picked = null, bool distinct = false, double? propensity = null) =>
        Apply(candidates, count, exclude, profile, products, filters, options, diversity, picked, distinct, ordered: false, propensity);

    /// <summary>
    /// The rules over a customer's cached list: the same result as the general
    /// <see cref="Apply(IEnumerable{RecommendedItem}, int, ISet{string}, CustomerProfile?, IReadOnlyDictionary{string, Product}, ServingFilters, ServingOptions, double?, IReadOnlyList{RecommendedItem}?, bool, double?)"/>,
    /// sparing the duplicate check and the sort when the list is known (once, when it was read) to need neither.
    /// </summary>
    public static IReadOnlyList<RecommendedItem> Apply(CachedRecommendations list, int count, ISet<string> exclude, CustomerProfile? profile,
        IReadOnlyDictionary<string, Product> products, ServingFilters filters, ServingOptions options, double? diversity, double? propensity = null)
    {
        ArgumentNullException.ThrowIfNull(list);
        return Apply(list.Items, count, exclude, profile, products, filters, options, diversity, picked: null, list.ItemsAreDistinct, list.ItemsAreInServingOrder, propensity);
    }

    private static IReadOnlyList<RecommendedItem> Apply(IEnumerable<RecommendedItem> candidates, int count, ISet<string> exclude, CustomerProfile? profile,
        IReadOnlyDictionary<string, Product> products, ServingFilters filters, ServingOptions options, double? diversity,
        IReadOnlyList<RecommendedItem>? picked, bool distinct, bool ordered, double? propensity)
    {
        var size = candidates.TryGetNonEnumeratedCount(out var n) ? n : 0;
        var selection = new Selection(products, exclude, filters, options, profile?.AgeVerifiedAdult == true, Math.Clamp(diversity ?? options.Diversity, 0, 1), size, propensity);
        try
        {
            var seen = distinct ? null : new HashSet<string>(size, StringComparer.Ordinal);
            foreach (var item in candidates)
            {
                if (seen is null || seen.Add(item.ProductId))
                {
                    selection.Add(item);
                }
            }

            return selection.Pick(count, picked ?? [], ordered);
        }
        finally
        {
            selection.Release();
        }
    }

    /// <summary>
    /// Whether <paramref name="items"/> are in the order serving considers candidates in — score
    /// (rounded to 6 places, as served) highest first, then product id — so no sort is needed.
    /// </summary>
    public static bool InServingOrder(IReadOnlyList<RecommendedItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (var i = 1; i < items.Count; i++)
        {
            var (a, b) = (items[i - 1], items[i]);
            var byScore = Math.Round(b.Score, 6).CompareTo(Math.Round(a.Score, 6));
            if (byScore > 0 || (byScore == 0 && string.CompareOrdinal(a.ProductId, b.ProductId) > 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Greedy maximal marginal relevance within the caps: each round picks the eligible item (in
    /// relevance order, first wins a tie) with the best λ·relevance − (1 − λ)·(its highest similarity
    /// to an item already picked). Unless a promotion may boost it, relevance is known before the
    /// catalog is consulted, so the check (excluded, offered, age, filters) runs lazily in relevance
    /// order and a round stops at the first item whose relevance alone cannot beat the best value
    /// found: most of a long candidate list is never looked up. Each checked item's highest
    /// similarity is kept up to date as items are picked.
    /// </summary>
    private sealed class Selection(IReadOnlyDictionary<string, Product> products, ISet<string> exclude, ServingFilters filters, ServingOptions options, bool adult,
        double lambda, int size, double? propensity)
    {
        private Slot[] _slots = System.Buffers.ArrayPool<Slot>.Shared.Rent(Math.Max(size, 16));
        private int _count;
        private readonly List<Facets> _picked = [];
        private readonly int? _maxPerBrand = filters.MaxPerBrand ?? options.MaxPerBrand;
        private readonly int? _maxPerCategory = filters.MaxPerCategory ?? options.MaxPerCategory;
        private readonly Dictionary<string, int>? _perBrand = (filters.MaxPerBrand ?? options.MaxPerBrand) is null ? null : new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, int>? _perCategory = (filters.MaxPerCategory ?? options.MaxPerCategory) is null ? null : new(StringComparer.OrdinalIgnoreCase);

        /// <summary>Check every item at once when a promotion may change its score (or when there is no catalog to look up).</summary>
        private readonly bool _eager = products.Count == 0 || options.Promotions.Count > 0;

        public void Add(RecommendedItem item)
        {
            // Without a promotion a known product's boost is 1: its score, rounded as a boosted one would be.
            var slot = new Slot { Item = item, Score = products.Count == 0 ? item.Score : Math.Round(item.Score, 6) };
            if (_eager)
            {
                Check(ref slot);
            }

            if (_count == _slots.Length)
            {
                var larger = System.Buffers.ArrayPool<Slot>.Shared.Rent(_count * 2);
                _slots.AsSpan(0, _count).CopyTo(larger);
                Release();
                _slots = larger;
            }

            _slots[_count++] = slot;
        }

        /// <summary>Returns the pooled slots, cleared (they hold items and products).</summary>
        public void Release()
        {
            _slots.AsSpan(0, _count).Clear();
            if (_slots.Length > 0)
            {
                System.Buffers.ArrayPool<Slot>.Shared.Return(_slots);
            }

            (_slots, _count) = ([], 0);
        }

        /// <summary>Picks the list; <paramref name="ordered"/>: the candidates came in <see cref="InServingOrder"/>, so unless a promotion or the lack of a catalog changed their scores they need no sort.</summary>
        public List<RecommendedItem> Pick(int count, IReadOnlyList<RecommendedItem> alreadyPicked, bool ordered)
        {
            var slots = _slots.AsSpan(0, _count);
            if (!ordered || _eager)
            {
                slots.Sort(ServingOrder);
            }

            var top = 1.0;
            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i].State == State.Unchecked)
                {
                    Check(ref slots[i]);
                }

                if (slots[i].State == State.Eligible)
                {
                    top = Math.Max(slots[i].Score, 1e-12);
                    break;
                }
            }

            foreach (var item in alreadyPicked)
            {
                if (products.TryGetValue(item.ProductId, out var product))
                {
                    Picked(product, lambda < 1 ? Facets.Of(product) : default);
                }
            }

            var result = new List<RecommendedItem>(Math.Min(count, slots.Length));
            while (result.Count < count)
            {
                var bestIndex = -1;
                var bestValue = double.NegativeInfinity;
                for (var i = 0; i < slots.Length; i++)
                {
                    ref var slot = ref slots[i];
                    if (slot.State is State.Ineligible or State.Taken)
                    {
                        continue;
                    }

                    var relevance = lambda * slot.Score / top;
                    if (relevance <= bestValue)
                    {
                        break; // no item from here on (no more relevant, similarity ≥ 0) can do better
                    }

                    if (slot.State == State.Unchecked)
                    {
                        Check(ref slot);
                        if (slot.State == State.Ineligible)
                        {
                            continue;
                        }
                    }

                    var product = slot.Product;
                    if ((_perBrand is not null && product?.Brand is { } b && _perBrand.GetValueOrDefault(b) >= _maxPerBrand)
                        || (_perCategory is not null && product is not null && _perCategory.GetValueOrDefault(product.Category) >= _maxPerCategory))
                    {
                        continue;
                    }

                    var value = relevance - ((1 - lambda) * slot.Similarity);
                    if (value > bestValue)
                    {
                        (bestIndex, bestValue) = (i, value);
                    }
                }

                if (bestIndex < 0)
                {
                    break; // every remaining item is taken, ineligible or over a cap
                }

                ref var chosen = ref slots[bestIndex];
                chosen.State = State.Taken;
                result.Add(chosen.Item);
                Picked(chosen.Product, chosen.Facets);
            }

            return result;
        }

        /// <summary>Not excluded, offered (known and in stock, or no catalog loaded), not age-restricted for a customer not verified adult, within the filters.</summary>
        private void Check(ref Slot slot)
        {
            Product? product = null;
            if (exclude.Contains(slot.Item.ProductId)
                || (!products.TryGetValue(slot.Item.ProductId, out product) && products.Count > 0)
                || product?.InStock == false
                || (product?.AgeRestricted == true && !adult)
                || !Passes(product, filters))
            {
                slot.State = State.Ineligible;
                return;
            }

            slot.State = State.Eligible;
            slot.Product = product;
            if (product is not null && options.Promotions.Count > 0)
            {
                slot.Score = Math.Round(slot.Item.Score * BoostOf(product, options, propensity), 6);
            }

            if (slot.Score != slot.Item.Score)
            {
                slot.Item = slot.Item with { Score = slot.Score };
            }

            if (lambda < 1)
            {
                slot.Facets = Facets.Of(product);
                foreach (var picked in _picked)
                {
                    slot.Similarity = Math.Max(slot.Similarity, slot.Facets.SimilarityTo(picked));
                }
            }
        }

        private void Picked(Product? product, Facets facets)
        {
            if (product is null)
            {
                return;
            }

            if (_perCategory is not null)
            {
                _perCategory[product.Category] = _perCategory.GetValueOrDefault(product.Category) + 1;
            }

            if (_perBrand is not null && product.Brand is { } brand)
            {
                _perBrand[brand] = _perBrand.GetValueOrDefault(brand) + 1;
            }

            if (lambda < 1)
            {
                _picked.Add(facets);
                foreach (ref var slot in _slots.AsSpan(0, _count))
                {
                    if (slot.State == State.Eligible)
                    {
                        slot.Similarity = Math.Max(slot.Similarity, slot.Facets.SimilarityTo(facets));
                    }
                }
            }
        }

    }

    private enum State : byte
    {
        Unchecked,
        Eligible,
        Ineligible,
        Taken,
    }

    private struct Slot
    {
        public RecommendedItem Item;
        public double Score;
        public State State;
        public Product? Product;
        public Facets Facets;
        public double Similarity;
    }

    /// <summary>Highest score first, then product id (ordinal): the order in which candidates are considered.</summary>
    private static readonly Comparison<Slot> ServingOrder = static (a, b) =>
        b.Score.CompareTo(a.Score) is var byScore and not 0 ? byScore : string.CompareOrdinal(a.Item.ProductId, b.Item.ProductId);

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

    private static double BoostOf(Product product, ServingOptions options, double? propensity)
    {
        var boost = 1.0;
        foreach (var promotion in options.Promotions)
        {
            if (promotion.Matches(product) && promotion.Boost > 0 && promotion.AppliesTo(propensity))
            {
                boost *= promotion.Boost;
            }
        }

        return Math.Clamp(boost, 0, Math.Max(1, options.MaxBoost));
    }
}
