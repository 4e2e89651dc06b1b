using Microsoft.Extensions.Options;
using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;

namespace Recommender.Domain.Training;

/// <summary>
/// The gate's one seam to serving: the top <c>k</c> products a customer with this history would be
/// served by <paramref name="model"/>. Every candidate, every hyper-parameter trial and the served
/// baseline are scored through it, so the gate judges exactly what serving would return once it is
/// pointed at the served scorer (register another implementation in DI). Items the customer already
/// touched are not returned.
/// </summary>
public interface IHoldoutScorer
{
    IReadOnlyList<string> Recommend(ItemSimilarityModel model, CustomerHistory history, int k);
}

/// <summary>
/// The gate scores as serving does: the customer's training events become the same history
/// signals a profile yields (the store's <see cref="EventWeights"/>, the kind of the event; dislikes never seed)
/// and go through <see cref="RecommendationEngine.ForHistory"/> — the served user scoring, with the
/// served <see cref="UserScoringOptions"/> and its popular fill — excluding everything the customer
/// touched (held-out items are ones they had not). No catalog and no profile taste: the holdout has
/// neither, so both models are judged on what they learned from behaviour.
/// </summary>
public sealed class ServedHistoryScorer(IOptions<ServingOptions> options, EventWeights weights) : IHoldoutScorer
{
    public ServedHistoryScorer()
        : this(Options.Create(new ServingOptions()), EventWeights.Default)
    {
    }

    private static readonly IReadOnlyDictionary<string, Catalog.Product> NoCatalog = new Dictionary<string, Catalog.Product>(StringComparer.Ordinal);

    public IReadOnlyList<string> Recommend(ItemSimilarityModel model, CustomerHistory history, int k)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(history);
        var signals = SignalsOf(history.Events, weights);
        var seen = new HashSet<string>(history.Products, StringComparer.Ordinal);
        return RecommendationEngine.ForHistory(signals, model, NoCatalog, seen, k, options.Value.UserScoring).Select(i => i.ProductId).ToList();
    }

    /// <summary>A customer's archived events (newest first) as the history signals a profile yields, oldest first (the weight and kind of each event; dislikes never seed) — the gate's and the re-ranker's training history.</summary>
    public static List<HistorySignal> SignalsOf(IReadOnlyList<ClickstreamEvent> events, EventWeights weights)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(weights);
        var signals = new List<HistorySignal>(events.Count);
        // Oldest first, as a profile lists purchases: the events come newest first, and an order-based model tells equal times apart by position.
        for (var n = events.Count - 1; n >= 0; n--)
        {
            var e = events[n];
            var weight = weights.WeightOf(e);
            if (weight <= 0)
            {
                continue;
            }

            var kind = e.Type switch
            {
                EventType.Purchase => "purchased",
                EventType.AddToCart => "in_cart",
                EventType.WishlistAdd => "wishlisted",
                _ => "viewed",
            };
            foreach (var product in e.AllProductIds)
            {
                signals.Add(new HistorySignal(product, e.OccurredAt, weight, kind));
            }
        }

        return signals;
    }

    /// <summary>The empty catalog the gate scores with (the holdout has none).</summary>
    public static IReadOnlyDictionary<string, Catalog.Product> GateCatalog => NoCatalog;
}

/// <summary>
/// The home list's rule before issue 12 (kept to compare with): the customer's 20 most recent products, recency-weighted
/// (0.85 per step), times their neighbour lists; popular products fill the rest.
/// </summary>
public sealed class NeighbourSumScorer : IHoldoutScorer
{
    private const int MaxSeeds = 20;
    private const double RecencyDecay = 0.85;

    public IReadOnlyList<string> Recommend(ItemSimilarityModel model, CustomerHistory history, int k)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(history);
        var products = history.Products;
        var seen = new HashSet<string>(products, StringComparer.Ordinal);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(MaxSeeds, products.Count); i++)
        {
            var weight = Math.Pow(RecencyDecay, i);
            foreach (var neighbor in model.NeighborsOf(products[i]))
            {
                if (!seen.Contains(neighbor.ProductId))
                {
                    scores[neighbor.ProductId] = scores.GetValueOrDefault(neighbor.ProductId) + (weight * neighbor.Score);
                }
            }
        }

        var top = scores.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(k).Select(kv => kv.Key).ToList();
        foreach (var popular in model.Popular)
        {
            if (top.Count >= k)
            {
                break;
            }

            if (!seen.Contains(popular.ProductId) && !top.Contains(popular.ProductId))
            {
                top.Add(popular.ProductId);
            }
        }

        return top;
    }
}
