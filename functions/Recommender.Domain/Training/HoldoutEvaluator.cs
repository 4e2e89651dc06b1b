using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;

namespace Recommender.Domain.Training;

/// <summary>Training events and what each evaluated customer went on to interact with afterwards.</summary>
public sealed record HoldoutSplit(
    IReadOnlyList<ClickstreamEvent> Train,
    IReadOnlyDictionary<string, IReadOnlyList<string>> History,
    IReadOnlyDictionary<string, HashSet<string>> Relevant,
    DateTimeOffset Cutoff);

/// <summary>
/// The training workflow's offline check on a recent window: models are trained on events before
/// the cut-off and asked, for every customer with history before it, for the top <c>k</c> items they
/// had not touched yet; the relevant items are the new ones they interacted with after it. Metrics
/// (binary relevance): <c>ndcg@k</c>, <c>hr@k</c>, <c>precision@k</c>, <c>recall@k</c>, averaged over
/// customers. Scoring mirrors serving: the customer's recent items, recency-weighted, times item
/// similarities, popular items to fill.
/// </summary>
public static class HoldoutEvaluator
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);
    private const int MaxSeeds = 20;
    private const double RecencyDecay = 0.85;

    public static HoldoutSplit Split(IReadOnlyList<ClickstreamEvent> events, TimeSpan window)
    {
        var interactions = events.Where(e => ItemSimilarityTrainer.IsInteraction(e.Type) && !e.IsPseudonymized && e.SubjectId is not null).ToList();
        var newest = interactions.Count == 0 ? DateTimeOffset.MinValue : interactions.Max(e => e.OccurredAt);
        var cutoff = newest == DateTimeOffset.MinValue ? newest : newest - window;
        var train = events.Where(e => e.OccurredAt < cutoff).ToList();
        var history = interactions.Where(e => e.OccurredAt < cutoff)
            .GroupBy(e => e.SubjectId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.SelectMany(e => e.AllProductIds.Select(p => (p, e.OccurredAt)))
                .GroupBy(x => x.p, StringComparer.Ordinal).OrderByDescending(x => x.Max(y => y.OccurredAt)).Select(x => x.Key).ToList(), StringComparer.Ordinal);
        var relevant = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var e in interactions.Where(e => e.OccurredAt >= cutoff))
        {
            if (!history.TryGetValue(e.SubjectId!, out var seen))
            {
                continue;
            }

            foreach (var productId in e.AllProductIds.Where(p => !seen.Contains(p)))
            {
                if (!relevant.TryGetValue(e.SubjectId!, out var set))
                {
                    relevant[e.SubjectId!] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.Add(productId);
            }
        }

        return new HoldoutSplit(train, history, relevant, cutoff);
    }

    public static IReadOnlyDictionary<string, double> Evaluate(ItemSimilarityModel model, HoldoutSplit split, int k = 10)
    {
        double ndcg = 0, hits = 0, precision = 0, recall = 0;
        foreach (var (customer, relevant) in split.Relevant)
        {
            var top = TopK(model, split.History[customer], k);
            var dcg = 0.0;
            var found = 0;
            for (var i = 0; i < top.Count; i++)
            {
                if (relevant.Contains(top[i]))
                {
                    dcg += 1 / Math.Log2(i + 2);
                    found++;
                }
            }

            var ideal = Enumerable.Range(0, Math.Min(k, relevant.Count)).Sum(i => 1 / Math.Log2(i + 2));
            ndcg += dcg / ideal;
            hits += found > 0 ? 1 : 0;
            precision += (double)found / k;
            recall += (double)found / relevant.Count;
        }

        var n = Math.Max(1, split.Relevant.Count);
        return new Dictionary<string, double>
        {
            [$"ndcg@{k}"] = Math.Round(ndcg / n, 6),
            [$"hr@{k}"] = Math.Round(hits / n, 6),
            [$"precision@{k}"] = Math.Round(precision / n, 6),
            [$"recall@{k}"] = Math.Round(recall / n, 6),
            ["users"] = split.Relevant.Count,
        };
    }

    private static List<string> TopK(ItemSimilarityModel model, IReadOnlyList<string> history, int k)
    {
        var seen = new HashSet<string>(history, StringComparer.Ordinal);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(MaxSeeds, history.Count); i++)
        {
            var weight = Math.Pow(RecencyDecay, i);
            foreach (var neighbor in model.NeighborsOf(history[i]))
            {
                if (!seen.Contains(neighbor.ProductId))
                {
                    scores[neighbor.ProductId] = scores.GetValueOrDefault(neighbor.ProductId) + weight * neighbor.Score;
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
