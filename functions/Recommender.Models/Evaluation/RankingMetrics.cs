namespace Recommender.Models.Evaluation;

/// <summary>
/// Per-user ranking metrics with the definitions of Microsoft Recommenders'
/// <c>recommenders/evaluation/python_evaluation.py</c> (binary relevance; only the first k
/// recommendations count; an item recommended twice counts once). The evaluator averages them over
/// the evaluated users.
/// </summary>
public static class RankingMetrics
{
    /// <summary>
    /// Average precision: Σ over hits at rank r ≤ k of (hits so far / r), divided by the number of
    /// relevant items (Recommenders' <c>map</c>) or — with <paramref name="capAtK"/> — by min(|relevant|, k)
    /// (Recommenders' <c>map_at_k</c>, as Spark's <c>meanAveragePrecisionAt</c>).
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<string> recommended, IReadOnlySet<string> relevant, int k, bool capAtK = false)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        if (relevant.Count == 0)
        {
            return 0.0;
        }

        var hits = 0;
        var sum = 0.0;
        foreach (var rank in HitRanks(recommended, relevant, k))
        {
            hits++;
            sum += hits / (double)rank;
        }

        return sum / (capAtK ? Math.Min(relevant.Count, k) : relevant.Count);
    }

    /// <summary>
    /// nDCG@k with binary relevance (Recommenders' <c>ndcg_at_k</c>, <c>score_type="binary"</c>):
    /// DCG = Σ over hits at rank r of 1 / ln(1 + r); the ideal DCG puts min(|relevant|, k) hits first.
    /// The logarithm's base cancels in the ratio.
    /// </summary>
    public static double Ndcg(IReadOnlyList<string> recommended, IReadOnlySet<string> relevant, int k)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        if (relevant.Count == 0)
        {
            return 0.0;
        }

        var dcg = HitRanks(recommended, relevant, k).Sum(rank => 1.0 / Math.Log(1 + rank));
        var ideal = 0.0;
        for (var rank = 1; rank <= Math.Min(relevant.Count, k); rank++)
        {
            ideal += 1.0 / Math.Log(1 + rank);
        }

        return dcg / ideal;
    }

    /// <summary>Hits in the top k divided by k, even when fewer than k items were recommended (Recommenders' <c>precision_at_k</c>, as Spark).</summary>
    public static double Precision(IReadOnlyList<string> recommended, IReadOnlySet<string> relevant, int k) =>
        k <= 0 ? 0.0 : HitRanks(recommended, relevant, k).Count() / (double)k;

    /// <summary>Hits in the top k divided by the number of relevant items (Recommenders' <c>recall_at_k</c>).</summary>
    public static double Recall(IReadOnlyList<string> recommended, IReadOnlySet<string> relevant, int k)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        return relevant.Count == 0 ? 0.0 : HitRanks(recommended, relevant, k).Count() / (double)relevant.Count;
    }

    /// <summary>Hit rate: 1 when at least one relevant item is in the top k, else 0.</summary>
    public static double Hit(IReadOnlyList<string> recommended, IReadOnlySet<string> relevant, int k) =>
        HitRanks(recommended, relevant, k).Any() ? 1.0 : 0.0;

    /// <summary>The 1-based ranks (≤ k) of the recommended items that are relevant, each item once.</summary>
    private static IEnumerable<int> HitRanks(IReadOnlyList<string> recommended, IReadOnlySet<string> relevant, int k)
    {
        ArgumentNullException.ThrowIfNull(recommended);
        ArgumentNullException.ThrowIfNull(relevant);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rank = 0;
        foreach (var item in recommended)
        {
            if (!seen.Add(item))
            {
                continue;
            }

            rank++;
            if (rank > k)
            {
                yield break;
            }

            if (relevant.Contains(item))
            {
                yield return rank;
            }
        }
    }
}
