using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;
using Recommender.Domain.Training;
using Recommender.Models;
using Recommender.Models.Algorithms;

namespace Recommender.Domain.Recommendations;

/// <summary>
/// What the re-ranker knows of one product, computed at training time from the events it learned
/// from (and the catalog then): how many customers touched it, how many in the trending window, the
/// share of its buyers who bought it again, its age and how long since anyone touched it, its
/// category, brand and price band, and whether it is in a sensitive category (its interactions then
/// shape no customer-side feature). Serving reads the same facts (stored with the model), so an
/// item's features never differ between training and serving.
/// </summary>
public sealed record ItemFacts(int Customers, int RecentCustomers, double RepeatRate, double AgeDays, double IdleDays,
    string? Category = null, string? Brand = null, string? PriceBand = null, bool Sensitive = false);

/// <summary>
/// The inputs of the re-ranker's features other than the customer's history: the item facts as of
/// <see cref="AsOf"/> (the newest event it was built from), the customer count, and how deep the
/// base list is re-ranked (<see cref="Candidates"/>).
/// </summary>
public sealed record ReRankTable(DateTimeOffset AsOf, int Customers, int Candidates, IReadOnlyDictionary<string, ItemFacts> Items)
{
    /// <summary>The trending window counted back from <see cref="AsOf"/> (as the trending placement's default).</summary>
    public static readonly TimeSpan TrendingWindow = TimeSpan.FromDays(7);

    /// <summary>Item facts of <paramref name="events"/> (interactions of non-pseudonymized subjects), with catalog attributes where the catalog has the product.</summary>
    public static ReRankTable Build(IReadOnlyList<ClickstreamEvent> events, IReadOnlyDictionary<string, Product> catalog, EventWeights weights, int candidates)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(weights);
        var interactions = events.Where(e => ItemSimilarityTrainer.IsInteraction(e.Type) && !e.IsPseudonymized && e.SubjectId is not null && weights.WeightOf(e) > 0).ToList();
        var asOf = interactions.Count > 0 ? interactions.Max(e => e.OccurredAt) : DateTimeOffset.MinValue;
        var since = asOf - TrendingWindow;
        var items = new Dictionary<string, (HashSet<string> Customers, HashSet<string> Recent, Dictionary<string, int> Purchases, DateTimeOffset First, DateTimeOffset Last)>(StringComparer.Ordinal);
        foreach (var e in interactions)
        {
            foreach (var product in e.AllProductIds)
            {
                if (!items.TryGetValue(product, out var facts))
                {
                    facts = ([], [], new Dictionary<string, int>(StringComparer.Ordinal), e.OccurredAt, e.OccurredAt);
                }

                facts.Customers.Add(e.SubjectId!);
                if (e.OccurredAt > since)
                {
                    facts.Recent.Add(e.SubjectId!);
                }

                if (e.Type == EventType.Purchase)
                {
                    facts.Purchases[e.SubjectId!] = facts.Purchases.GetValueOrDefault(e.SubjectId!) + 1;
                }

                items[product] = (facts.Customers, facts.Recent, facts.Purchases,
                    e.OccurredAt < facts.First ? e.OccurredAt : facts.First, e.OccurredAt > facts.Last ? e.OccurredAt : facts.Last);
            }
        }

        var table = new Dictionary<string, ItemFacts>(items.Count, StringComparer.Ordinal);
        foreach (var (product, f) in items.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            catalog.TryGetValue(product, out var p);
            var launched = p?.LaunchAt is { } launch && launch < f.First ? launch : f.First;
            table[product] = new ItemFacts(
                f.Customers.Count,
                f.Recent.Count,
                f.Purchases.Count > 0 ? Math.Round((double)f.Purchases.Values.Count(n => n > 1) / f.Purchases.Count, 6) : 0,
                Math.Round((asOf - launched).TotalDays, 3),
                Math.Round((asOf - f.Last).TotalDays, 3),
                p?.Category,
                p?.Brand?.ToLowerInvariant(),
                p is null ? null : ProfileUpdater.PriceBand(p.Price),
                p?.Sensitive == true);
        }

        return new ReRankTable(asOf, interactions.Select(e => e.SubjectId!).Distinct(StringComparer.Ordinal).Count(), candidates, table);
    }
}

/// <summary>
/// A LightGBM LambdaRank re-ranker attached to a base model (<see cref="ItemSimilarityModel.ReRanker"/>):
/// the base model's served list for a customer (its top <see cref="ReRankTable.Candidates"/>) is
/// re-ordered by <see cref="Ensemble"/> over <see cref="ReRankFeatures"/>. Scores in plain C#
/// (no native library at serving).
/// </summary>
/// <param name="Base">The base algorithm whose list it re-ranks.</param>
/// <param name="Table">The item facts and depth it was trained with.</param>
/// <param name="Ensemble">The trained trees.</param>
/// <param name="Features">The feature names, in order (<see cref="ReRankFeatures.Names"/> when trained).</param>
/// <param name="Queries">Training queries (customers whose candidates held a later item).</param>
/// <param name="Rows">Training rows.</param>
public sealed record ReRanker(string Base, ReRankTable Table, TreeEnsemble Ensemble, IReadOnlyList<string> Features, int Queries, int Rows);

/// <summary>
/// THE features of the re-ranker — the one piece of code training and serving both call
/// (<see cref="RecommendationEngine.ReRankCandidates"/>), so a (customer, item) pair has the same
/// vector in both. From the base list: score, rank, reciprocal rank. From the item facts: popularity
/// (customers, share), trending (customers in the window, share of its customers), repeat-purchase
/// rate, age, idle days, price band. From the customer's history (weighted as the served user
/// scoring weighs it, recency included): the share of it in the item's category, brand and price
/// band (the profile's affinities, computed from the history so they are the same whether the
/// history came from a profile or from archived events), history size, days since their latest
/// interaction, and whether the item shares the category of their latest one. Always finite.
/// </summary>
public static class ReRankFeatures
{
    public static readonly IReadOnlyList<string> Names =
    [
        "base_score", "base_rank", "base_reciprocal_rank",
        "popularity", "popularity_share", "trending", "trending_share", "repeat_rate", "item_age_days", "item_idle_days",
        "category_affinity", "brand_affinity", "price_band_affinity", "price_band",
        "history_items", "customer_idle_days", "same_category_as_latest",
    ];

    private static readonly string[] Bands = ["0-25", "25-50", "50-100", "100-250", "250+"];

    /// <summary>What the features need of one customer, computed once per list.</summary>
    public sealed record Customer(IReadOnlyDictionary<string, double> Categories, IReadOnlyDictionary<string, double> Brands,
        IReadOnlyDictionary<string, double> PriceBands, int HistoryItems, double IdleDays, string? LatestCategory);

    /// <summary>The customer's side: affinities as shares of the recency-weighted history (<paramref name="weighted"/>), over the items the table describes.</summary>
    public static Customer CustomerOf(IReadOnlyList<HistoryItem> weighted, DateTimeOffset? latest, string? latestItem, ReRankTable table)
    {
        ArgumentNullException.ThrowIfNull(weighted);
        ArgumentNullException.ThrowIfNull(table);
        var categories = new Dictionary<string, double>(StringComparer.Ordinal);
        var brands = new Dictionary<string, double>(StringComparer.Ordinal);
        var bands = new Dictionary<string, double>(StringComparer.Ordinal);
        var total = weighted.Sum(h => h.Weight);
        foreach (var h in weighted)
        {
            if (total <= 0 || !table.Items.TryGetValue(h.Item, out var facts))
            {
                continue;
            }

            Add(categories, facts.Category, h.Weight / total);
            Add(brands, facts.Brand, h.Weight / total);
            Add(bands, facts.PriceBand, h.Weight / total);
        }

        var idle = latest is { } at ? Math.Max(0, (table.AsOf - at).TotalDays) : 0;
        var latestCategory = latestItem is not null && table.Items.TryGetValue(latestItem, out var l) ? l.Category : null;
        return new Customer(categories, brands, bands, weighted.Count, idle, latestCategory);

        static void Add(Dictionary<string, double> map, string? key, double share)
        {
            if (key is not null)
            {
                map[key] = map.GetValueOrDefault(key) + share;
            }
        }
    }

    /// <summary>The feature vector of one candidate at (0-based) <paramref name="rank"/> of the base list with base score <paramref name="score"/>.</summary>
    public static float[] Of(Customer customer, ReRankTable table, string item, double score, int rank)
    {
        ArgumentNullException.ThrowIfNull(customer);
        ArgumentNullException.ThrowIfNull(table);
        var facts = table.Items.GetValueOrDefault(item);
        var customers = Math.Max(1, table.Customers);
        var band = facts?.PriceBand is { } b ? Array.IndexOf(Bands, b) : -1;
        return
        [
            (float)score,
            rank + 1,
            1f / (rank + 1),
            (float)Math.Log(1 + (facts?.Customers ?? 0)),
            (float)((facts?.Customers ?? 0) / (double)customers),
            (float)Math.Log(1 + (facts?.RecentCustomers ?? 0)),
            facts is { Customers: > 0 } ? (float)(facts.RecentCustomers / (double)facts.Customers) : 0f,
            (float)(facts?.RepeatRate ?? 0),
            (float)(facts?.AgeDays ?? 0),
            (float)(facts?.IdleDays ?? 0),
            (float)(facts?.Category is { } c ? customer.Categories.GetValueOrDefault(c) : 0),
            (float)(facts?.Brand is { } brand ? customer.Brands.GetValueOrDefault(brand) : 0),
            (float)(facts?.PriceBand is { } pb ? customer.PriceBands.GetValueOrDefault(pb) : 0),
            band,
            (float)Math.Log(1 + customer.HistoryItems),
            (float)customer.IdleDays,
            customer.LatestCategory is not null && facts?.Category == customer.LatestCategory ? 1f : 0f,
        ];
    }
}
