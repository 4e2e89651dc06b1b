using System.Runtime.CompilerServices;
using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;

namespace Recommender.Domain.Training;

/// <summary>
/// Builds the item-item model from archived events: each customer's (or anonymous visitor's) set of
/// products they viewed, carted, wishlisted or bought (<see cref="IsInteraction"/>; every other event
/// type is ignored); similarity of two products is the Jaccard index of their customer
/// sets; popularity is the number of customers, weighted by recency (half-life 30 days, measured
/// from the newest event). Deterministic for the same events.
/// </summary>
public static class ItemSimilarityTrainer
{
    public const int NeighborsPerItem = 50;
    public const int PopularItems = 200;
    /// <summary>Customers with more distinct products than this are skipped for pairs (bots, resellers).</summary>
    public const int MaxItemsPerCustomer = 500;
    private static readonly TimeSpan PopularityHalfLife = TimeSpan.FromDays(30);

    /// <summary>What <see cref="Train"/> gave for one list of events, and the inputs it depends on besides the list.</summary>
    private sealed record Trained(int Count, ClickstreamEvent? Last, ISet<string>? Excluded, int ExcludedCount, IReadOnlyDictionary<string, double> Weights, ItemSimilarityModel Model);

    /// <summary>Keyed by the list itself and held only while the list lives (a training run's events, a search's validation part).</summary>
    private static readonly ConditionalWeakTable<IReadOnlyList<ClickstreamEvent>, Trained> Memo = new();

    /// <summary>
    /// <see cref="Train"/> once per list of events: the neighbours and popularity depend only on the events, the
    /// exclusions and the weights, so every candidate and every trial of a training run that trains on the same list
    /// (the algorithm trainers' popularity and fallback neighbours) shares one computation instead of repeating it: the
    /// same search budget runs about twice the trials (docs/training-and-quality.md). Only the label (<paramref name="version"/>, <paramref name="trainedAt"/>)
    /// differs. The list must not change while it is trained on; a list whose length or last event changed, another
    /// exclusion set (or one of another size) or other weight values are trained again.
    /// </summary>
    public static ItemSimilarityModel TrainOnce(IReadOnlyList<ClickstreamEvent> events, string version, DateTimeOffset trainedAt, ISet<string>? excludedCustomers,
        EventWeights weights)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(weights);
        var last = events.Count > 0 ? events[^1] : null;
        var table = weights.ToTable();
        if (Memo.TryGetValue(events, out var trained) && trained.Count == events.Count && ReferenceEquals(trained.Last, last)
            && ReferenceEquals(trained.Excluded, excludedCustomers) && trained.ExcludedCount == (excludedCustomers?.Count ?? 0)
            && trained.Weights.SequenceEqual(table))
        {
            return trained.Model with { Version = version, TrainedAt = trainedAt };
        }

        var model = Train(events, version, trainedAt, excludedCustomers, weights);
        Memo.AddOrUpdate(events, new Trained(events.Count, last, excludedCustomers, excludedCustomers?.Count ?? 0, table, model));
        return model;
    }

    /// <param name="weights">The store's event weights (null: the defaults): Jaccard is binary, so only their sign counts — a subject and product whose weights sum to zero or less (a dislike) form no pair.</param>
    public static ItemSimilarityModel Train(IEnumerable<ClickstreamEvent> events, string version, DateTimeOffset trainedAt, ISet<string>? excludedCustomers = null,
        EventWeights? weights = null)
    {
        weights ??= EventWeights.Default;
        var signals = TrainingSignals.Of(events, weights, excludedCustomers);
        var itemsByCustomer = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var lastSeen = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var eventCount = signals.EventCount;
        var newest = DateTimeOffset.MinValue;
        foreach (var (subject, productId, at, _) in signals.Interactions)
        {
            newest = at > newest ? at : newest;
            if (!itemsByCustomer.TryGetValue(subject, out var items))
            {
                itemsByCustomer[subject] = items = new HashSet<string>(StringComparer.Ordinal);
            }

            items.Add(productId);
            var key = $"{subject}\n{productId}";
            if (!lastSeen.TryGetValue(key, out var seen) || at > seen)
            {
                lastSeen[key] = at;
            }
        }

        var support = new Dictionary<string, int>(StringComparer.Ordinal);
        var pairs = new Dictionary<(string, string), int>();
        foreach (var items in itemsByCustomer.Values)
        {
            var sorted = items.Order(StringComparer.Ordinal).ToArray();
            foreach (var item in sorted)
            {
                support[item] = support.GetValueOrDefault(item) + 1;
            }

            if (sorted.Length > MaxItemsPerCustomer)
            {
                continue;
            }

            for (var i = 0; i < sorted.Length; i++)
            {
                for (var j = i + 1; j < sorted.Length; j++)
                {
                    var key = (sorted[i], sorted[j]);
                    pairs[key] = pairs.GetValueOrDefault(key) + 1;
                }
            }
        }

        var neighbors = new Dictionary<string, List<ScoredItem>>(StringComparer.Ordinal);
        foreach (var ((a, b), both) in pairs)
        {
            var jaccard = (double)both / (support[a] + support[b] - both);
            Add(neighbors, a, new ScoredItem(b, Math.Round(jaccard, 6)));
            Add(neighbors, b, new ScoredItem(a, Math.Round(jaccard, 6)));
        }

        var popularity = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, at) in lastSeen)
        {
            var productId = key[(key.IndexOf('\n', StringComparison.Ordinal) + 1)..];
            popularity[productId] = popularity.GetValueOrDefault(productId) + Math.Pow(0.5, (newest - at).TotalDays / PopularityHalfLife.TotalDays);
        }

        return new ItemSimilarityModel
        {
            EventWeights = weights.ToTable(),
            Version = version,
            TrainedAt = trainedAt,
            EventCount = eventCount,
            CustomerCount = itemsByCustomer.Count,
            Neighbors = neighbors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(
                kv => kv.Key,
                kv => (IReadOnlyList<ScoredItem>)kv.Value.OrderByDescending(n => n.Score).ThenBy(n => n.ProductId, StringComparer.Ordinal).Take(NeighborsPerItem).ToList(),
                StringComparer.Ordinal),
            Popular = popularity.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Take(PopularItems).Select(kv => new ScoredItem(kv.Key, Math.Round(kv.Value, 6))).ToList(),
        };
    }

    /// <summary>The event types that say a customer wanted a product: view, add_to_cart, wishlist_add, purchase.</summary>
    public static bool IsInteraction(EventType type) =>
        type is EventType.View or EventType.AddToCart or EventType.WishlistAdd or EventType.Purchase;

    private static void Add(Dictionary<string, List<ScoredItem>> neighbors, string key, ScoredItem item)
    {
        if (!neighbors.TryGetValue(key, out var list))
        {
            neighbors[key] = list = [];
        }

        list.Add(item);
    }
}
