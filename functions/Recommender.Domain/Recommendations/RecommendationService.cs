using Microsoft.Extensions.Options;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Recommendations;

/// <summary>One item of a response, with what a storefront or an email template needs to show and explain it.</summary>
public sealed record RecommendationView(string ProductId, string? Name, string? Category, decimal? Price, string? ImageUrl, double Score, string Reason, string ReasonCode)
{
    public string? Brand { get; init; }
    public string? Url { get; init; }
}

/// <summary>
/// A served list. <see cref="Source"/> tells where it came from: <c>cache</c> (precomputed),
/// <c>computed</c> (built now from the profile), <c>session</c> (from the products the storefront
/// passed for the current visit), <c>related</c> (product or cart context), <c>trending</c>,
/// <c>recent</c> or <c>popular</c>. <see cref="Personalized"/> is false whenever the customer's
/// behaviour was not used (unknown, no consent, personalization withdrawn, objection, a minor).
/// </summary>
public sealed record RecommendationResponse(string RecommendationId, string CustomerId, string Placement, string ModelVersion, string Source, IReadOnlyList<RecommendationView> Items)
{
    public bool Personalized { get; init; }
    public string? Variant { get; init; }
    /// <summary>Home and email: the strategy served (<c>personalized</c>, <c>trending</c>, <c>popular</c>) and whether the bandit explored.</summary>
    public string? Strategy { get; init; }
    public bool Explored { get; init; }

    /// <summary>
    /// The kept answer these items are (see <c>ServedList</c>): the same id for every request the kept answer serves —
    /// the same items shown with the same catalog instance — and a new one whenever an answer is kept anew; null when
    /// the items were picked for this request alone. Not part of the answer a storefront gets: it lets the layer that
    /// writes answers reuse what it wrote for the same items (the HTTP layer's <c>RenderedItems</c>).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long? KeptAnswer { get; init; }
}

/// <summary>
/// Serves every placement: candidates by placement (the customer's cached ranked list, the trained
/// item neighbours, real-time viewed- and bought-together counters, trending, the visit's products),
/// then <see cref="ServingRules"/> on top. Degrades — to a list computed now, to session-based, to
/// popular — and never fails for an unknown customer. Customers who may not be personalized for get
/// only popular, trending and similar-to-context lists.
/// </summary>
public sealed class RecommendationService(IDocumentStore documents, ProfileStore profiles, ModelStore models, CatalogProvider catalog, TrendingStore trending,
    BanditPolicy bandit, Experiments.ExperimentAssigner experiments, Segments.SegmentMembership membership, IOptions<ServingOptions> options, TimeProvider timeProvider,
    Events.EventWeights? eventWeights = null)
{
    /// <summary>The store's event weights (the injected table profiles, trainers and serving share): history weights of computed lists.</summary>
    public Events.EventWeights Weights { get; } = eventWeights ?? Events.EventWeights.Default;

    private const int CandidatePool = RecommendationEngine.CachedListSize;

    /// <summary>The model and catalog of the last request that could read them: what a degraded answer is made of.</summary>
    private sealed record LastGood(ItemSimilarityModel Model, IReadOnlyDictionary<string, Product> Products);

    private volatile LastGood? _lastGood;

    /// <summary>
    /// The answer when the stores cannot be read (a sustained Cosmos DB 429 storm, an outage): the popular list of
    /// the last model and catalog this instance served, under the request's filters — never personalized, no
    /// store call, no bandit or experiment. <c>null</c> when this instance has served nothing yet.
    /// </summary>
    public RecommendationResponse? Degraded(RecommendationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_lastGood is not { } good)
        {
            return null;
        }

        var exclude = new HashSet<string>(request.ExcludeProductIds, StringComparer.Ordinal);
        if (request.ProductId is { } current)
        {
            exclude.Add(current);
        }

        CatalogAvailability.AddExclusions(exclude, good.Products, timeProvider.GetUtcNow());

        var candidates = RecommendationEngine.Popular(good.Model.Popular, good.Products, exclude).Take(CandidatePool)
            .Concat(CatalogFiller(good.Products, exclude))
            .Where(i => InCategory(i.ProductId, request.Category, good.Products));
        var items = ServingRules.Apply(candidates, request.Count, exclude, null, good.Products, request.Filters, options.Value, request.Diversity, distinct: true);
        var now = timeProvider.GetUtcNow();
        return new RecommendationResponse($"rec-{ServedListIds.Next(now):N}", request.CustomerId, Placements.NameOf(request.Placement), good.Model.Version, "degraded", Views(items, good.Products));
    }

    public async Task<RecommendationResponse> GetAsync(RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var model = await ModelForAsync(request.Placement, cancellationToken).ConfigureAwait(false);
        var products = await catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        _lastGood = new LastGood(model, products);
        CachedRecommendations? cached = null;
        CustomerProfile? stored;
        if (request.Placement is Placement.Home or Placement.Email)
        {
            cached = await documents.GetSharedAsync<CachedRecommendations>(Collections.Recommendations, request.CustomerId, request.CustomerId, cancellationToken).ConfigureAwait(false);
        }

        // A current cached list carries what the rules need of the profile: one read serves the request.
        var snapshot = cached is { Snapshot: { } kept } && cached.ModelVersion == model.Version ? kept : null;
        stored = snapshot is not null
            ? snapshot.ToProfile(request.CustomerId)
            : await profiles.GetAsync(request.CustomerId, cancellationToken).ConfigureAwait(false);
        // Exclusions and age checks always use what we know; ranking uses behaviour only when allowed.
        // The placement's already-seen policy (cart, purchases, views for a while), the customer's dislikes, unavailable products.
        var seen = options.Value.SeenPolicyFor(request.Placement);
        var exclude = AlreadySeen.Exclusions(stored, products, now, seen, request.Placement);
        NegativeFeedback.AddExclusions(exclude, stored);
        CatalogAvailability.AddExclusions(exclude, products, now); // hidden, search-only, not launched or past the end of sale
        exclude.UnionWith(request.ExcludeProductIds);
        var personal = stored is not null && (cached?.Snapshot is not null || stored.PersonalizationAllowed(now)) ? stored : null;
        if (personal is null)
        {
            cached = null;
        }

        // Home and email: the bandit picks the strategy (the best one it knows for the context, or an exploration).
        var placementName = Placements.NameOf(request.Placement);
        // The customer's segments (latest segmentation run) only when someone needs them: a targeted
        // experiment, the bandit's context. Kept with a current cached list, else read once; a customer
        // not personalized for is in none.
        var segments = snapshot?.Segments;
        async Task<IReadOnlyList<string>> SegmentsAsync(CancellationToken ct) => segments ??= personal is not null
            ? await membership.SegmentsOfPersonalizableAsync(request.CustomerId, ct).ConfigureAwait(false)
            : [];
        BanditChoice? choice = null;
        var assignment = await experiments.AssignAsync(placementName, request.CustomerId, now, SegmentsAsync, cancellationToken).ConfigureAwait(false);
        var context = BanditContext.None;
        if (request.Placement is Placement.Home or Placement.Email)
        {
            // What the profile says (tenure, activity, price band): kept with the cached list, else read from the profile.
            context = personal is null ? context : new BanditContext(BanditPolicy.ContextOf(await SegmentsAsync(cancellationToken).ConfigureAwait(false)),
                snapshot is not null ? snapshot.BanditProfile : BanditContext.ProfilePartOf(personal));
            var canPersonalize = personal is not null || request.SessionItems.Count > 0;
            var available = canPersonalize ? BanditPolicy.Strategies : ["trending", "popular"];
            // A variant named after a strategy serves that strategy (no exploration inside an experiment).
            choice = assignment is { Variant: var variant } && available.Contains(variant)
                ? new BanditChoice(variant, false)
                : await bandit.ChooseAsync(placementName, context, available, canPersonalize ? "personalized" : "popular", cancellationToken).ConfigureAwait(false);
        }

        var (source, candidates) = choice?.Strategy switch
        {
            "trending" => await TrendingOrPopularAsync(request, model, products, exclude, cancellationToken).ConfigureAwait(false),
            "popular" => ("popular", await PopularAsync(model, products, exclude, cancellationToken).ConfigureAwait(false)),
            _ => await CandidatesAsync(request, cached, personal, model, products, exclude, cancellationToken).ConfigureAwait(false),
        };
        // The customer's own signals re-score the candidates (neighbours of dislikes): then the list is served by the general rules.
        // and views back from their exclusion at a reduced score.
        var adjusted = NegativeFeedback.Adjust(candidates, stored, model);
        adjusted = AlreadySeen.Adjust(adjusted ?? candidates, stored, now, seen, request.Placement) ?? adjusted;
        candidates = adjusted ?? candidates;
        // A cached list served its default way (the strategy the bandit exploits, no request filters or
        // exclusions) gives the same items until the list, the catalog or the exclusions' clock change:
        // the answer is kept with the (immutable, shared) list and served again while it holds.
        var remember = source == "cache" && adjusted is null && choice is { Explored: false } && request.ExcludeProductIds.Count == 0 && request.Filters.IsEmpty;
        if (remember && cached!.Served.ItemsFor(products, cached.Snapshot, request.Count, request.Diversity, now, out var keptAnswer) is { } keptItems)
        {
            // The kept items shown with the same catalog instance. The views are made per answer and die young:
            // keeping them (and their rendering) with every list made the collector promote ~3.5 KB per list in
            // the rounds that first serve the lists, in long pauses (docs/benchmarks.md, "first serves").
            return Respond(Views(keptItems, products), keptAnswer);
        }

        // Promotions targeted by purchase propensity use the profile's score only for a customer who may be personalized for.
        var propensity = personal?.PurchasePropensity?.Probability;
        var items = source == "cache" && adjusted is null
            ? ServingRules.Apply(cached!, request.Count, exclude, stored, products, request.Filters, options.Value, request.Diversity, propensity)
            : ServingRules.Apply(candidates, request.Count, exclude, stored, products, request.Filters, options.Value, request.Diversity, propensity: propensity);
        // Rules, a thin neighbourhood, a quiet trending window or a short popularity list left the list
        // short: top it up — popular items, then the rest of the catalog — whatever strategy chose it.
        // Only recently viewed is not topped up: it lists what the customer viewed, nothing else is true there.
        if (items.Count < request.Count && request.Placement != Placement.RecentlyViewed)
        {
            remember = false; // the top-up reads more than the list (popularity, recent views)
            var taken = new HashSet<string>(items.Select(i => i.ProductId), StringComparer.Ordinal);
            taken.UnionWith(exclude);
            if (personal is not null && request.Placement is Placement.Home or Placement.Email)
            {
                taken.UnionWith(personal.RecentViews.Select(v => v.ProductId)); // "for you" is for discovery
            }

            if (request.ProductId is { } current)
            {
                taken.Add(current); // never the product being looked at
            }

            foreach (var filler in new[] { await PopularAsync(model, products, taken, cancellationToken).ConfigureAwait(false), CatalogFiller(products, taken) })
            {
                if (items.Count >= request.Count)
                {
                    break;
                }

                var more = ServingRules.Apply(filler.Where(i => InCategory(i.ProductId, request.Category, products)),
                    request.Count - items.Count, taken, stored, products, request.Filters, options.Value, request.Diversity, items, propensity: propensity);
                items = [.. items, .. RecommendationEngine.Below(items, more)];
                taken.UnionWith(more.Select(i => i.ProductId));
            }
        }

        if (products.Count == 0 && catalog.IsLoaded)
        {
            // A catalog is loaded and it is empty: nothing may be shown, whatever lists or models still name.
            (items, remember) = ([], false);
        }

        long? answer = null;
        if (remember)
        {
            // The picked items themselves (already held by the list), in the slots made with the list: nothing new for the collector.
            var validUntil = Min(AlreadySeen.ChangesAt(stored, products, now, seen, request.Placement), CatalogAvailability.NextChangeAfter(products, now));
            answer = cached!.Served.Keep(products, cached.Snapshot, request.Count, request.Diversity, validUntil, items);
        }

        return Respond(Views(items, products), answer);

        RecommendationResponse Respond(IReadOnlyList<RecommendationView> served, long? keptAnswer)
        {
            // The bandit learns from the strategy whose list was served: a trending choice that fell back to
            // popular (nothing moved in the window) is credited to popular, never to an empty trending list;
            // an empty list (nothing may be shown) names no arm, so no feedback on it can teach the bandit.
            var strategy = choice is { } c ? ServedStrategy(c.Strategy, source) : null;
            var recommendationId = strategy is not null && served.Count > 0
                ? BanditPolicy.RecommendationIdOf(placementName, context.Key, strategy, ServedListIds.Next(now))
                : $"rec-{ServedListIds.Next(now):N}";
            var personalized = personal is not null && source is "cache" or "computed" or "related" or "recent" && request.Placement is not (Placement.Product or Placement.AlsoBought or Placement.CompleteTheLook);
            return new RecommendationResponse(recommendationId, request.CustomerId, placementName, model.Version, source, served)
            {
                Personalized = personalized,
                Strategy = strategy,
                Explored = choice?.Explored ?? false,
                Variant = assignment?.Variant,
                KeptAnswer = keptAnswer,
            };
        }
    }

    private async Task<(string Source, IEnumerable<RecommendedItem> Candidates)> CandidatesAsync(RecommendationRequest request, CachedRecommendations? cached,
        CustomerProfile? personal, ItemSimilarityModel model, IReadOnlyDictionary<string, Product> products, HashSet<string> exclude, CancellationToken cancellationToken)
    {
        var sessionItems = request.SessionItems.Where(products.Count == 0 ? _ => true : products.ContainsKey).ToList();
        switch (request.Placement)
        {
            case Placement.Home or Placement.Email when cached is not null && cached.ModelVersion == model.Version:
                return ("cache", cached.Items);
            case Placement.Home or Placement.Email when personal is not null && (personal.RecentViews.Count > 0 || personal.Cart.Count > 0 || personal.Purchased.Count > 0
                || personal.StatedCategories.Count > 0 || personal.StatedBrands.Count > 0):
                return ("computed", RecommendationEngine.ForCustomer(personal, model, products, options: options.Value.UserScoring, weights: Weights, viewedExcluded: KeptForThePolicy));

            case Placement.Product:
                return ("related", await RelatedToProductAsync(request.ProductId!, model, products, exclude, cancellationToken).ConfigureAwait(false));
            case Placement.AlsoBought:
                return ("related", await BoughtWithAsync(request.ProductId!, model, products, exclude, cancellationToken).ConfigureAwait(false));
            case Placement.CompleteTheLook:
                return ("related", await CompleteTheLookAsync(request.ProductId!, model, products, exclude, cancellationToken).ConfigureAwait(false));
            case Placement.Cart when personal is { Cart.Count: > 0 }:
                return ("related", RecommendationEngine.RelatedTo(personal.Cart.Keys.ToList(), "in_cart", model, products, exclude, CandidatePool));
            case Placement.Home or Placement.Email when sessionItems.Count > 0:
                // Cold start: the visit's products are a history the model scores at once (fold-in; no retraining).
                var visit = timeProvider.GetUtcNow();
                return ("session", RecommendationEngine.ForHistory(sessionItems.Select(id => new HistorySignal(id, visit, Weights.View, "viewed")).ToList(),
                    model, products, new HashSet<string>([.. exclude, .. sessionItems], StringComparer.Ordinal), CandidatePool, options.Value.UserScoring));
            case Placement.Cart when sessionItems.Count > 0:
                return ("session", RecommendationEngine.RelatedTo(sessionItems, "viewed", model, products, exclude, CandidatePool));
            case Placement.Trending:
                return await TrendingOrPopularAsync(request, model, products, exclude, cancellationToken).ConfigureAwait(false);
            case Placement.RecentlyViewed when personal is not null:
                return ("recent", personal.RecentViews.Select((v, i) => new RecommendedItem(v.ProductId, Math.Round(1.0 / (i + 1), 6), "You viewed this recently", $"viewed:{v.ProductId}")));
            case Placement.RecentlyViewed:
                return ("recent", []);
            default:
                return ("popular", await PopularAsync(model, products, exclude, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Computes and stores a customer's ranked list (after a material profile change or a retraining).</summary>
    public async Task RefreshCacheAsync(CustomerProfile profile, CancellationToken cancellationToken = default)
    {
        if (!profile.PersonalizationAllowed(timeProvider.GetUtcNow()))
        {
            await DeleteCacheAsync(profile.CustomerId, cancellationToken).ConfigureAwait(false);
            return;
        }

        var model = await ModelForAsync(Placement.Home, cancellationToken).ConfigureAwait(false);
        var products = await catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var items = RecommendationEngine.ForCustomer(profile, model, products, options: options.Value.UserScoring, weights: Weights, viewedExcluded: KeptForThePolicy);
        // The segments go with the list (the segmentation run keeps them current): serving reads one document.
        var segments = await membership.SegmentsOfPersonalizableAsync(profile.CustomerId, cancellationToken).ConfigureAwait(false);
        var entry = new CachedRecommendations(profile.CustomerId, model.Version, timeProvider.GetUtcNow(), items)
        {
            Snapshot = ProfileSnapshot.Of(profile) with { Segments = segments },
        };
        await documents.PutSharedAsync(Collections.Recommendations, profile.CustomerId, profile.CustomerId, entry, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The model of the algorithm configured for the placement (<see cref="ServingOptions.PlacementAlgorithms"/>), else the current one.</summary>
    private async Task<ItemSimilarityModel> ModelForAsync(Placement placement, CancellationToken cancellationToken) =>
        options.Value.PlacementAlgorithms.Count > 0
        && options.Value.PlacementAlgorithms.TryGetValue(Placements.NameOf(placement), out var algorithm)
        && await models.GetForPlacementsAsync(algorithm, cancellationToken).ConfigureAwait(false) is { } model
            ? model
            : await models.GetCurrentAsync(cancellationToken).ConfigureAwait(false);

    public Task<bool> DeleteCacheAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.DeleteAsync(Collections.Recommendations, customerId, customerId, cancellationToken);

    /// <summary>
    /// A product page: the trained neighbours — or, for a product the model does not know yet, the
    /// real-time co-viewed counters — then products with the same catalog attributes (content), each
    /// tier below the one before, so a product nobody has interacted with much still gets a full list
    /// of related products with true reasons before any popular filler (issue 15, coverage).
    /// </summary>
    private async Task<IReadOnlyList<RecommendedItem>> RelatedToProductAsync(string productId, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> products, HashSet<string> exclude, CancellationToken cancellationToken)
    {
        IReadOnlyList<RecommendedItem> related;
        if (model.NeighborsOf(productId).Count > 0)
        {
            related = RecommendationEngine.RelatedTo([productId], "similar", model, products, exclude, CandidatePool, fill: false);
        }
        else
        {
            var stats = await profiles.GetItemAsync(productId, cancellationToken).ConfigureAwait(false);
            related = FromPairs(stats?.CoViewed, productId, products, name => $"Customers who viewed {name} also viewed this", "similar");
        }

        if (related.Count >= CandidatePool || !products.TryGetValue(productId, out var product))
        {
            return related;
        }

        var taken = new HashSet<string>(exclude, StringComparer.Ordinal);
        taken.UnionWith(related.Select(i => i.ProductId));
        var content = CatalogSimilarity.SimilarTo(product, products, taken, CandidatePool - related.Count);
        return related.Count == 0 ? content : [.. related, .. RecommendationEngine.Below(related, content)];
    }

    /// <summary>Bought together (real-time, decayed), then the trained neighbours.</summary>
    private async Task<IReadOnlyList<RecommendedItem>> BoughtWithAsync(string productId, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> products, HashSet<string> exclude, CancellationToken cancellationToken)
    {
        var stats = await profiles.GetItemAsync(productId, cancellationToken).ConfigureAwait(false);
        var bought = FromPairs(stats?.BoughtTogether, productId, products, name => $"Customers who bought {name} also bought this", "bought_with");
        var similar = RecommendationEngine.RelatedTo([productId], "similar", model, products, exclude, CandidatePool);
        // Two scales (decayed pair counts, similarities) made comparable by tier: bought together in
        // (0.5, 1], the trained neighbours in (0, 0.5], each relative to its own best.
        return [.. Scaled(bought, 0.5, 0.5), .. Scaled(similar, 0, 0.5)];

        static IEnumerable<RecommendedItem> Scaled(IReadOnlyList<RecommendedItem> items, double floor, double span)
        {
            var top = items.Count == 0 ? 0 : items.Max(i => i.Score);
            return items.Select(i => i with { Score = Math.Round(floor + (top <= 0 ? 0 : span * Math.Max(i.Score, 0) / top), 6) });
        }
    }

    /// <summary>Items from other categories that go with the product: bought with it, or its neighbours outside its category.</summary>
    private async Task<IReadOnlyList<RecommendedItem>> CompleteTheLookAsync(string productId, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> products, HashSet<string> exclude, CancellationToken cancellationToken)
    {
        var category = products.TryGetValue(productId, out var product) ? product.Category : null;
        var name = product?.Name ?? productId;
        var related = await BoughtWithAsync(productId, model, products, exclude, cancellationToken).ConfigureAwait(false);
        // Only what was bought with the product is said to complete its look; a trained neighbour in another
        // category keeps its own (true) reason.
        return related
            .Where(i => category is null || (products.TryGetValue(i.ProductId, out var other) && !string.Equals(other.Category, category, StringComparison.OrdinalIgnoreCase)))
            .Select(i => i.ReasonCode.StartsWith("bought_with:", StringComparison.Ordinal) ? i with { Reason = $"Completes the look with {name}", ReasonCode = $"complements:{productId}" } : i)
            .ToList();
    }

    /// <summary>
    /// Trending in the window; when nothing moved in it (a quiet store, or a fresh one), popular in the
    /// same category instead of an empty list — for the trending placement and for the trending
    /// strategy of home and email (an experiment variant or the bandit) alike.
    /// </summary>
    private async Task<(string Source, IEnumerable<RecommendedItem> Candidates)> TrendingOrPopularAsync(RecommendationRequest request, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> products, HashSet<string> exclude, CancellationToken cancellationToken)
    {
        var trendingNow = await TrendingAsync(request, products, cancellationToken).ConfigureAwait(false);
        if (trendingNow.Count > 0)
        {
            return ("trending", trendingNow);
        }

        var popular = await PopularAsync(model, products, exclude, cancellationToken).ConfigureAwait(false);
        return ("popular", popular.Where(i => InCategory(i.ProductId, request.Category, products)).ToList());
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>Home and email lists keep the customer's viewed products: the placement's <see cref="SeenPolicy"/> excludes them at request time, and brings them back when it says.</summary>
    private static bool KeptForThePolicy(Profiles.RecentItem view) => false;

    /// <summary>The strategy whose list was served: the chosen one, unless it fell back to popular.</summary>
    private static string ServedStrategy(string chosen, string source) => source is "popular" ? "popular" : chosen;

    private static bool InCategory(string productId, string? category, IReadOnlyDictionary<string, Product> products) =>
        category is null || (products.TryGetValue(productId, out var p) && string.Equals(p.Category, category, StringComparison.OrdinalIgnoreCase));

    /// <summary>The last filler: the catalog's other products (lowest score, catalog order), said to be from the catalog — true of each.</summary>
    private static IEnumerable<RecommendedItem> CatalogFiller(IReadOnlyDictionary<string, Product> products, HashSet<string> taken) =>
        products.Values.Where(p => p.InStock && !taken.Contains(p.Id)).OrderBy(p => p.Id, StringComparer.Ordinal)
            .Take(4 * RecommendationRequest.MaxCount).Select(p => new RecommendedItem(p.Id, 0, "More from our catalog", "catalog"));

    private async Task<IReadOnlyList<RecommendedItem>> TrendingAsync(RecommendationRequest request, IReadOnlyDictionary<string, Product> products, CancellationToken cancellationToken)
    {
        var window = request.Window ?? TimeSpan.FromDays(1);
        var top = await trending.TopAsync(window, 500, cancellationToken).ConfigureAwait(false);
        var label = window.TotalHours < 2 ? "this hour" : window.TotalDays <= 1 ? "today" : "this week";
        return top
            .Where(t => request.Category is null || (products.TryGetValue(t.ProductId, out var p) && string.Equals(p.Category, request.Category, StringComparison.OrdinalIgnoreCase)))
            .Select(t => new RecommendedItem(t.ProductId, t.Score, $"Trending {label}", request.Category is null ? "trending" : $"trending:{request.Category}"))
            .ToList();
    }

    private List<RecommendedItem> FromPairs(Dictionary<string, double>? pairs, string productId, IReadOnlyDictionary<string, Product> products, Func<string, string> reason, string code)
    {
        var name = products.TryGetValue(productId, out var p) ? p.Name : productId;
        return (pairs ?? [])
            .Where(kv => kv.Key != productId)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(CandidatePool)
            .Select(kv => new RecommendedItem(kv.Key, Math.Round(ItemStats.PairDecay.Value(kv.Value, timeProvider.GetUtcNow()), 6), reason(name), $"{code}:{productId}"))
            .ToList();
    }

    private async Task<IReadOnlyList<RecommendedItem>> PopularAsync(ItemSimilarityModel model, IReadOnlyDictionary<string, Product> products,
        ISet<string> exclude, CancellationToken cancellationToken)
    {
        var popular = model.Popular;
        if (popular.Count == 0)
        {
            // No model trained yet: the real-time popularity board.
            var board = await profiles.GetPopularityAsync(cancellationToken).ConfigureAwait(false);
            popular = (board?.Scores ?? []).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new ScoredItem(kv.Key, Math.Round(kv.Value, 6))).ToList();
        }

        return RecommendationEngine.Popular(popular, products, exclude).Take(CandidatePool).ToList();
    }

    private static ItemViews Views(IReadOnlyList<RecommendedItem> items, IReadOnlyDictionary<string, Product> products) => new(items, products);

    /// <summary>
    /// An answer's items as views of the catalog instance it was served with, each made when it is first read: an answer
    /// the HTTP layer writes from its kept answer's written items (<see cref="RecommendationResponse.KeptAnswer"/>) reads none,
    /// and ten catalog lookups in cold memory were the largest cost left on that path in a profile under load.
    /// </summary>
    private sealed class ItemViews(IReadOnlyList<RecommendedItem> items, IReadOnlyDictionary<string, Product> products) : IReadOnlyList<RecommendationView>
    {
        private readonly RecommendationView?[] _views = new RecommendationView?[items.Count];

        public int Count => _views.Length;

        public RecommendationView this[int index] => _views[index] ??= ToView(items[index], products); // a race makes two equal views: either is right

        public IEnumerator<RecommendationView> GetEnumerator()
        {
            for (var i = 0; i < _views.Length; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static RecommendationView ToView(RecommendedItem item, IReadOnlyDictionary<string, Product> products)
    {
        products.TryGetValue(item.ProductId, out var p);
        return new RecommendationView(item.ProductId, p?.Name, p?.Category, p?.Price, p?.ImageUrl, item.Score, item.Reason, item.ReasonCode)
        {
            Brand = p?.Brand,
            Url = p?.Url,
        };
    }
}
