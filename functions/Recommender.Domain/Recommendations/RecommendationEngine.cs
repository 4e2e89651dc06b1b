using System.Runtime.CompilerServices;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;
using Recommender.Models;

namespace Recommender.Domain.Recommendations;

/// <summary>One interaction of a customer's history: the product, when, how strong (<see cref="RecommendationEngine.WeightOf"/>) and what it was (viewed, in_cart, wishlisted, purchased).</summary>
public sealed record HistorySignal(string ProductId, DateTimeOffset At, double Weight, string Kind);

/// <summary>The profile's real-time taste signal: decayed category and brand affinities (behaviour, or stated preferences); brands lower-cased.</summary>
public sealed record ProfileSignal(IReadOnlyDictionary<string, double> Categories, IReadOnlyDictionary<string, double> Brands)
{
    /// <summary>
    /// The profile's affinities with the customer's stated categories and brands added, each as strong as the
    /// strongest inferred taste (1 when nothing is inferred): what the customer said counts as much as what they did most.
    /// </summary>
    public static ProfileSignal Of(CustomerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        // Brand affinities are kept lower-cased (ProfileUpdater), and so are stated brands here: "Acme" matches "acme".
        return new(WithStated(profile.CategoryAffinities, profile.StatedCategories),
            WithStated(profile.BrandAffinities, profile.StatedBrands.ConvertAll(b => b.ToLowerInvariant())));
    }

    private static IReadOnlyDictionary<string, double> WithStated(Dictionary<string, double> inferred, List<string> stated)
    {
        if (stated.Count == 0)
        {
            return inferred;
        }

        var strongest = inferred.Values.DefaultIfEmpty(0).Max();
        strongest = strongest > 0 ? strongest : 1;
        var merged = new Dictionary<string, double>(inferred, StringComparer.Ordinal);
        foreach (var name in stated)
        {
            merged[name] = Math.Max(merged.GetValueOrDefault(name), strongest);
        }

        return merged;
    }

    public bool IsEmpty => Categories.Count == 0 && Brands.Count == 0;
}

/// <summary>
/// Ranks products for a customer. Home and email lists (<see cref="ForHistory"/>): the promoted
/// model's own user scoring (<see cref="ItemSimilarityModel.Scorer"/>, else the neighbour lists as
/// item weights) over the customer's WHOLE history, recency-weighted
/// (<see cref="Recommender.Models.UserScoring.Weigh"/>), blended with the profile's category and brand
/// affinities; history items the model does not cover add their neighbours; products the model does
/// not know yet (new products) enter by catalog attributes; a customer with no history but stated or
/// inferred tastes gets content results. Product pages and carts (<see cref="RelatedTo"/>): neighbour
/// lists. Each item is explained by the history item that contributed most — or, when a user-user
/// model scored it, by the customers like this one ("Popular with customers like you",
/// <see cref="CustomersLikeYou"/>). Pure and in-memory.
/// </summary>
public static class RecommendationEngine
{
    /// <summary>How many items a cached list keeps (requests take a prefix after filtering).</summary>
    public const int CachedListSize = 50;
    /// <summary>The reason code of an item a user-user model scored: its nearest customers hold it (no single history item explains it).</summary>
    public const string CustomersLikeYou = "customers_like_you";
    /// <summary>At most this many of the heaviest history items are compared with new products by catalog attributes.</summary>
    private const int ContentSeeds = 20;

    private sealed record Seed(string ProductId, double Weight, string Kind);

    private static readonly ConditionalWeakTable<ItemSimilarityModel, UserScorer> NeighborScorers = [];
    private static readonly ConditionalWeakTable<ItemSimilarityModel, NewProducts> NewProductsOf = [];

    private sealed record NewProducts(IReadOnlyDictionary<string, Product> Catalog, Product[] Products);

    /// <summary>The implicit-feedback weight of an interaction under the default <see cref="EventWeights"/> (serving and training read the injected table).</summary>
    public static double WeightOf(EventType type) => EventWeights.Default.WeightOf(type);

    /// <summary>
    /// Everything the profile keeps of the customer's behaviour — recent views (oldest first), wishlist, cart and every
    /// purchase (in the order first bought) — weighted by <paramref name="weights"/> (null: the defaults); disliked products are left
    /// out, so they never seed a list nor explain one.
    /// </summary>
    public static List<HistorySignal> HistoryOf(CustomerProfile profile, EventWeights? weights = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        weights ??= EventWeights.Default;
        var history = new List<HistorySignal>(profile.RecentViews.Count + profile.Cart.Count + profile.Purchased.Count + profile.Wishlist.Count);
        // Oldest first (the profile keeps views newest first): an order-based model tells equal times apart by position (UserScoring.Latest).
        history.AddRange(profile.RecentViews.AsEnumerable().Reverse().Select(v => new HistorySignal(v.ProductId, v.At, weights.View, "viewed")));
        history.AddRange(profile.Wishlist.Select(w => new HistorySignal(w.Key, w.Value, weights.WishlistAdd, "wishlisted")));
        history.AddRange(profile.Cart.Values.Select(c => new HistorySignal(c.ProductId, c.AddedAt, weights.AddToCart, "in_cart")));
        history.AddRange(profile.Purchased.Select(p => new HistorySignal(p.Key, p.Value, weights.Purchase, "purchased")));
        if (profile.Dislikes.Count > 0)
        {
            history.RemoveAll(h => profile.Dislikes.ContainsKey(h.ProductId));
        }

        return history;
    }

    /// <summary>
    /// A customer's home list from the profile: <see cref="ForHistory"/> over <see cref="HistoryOf"/>,
    /// excluding what was bought, is in the cart or disliked, and what was viewed — all recent views, or
    /// with <paramref name="viewedExcluded"/> only those it says (the placement's already-seen policy).
    /// </summary>
    public static IReadOnlyList<RecommendedItem> ForCustomer(CustomerProfile profile, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> catalog, int size = CachedListSize, UserScoringOptions? options = null,
        EventWeights? weights = null, Func<RecentItem, bool>? viewedExcluded = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return ForHistory(HistoryOf(profile, weights), model, catalog, ServedExclusions(profile, viewedExcluded), size, options, ProfileSignal.Of(profile));
    }

    /// <summary>The rows the re-ranker scores for a profile's home list: <see cref="ReRankCandidates"/> with exactly what <see cref="ForCustomer"/> passes.</summary>
    public static IReadOnlyList<(RecommendedItem Item, float[] Features)> ReRankCandidatesFor(CustomerProfile profile, ItemSimilarityModel model, ReRankTable table,
        IReadOnlyDictionary<string, Product> catalog, int size = CachedListSize, UserScoringOptions? options = null, EventWeights? weights = null,
        Func<RecentItem, bool>? viewedExcluded = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return ReRankCandidates(HistoryOf(profile, weights), model, table, catalog, ServedExclusions(profile, viewedExcluded), size, options, ProfileSignal.Of(profile));
    }

    private static HashSet<string> ServedExclusions(CustomerProfile profile, Func<RecentItem, bool>? viewedExcluded)
    {
        var exclude = ExclusionsFor(profile);
        exclude.UnionWith(profile.RecentViews.Where(viewedExcluded ?? (_ => true)).Select(v => v.ProductId));
        return exclude;
    }

    /// <summary>
    /// THE served user scoring (the cache refresh calls it; offline evaluation should too, so what is
    /// served is what was evaluated): <paramref name="history"/> is weighted by recency, scored by
    /// the model's <see cref="UserScorer"/> (covered items, scaled to 1 at the best, times the covered
    /// share of the history weight) plus the neighbours of uncovered history items (times the rest),
    /// plus <see cref="UserScoringOptions.NewItemWeight"/> × catalog similarity for products the model
    /// does not know, plus <see cref="UserScoringOptions.ProfileWeight"/> × the profile's category/brand
    /// affinity; popular items fill the rest. Never returns an excluded or unoffered product (the
    /// caller excludes what must not come back: bought, in the cart, just viewed);
    /// sensitive products never seed nor explain, and are never picked by taste alone.
    /// </summary>
    /// <remarks>
    /// A model with a <see cref="ItemSimilarityModel.ReRanker"/> (a promoted <c>…+ltr</c> candidate) serves
    /// the base list's top <see cref="ReRankTable.Candidates"/> re-ordered by the re-ranker
    /// (<see cref="ReRank"/>), with the base list's scores handed out in the new order, then blended
    /// with new products by content and the profile's taste as a plain list is (<see cref="ReRankedList"/>)
    /// — the gate and the cache refresh both come through here, so the gate judges the re-ranked list.
    /// </remarks>
    public static IReadOnlyList<RecommendedItem> ForHistory(IReadOnlyList<HistorySignal> history, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> catalog, ISet<string> exclude, int size = CachedListSize, UserScoringOptions? options = null, ProfileSignal? profile = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(history);
        return model.ReRanker is { } reRanker && history.Count > 0
            ? ReRankedList(reRanker, history, model, catalog, exclude, size, options, profile)
            : BaseList(history, model, catalog, exclude, size, options, profile);
    }

    /// <summary>
    /// The re-ranked list as served: the re-ranker orders the model's own candidates (the rows it was
    /// trained on, <see cref="ReRankCandidates"/>); what it cannot see is then added as
    /// <see cref="BaseList"/> adds it to a plain model's list — products the model does not know yet,
    /// by catalog attributes (<see cref="UserScoringOptions.NewItemWeight"/>; the re-ranked items carry
    /// the base list's scores in their new order, <see cref="OnTheBaseScale"/>, so both are on the plain
    /// list's scale), and the profile's real-time taste (<see cref="UserScoringOptions.ProfileWeight"/>
    /// × category/brand affinity) — and the list is cut to <paramref name="size"/>. With neither (the
    /// gate's scorer: no catalog, no profile) it is exactly the re-ranked candidates.
    /// </summary>
    private static IReadOnlyList<RecommendedItem> ReRankedList(ReRanker reRanker, IReadOnlyList<HistorySignal> history, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> catalog, ISet<string> exclude, int size, UserScoringOptions? options, ProfileSignal? profile)
    {
        options ??= new UserScoringOptions();
        var candidates = ReRankCandidates(history, model, reRanker.Table, catalog, exclude, size, options, profile);
        var reRanked = OnTheBaseScale(ReRank(reRanker, candidates, candidates.Count), candidates);
        var seeds = history.Where(h => !(catalog.TryGetValue(h.ProductId, out var p) && p.Sensitive)).ToList();
        var scorer = ScorerOf(model);
        var weighted = UserScoring.WeighFor(scorer, seeds.Select(h => new HistoryEvent(h.ProductId, h.At, h.Weight)), options.HistoryHalfLife);
        var content = NewProductScores(weighted, model, scorer, catalog, new HashSet<string>(exclude, StringComparer.Ordinal), options);
        var taste = profile is { IsEmpty: false } && options.ProfileWeight > 0 ? TasteOf(profile) : null;
        if (content.Count == 0 && taste is null)
        {
            return reRanked.Take(size).ToList();
        }

        double Taste(string productId) => taste is not null && catalog.TryGetValue(productId, out var product) ? options.ProfileWeight * taste(product) : 0;
        var listed = reRanked.Select(r => r.ProductId).ToHashSet(StringComparer.Ordinal);
        return reRanked
            .Select(r => r with { Score = Math.Round(r.Score + Taste(r.ProductId), 6) })
            .Concat(content
                .Where(kv => !listed.Contains(kv.Key))
                .Select(kv => NewAndLike(kv.Key, Math.Round(kv.Value.Score + Taste(kv.Key), 6), kv.Value.Seed, catalog)))
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.ProductId, StringComparer.Ordinal)
            .Take(size)
            .ToList();
    }

    /// <summary>
    /// The base list the re-ranker sees — the model's own list of <c>max(size, table.Candidates)</c>
    /// items (its user scoring over the history, neighbours of uncovered items, popular fill; without
    /// the profile-taste blend and new-product content, which training cannot see: taste enters as the
    /// affinity features instead, and <see cref="ReRankedList"/> blends both into the re-ranked list) — with each item's <see cref="ReRankFeatures"/> vector. Training
    /// (<see cref="Training.ReRankingTrainer"/>) and serving (<see cref="ForHistory"/>) both build their
    /// rows here: one code path, no skew. <paramref name="profile"/> is accepted for the call's symmetry
    /// and not used.
    /// </summary>
    public static IReadOnlyList<(RecommendedItem Item, float[] Features)> ReRankCandidates(IReadOnlyList<HistorySignal> history, ItemSimilarityModel model,
        ReRankTable table, IReadOnlyDictionary<string, Product> catalog, ISet<string> exclude, int size = CachedListSize, UserScoringOptions? options = null,
        ProfileSignal? profile = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new UserScoringOptions();
        var modelOnly = new UserScoringOptions
        {
            HistoryHalfLife = options.HistoryHalfLife,
            MaxModelItems = options.MaxModelItems,
            RowWidth = options.RowWidth,
            ProfileWeight = 0,
            NewItemWeight = 0,
        };
        var list = BaseList(history, model, catalog, exclude, Math.Max(size, table.Candidates), modelOnly, profile: null);
        // The customer's side reads sensitivity from the item facts (as training saw them), never from the live catalog: no skew.
        var seeds = history.Where(h => !(table.Items.TryGetValue(h.ProductId, out var facts) && facts.Sensitive)).ToList();
        var weighted = UserScoring.Weigh(seeds.Select(h => new HistoryEvent(h.ProductId, h.At, h.Weight)), options.HistoryHalfLife);
        var latest = seeds.OrderByDescending(h => h.At).ThenBy(h => h.ProductId, StringComparer.Ordinal).FirstOrDefault();
        var customer = ReRankFeatures.CustomerOf(weighted, latest?.At, latest?.ProductId, table);
        return list.Select((item, rank) => (item, ReRankFeatures.Of(customer, table, item.ProductId, item.Score, rank))).ToList();
    }

    /// <summary>
    /// The re-ranked list with the base list's own scores handed out in the new order (the best score
    /// to the re-ranker's first item, and so on; strictly falling, so a cached list stays in serving
    /// order): the re-ranker decides the order, and what is blended in afterwards (new products, taste)
    /// meets the scores on the scale the plain list uses.
    /// </summary>
    private static List<RecommendedItem> OnTheBaseScale(IReadOnlyList<RecommendedItem> reRanked, IReadOnlyList<(RecommendedItem Item, float[] Features)> candidates)
    {
        var scores = candidates.Select(c => c.Item.Score).OrderDescending().ToList();
        var result = new List<RecommendedItem>(reRanked.Count);
        var previous = double.PositiveInfinity;
        for (var i = 0; i < reRanked.Count; i++)
        {
            var score = Math.Max(1e-6, Math.Min(Math.Round(scores[i], 6), Math.Round(previous - 1e-6, 6)));
            result.Add(reRanked[i] with { Score = score });
            previous = score;
        }

        return result;
    }

    /// <summary>The candidates ordered by the re-ranker's score (ties keep the base order), the first <paramref name="size"/>, scored (n − rank) / n so a cached list stays in serving order.</summary>
    public static IReadOnlyList<RecommendedItem> ReRank(ReRanker reRanker, IReadOnlyList<(RecommendedItem Item, float[] Features)> candidates, int size)
    {
        ArgumentNullException.ThrowIfNull(reRanker);
        ArgumentNullException.ThrowIfNull(candidates);
        var n = candidates.Count;
        return candidates
            .Select((c, rank) => (c.Item, Score: reRanker.Ensemble.Score(c.Features), Rank: rank))
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Rank)
            .Take(size)
            .Select((c, position) => c.Item with { Score = Math.Round((n - position) / (double)n, 6) })
            .ToList();
    }

    private static IReadOnlyList<RecommendedItem> BaseList(IReadOnlyList<HistorySignal> history, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> catalog, ISet<string> exclude, int size, UserScoringOptions? options, ProfileSignal? profile)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(exclude);
        options ??= new UserScoringOptions();
        var excluded = new HashSet<string>(exclude, StringComparer.Ordinal);

        // Sensitive products (health, religion, ...) never seed a list nor appear in an explanation.
        var seeds = history.Where(h => !(catalog.TryGetValue(h.ProductId, out var p) && p.Sensitive)).ToList();
        var scorer = ScorerOf(model);
        var weighted = UserScoring.WeighFor(scorer, seeds.Select(h => new HistoryEvent(h.ProductId, h.At, h.Weight)), options.HistoryHalfLife);
        var kinds = seeds.GroupBy(h => h.ProductId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(h => h.Weight)!.Kind, StringComparer.Ordinal);
        var totalWeight = weighted.Sum(h => h.Weight);
        var coveredWeight = weighted.Where(h => scorer.Covers(h.ProductId())).Sum(h => h.Weight);
        var coveredShare = totalWeight > 0 ? coveredWeight / totalWeight : 0;
        var pool = (size * 4) + 16;
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        var byCustomers = new HashSet<string>(StringComparer.Ordinal);

        // 1. The model's own user scoring over the whole weighted history.
        if (coveredWeight > 0)
        {
            var modelScores = UserScoring.Score(scorer, weighted);
            var best = TopIndices(modelScores, pool, index => IsCandidate(scorer.Items[index], catalog, excluded));
            var max = best.Count > 0 ? modelScores[best[0]] : 0;
            foreach (var index in best)
            {
                scores[scorer.Items[index]] = coveredShare * modelScores[index] / max;
                if (scorer.Kind == UserScorer.UsersKind)
                {
                    byCustomers.Add(scorer.Items[index]);
                }
            }
        }

        // 2. History the model does not cover (beyond its catalog limit): those items' neighbours.
        if (coveredShare < 1 && totalWeight > 0)
        {
            var fallback = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var h in weighted.Where(h => !scorer.Covers(h.ProductId())))
            {
                foreach (var neighbor in model.NeighborsOf(h.Item))
                {
                    if (IsCandidate(neighbor.ProductId, catalog, excluded))
                    {
                        fallback[neighbor.ProductId] = fallback.GetValueOrDefault(neighbor.ProductId) + (h.Weight * neighbor.Score);
                    }
                }
            }

            var max = fallback.Count > 0 ? fallback.Values.Max() : 0;
            foreach (var (item, score) in fallback.Where(kv => kv.Value > 0))
            {
                scores[item] = scores.GetValueOrDefault(item) + ((1 - coveredShare) * score / max);
            }
        }

        // 3. Products the model does not know yet: by catalog attributes, like the heaviest history items.
        var content = NewProductScores(weighted, model, scorer, catalog, excluded, options);
        foreach (var (item, (score, _)) in content)
        {
            scores[item] = scores.GetValueOrDefault(item) + score;
        }

        // 4. The real-time profile signal; alone (no usable history), taste picks from the catalog.
        var tasteOnly = scores.Count == 0 && profile is { IsEmpty: false };
        if (profile is { IsEmpty: false } && (options.ProfileWeight > 0 || tasteOnly))
        {
            var taste = TasteOf(profile);
            if (tasteOnly)
            {
                foreach (var product in catalog.Values)
                {
                    if (!product.Sensitive && IsCandidate(product.Id, catalog, excluded) && taste(product) is var value and > 0)
                    {
                        scores[product.Id] = value;
                    }
                }
            }
            else
            {
                foreach (var item in scores.Keys.ToList())
                {
                    if (catalog.TryGetValue(item, out var product))
                    {
                        scores[item] += options.ProfileWeight * taste(product);
                    }
                }
            }
        }

        // Ranked as served: by the score rounded as stored, ties by product id — so a cached list needs no sort to serve.
        var ranked = scores
            .Select(kv => (Item: kv.Key, Score: Math.Round(kv.Value, 6)))
            .Where(x => x.Score > 0)
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Item, StringComparer.Ordinal)
            .Take(size)
            .Select(x => byCustomers.Contains(x.Item)
                ? new RecommendedItem(x.Item, x.Score, "Popular with customers like you", CustomersLikeYou)
                : Explain(x.Item, x.Score, tasteOnly, weighted, kinds, scorer, model, content, catalog))
            .ToList();
        if (ranked.Count < size)
        {
            var taken = new HashSet<string>(ranked.Select(r => r.ProductId), StringComparer.Ordinal);
            taken.UnionWith(excluded);
            ranked.AddRange(Below(ranked, Popular(model.Popular, catalog, taken).Take(size - ranked.Count).ToList()));
        }

        return ranked;
    }

    /// <summary>The model's user scoring: its own (<see cref="ItemSimilarityModel.Scorer"/>) or, for neighbour-only models, the neighbour lists as item weights (built once per model).</summary>
    public static UserScorer ScorerOf(ItemSimilarityModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Scorer ?? NeighborScorers.GetValue(model, m => UserScorer.FromNeighbors(m.Neighbors.Select(kv =>
            KeyValuePair.Create(kv.Key, (IReadOnlyList<Recommender.Models.ScoredItem>)kv.Value.Select(n => new Recommender.Models.ScoredItem(n.ProductId, n.Score)).ToList()))));
    }

    private static string ProductId(this HistoryItem item) => item.Item;

    private static bool IsCandidate(string productId, IReadOnlyDictionary<string, Product> catalog, HashSet<string> excluded) =>
        !excluded.Contains(productId) && IsOffered(productId, catalog);

    /// <summary>Offered products the model knows nothing of: not scored, no neighbours, not popular (built once per model and catalog).</summary>
    private static Product[] NewProductsFor(ItemSimilarityModel model, UserScorer scorer, IReadOnlyDictionary<string, Product> catalog)
    {
        if (NewProductsOf.TryGetValue(model, out var known) && ReferenceEquals(known.Catalog, catalog))
        {
            return known.Products;
        }

        var popular = model.Popular.Select(p => p.ProductId).ToHashSet(StringComparer.Ordinal);
        var products = catalog.Values
            .Where(p => p.InStock && !p.Sensitive && !scorer.Covers(p.Id) && !model.Neighbors.ContainsKey(p.Id) && !popular.Contains(p.Id))
            .OrderBy(p => p.Id, StringComparer.Ordinal)
            .ToArray();
        NewProductsOf.AddOrUpdate(model, new NewProducts(catalog, products));
        return products;
    }

    /// <summary>Offered products the model knows nothing of, scored by catalog similarity to the heaviest history items (× <see cref="UserScoringOptions.NewItemWeight"/>), with the item that seeded each.</summary>
    private static Dictionary<string, (double Score, string Seed)> NewProductScores(IReadOnlyList<HistoryItem> weighted, ItemSimilarityModel model, UserScorer scorer,
        IReadOnlyDictionary<string, Product> catalog, HashSet<string> excluded, UserScoringOptions options)
    {
        var content = new Dictionary<string, (double Score, string Seed)>(StringComparer.Ordinal);
        if (!(options.NewItemWeight > 0) || weighted.Count == 0 || catalog.Count == 0)
        {
            return content;
        }

        var heaviest = weighted[0].Weight;
        var contentSeeds = weighted.Take(ContentSeeds).Where(h => catalog.ContainsKey(h.Item)).ToList();
        foreach (var product in NewProductsFor(model, scorer, catalog))
        {
            if (excluded.Contains(product.Id))
            {
                continue;
            }

            foreach (var h in contentSeeds)
            {
                var score = options.NewItemWeight * (h.Weight / heaviest) * CatalogSimilarity.Score(catalog[h.Item], product);
                if (score > 0 && score > content.GetValueOrDefault(product.Id).Score)
                {
                    content[product.Id] = (score, h.Item);
                }
            }
        }

        return content;
    }

    /// <summary>A product's match with the profile's tastes in [0, 1]: the mean of its category's and its brand's affinity, each relative to the profile's strongest.</summary>
    private static Func<Product, double> TasteOf(ProfileSignal profile)
    {
        var maxCategory = profile.Categories.Count > 0 ? profile.Categories.Values.Max() : 0;
        var maxBrand = profile.Brands.Count > 0 ? profile.Brands.Values.Max() : 0;
        return p => ((maxCategory > 0 ? profile.Categories.GetValueOrDefault(p.Category) / maxCategory : 0)
                     + (maxBrand > 0 && p.Brand is { } brand ? profile.Brands.GetValueOrDefault(brand.ToLowerInvariant()) / maxBrand : 0)) / 2;
    }

    private static RecommendedItem NewAndLike(string productId, double score, string seed, IReadOnlyDictionary<string, Product> catalog) =>
        new(productId, score, $"New, and like {(catalog.TryGetValue(seed, out var p) ? p.Name : seed)}", $"content:{seed}");

    /// <summary>Indices of the <paramref name="count"/> best positive scores that pass <paramref name="accept"/>, best first (ties by index); <paramref name="accept"/> is asked only of scores good enough to enter.</summary>
    private static List<int> TopIndices(double[] scores, int count, Func<int, bool> accept)
    {
        var heap = new PriorityQueue<int, (double Score, int Index)>(count + 1, WeakestFirst.Instance);
        var weakest = (Score: 0.0, Index: int.MaxValue);
        for (var i = 0; i < scores.Length; i++)
        {
            var score = scores[i];
            if (score <= 0 || (heap.Count >= count && WeakestFirst.Instance.Compare((score, i), weakest) <= 0) || !accept(i))
            {
                continue;
            }

            heap.Enqueue(i, (score, i));
            if (heap.Count > count)
            {
                heap.Dequeue();
            }

            if (heap.Count >= count)
            {
                heap.TryPeek(out _, out weakest);
            }
        }

        var best = new List<int>(heap.Count);
        while (heap.Count > 0)
        {
            best.Add(heap.Dequeue());
        }

        best.Reverse();
        return best;
    }

    private sealed class WeakestFirst : IComparer<(double Score, int Index)>
    {
        public static readonly WeakestFirst Instance = new();

        public int Compare((double Score, int Index) x, (double Score, int Index) y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : y.Index.CompareTo(x.Index);
        }
    }

    private static RecommendedItem Explain(string productId, double score, bool tasteOnly, IReadOnlyList<HistoryItem> weighted, Dictionary<string, string> kinds,
        UserScorer scorer, ItemSimilarityModel model, Dictionary<string, (double Score, string Seed)> content, IReadOnlyDictionary<string, Product> catalog)
    {
        if (tasteOnly)
        {
            return new RecommendedItem(productId, score, "Matches your interests", "interests");
        }

        string? seed = null;
        var strongest = 0.0;
        foreach (var h in weighted)
        {
            var contribution = UserScoring.Contribution(scorer, h.Item, h.Weight, productId, h.Recent);
            if (contribution == 0 && !scorer.Covers(h.Item))
            {
                contribution = h.Weight * (model.NeighborsOf(h.Item).FirstOrDefault(n => n.ProductId == productId)?.Score ?? 0);
            }

            if (contribution > strongest)
            {
                (seed, strongest) = (h.Item, contribution);
            }
        }

        if (seed is null && content.TryGetValue(productId, out var similar))
        {
            return NewAndLike(productId, score, similar.Seed, catalog);
        }

        if (seed is null)
        {
            return new RecommendedItem(productId, score, "Recommended for you", "for_you");
        }

        return Explain(productId, score, new Seed(seed, strongest, kinds.GetValueOrDefault(seed, "viewed")), catalog);
    }

    /// <summary>Products related to <paramref name="seedIds"/> (product page, cart cross-sell); <paramref name="fill"/>: popular products fill a short list (below every neighbour).</summary>
    public static IReadOnlyList<RecommendedItem> RelatedTo(IReadOnlyList<string> seedIds, string kind, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> catalog, ISet<string> exclude, int size, bool fill = true)
    {
        var excluded = new HashSet<string>(exclude, StringComparer.Ordinal);
        excluded.UnionWith(seedIds);
        // A product page's own context is explicit, not inferred; a cart's sensitive items still never seed.
        var seeds = seedIds.Where(id => kind == "similar" || !(catalog.TryGetValue(id, out var p) && p.Sensitive)).Select(id => new Seed(id, 1.0, kind)).ToList();
        return Rank(seeds, model, catalog, excluded, size, fill);
    }

    /// <summary>What a customer must never be shown: products in the cart, bought or disliked.</summary>
    public static HashSet<string> ExclusionsFor(CustomerProfile? profile)
    {
        var exclude = new HashSet<string>(StringComparer.Ordinal);
        if (profile is not null)
        {
            exclude.UnionWith(profile.Cart.Keys);
            exclude.UnionWith(profile.Purchased.Keys);
            exclude.UnionWith(profile.Dislikes.Keys);
        }

        return exclude;
    }

    /// <summary>
    /// Filler rescaled under the list it tops up: its scores (another scale — popularity counts, not
    /// similarities or user scores) become a share of the lowest score already picked, in the same
    /// order, so every list's scores fall from real candidates to filler and no sort can lift filler
    /// above a real match.
    /// </summary>
    public static IReadOnlyList<RecommendedItem> Below(IReadOnlyList<RecommendedItem> picked, IReadOnlyList<RecommendedItem> filler)
    {
        ArgumentNullException.ThrowIfNull(picked);
        ArgumentNullException.ThrowIfNull(filler);
        if (filler.Count == 0)
        {
            return filler;
        }

        var floor = picked.Count == 0 ? 1.0 : Math.Max(picked.Min(i => i.Score), 0);
        var top = filler.Max(i => i.Score);
        return filler.Select(i => i with { Score = top <= 0 ? 0 : Math.Round(floor * 0.5 * Math.Max(i.Score, 0) / top, 6) }).ToList();
    }

    /// <summary>The most popular products not excluded.</summary>
    public static IEnumerable<RecommendedItem> Popular(IReadOnlyList<ScoredItem> popular, IReadOnlyDictionary<string, Product> catalog, ISet<string> exclude) =>
        popular.Where(p => !exclude.Contains(p.ProductId) && IsOffered(p.ProductId, catalog))
            .Select(p => new RecommendedItem(p.ProductId, p.Score, "Popular with other customers", "popular"));

    /// <summary>Products the catalog knows and has in stock (everything passes while no catalog is loaded).</summary>
    public static bool IsOffered(string productId, IReadOnlyDictionary<string, Product> catalog) =>
        catalog.Count == 0 || (catalog.TryGetValue(productId, out var product) && product.InStock);

    private static List<RecommendedItem> Rank(List<Seed> seeds, ItemSimilarityModel model, IReadOnlyDictionary<string, Product> catalog,
        HashSet<string> exclude, int size, bool fill)
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
        if (fill && ranked.Count < size)
        {
            var taken = new HashSet<string>(ranked.Select(r => r.ProductId), StringComparer.Ordinal);
            taken.UnionWith(exclude);
            ranked.AddRange(Below(ranked, Popular(model.Popular, catalog, taken).Take(size - ranked.Count).ToList()));
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
            "wishlisted" => $"Because you saved {name}",
            _ => $"Customers who viewed {name} also viewed this",
        };
        return new RecommendedItem(productId, Math.Round(score, 6), reason, $"{seed.Kind}:{seed.ProductId}");
    }
}
