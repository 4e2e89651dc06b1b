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
/// The home list's rule as served today: the customer's 20 most recent products, recency-weighted
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
