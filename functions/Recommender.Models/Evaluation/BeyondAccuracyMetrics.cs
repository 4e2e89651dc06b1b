namespace Recommender.Models.Evaluation;

/// <summary>
/// Catalog coverage, intra-list diversity and novelty with the definitions of Microsoft Recommenders'
/// <c>python_evaluation.py</c> (<c>catalog_coverage</c>, <c>diversity</c> with the co-occurrence
/// cosine, <c>novelty</c>).
/// </summary>
public static class BeyondAccuracyMetrics
{
    /// <summary>Distinct recommended items / distinct training items.</summary>
    public static double CatalogCoverage(IEnumerable<IReadOnlyList<string>> lists, TrainingStatistics train)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(train);
        var distinct = lists.SelectMany(l => l).ToHashSet(StringComparer.Ordinal).Count;
        return train.ItemCount == 0 ? 0.0 : distinct / (double)train.ItemCount;
    }

    /// <summary>
    /// Mean over users (with at least two recommended items) of 1 − the mean co-occurrence cosine
    /// over the unordered pairs of distinct items in their list.
    /// </summary>
    public static double Diversity(IEnumerable<IReadOnlyList<string>> lists, TrainingStatistics train)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(train);
        var sum = 0.0;
        var users = 0;
        foreach (var list in lists)
        {
            var items = list.Distinct(StringComparer.Ordinal).ToArray();
            if (items.Length < 2)
            {
                continue;
            }

            var similarity = 0.0;
            var pairs = 0;
            for (var a = 0; a < items.Length; a++)
            {
                for (var b = a + 1; b < items.Length; b++)
                {
                    similarity += train.CooccurrenceCosine(items[a], items[b]);
                    pairs++;
                }
            }

            sum += 1 - (similarity / pairs);
            users++;
        }

        return users == 0 ? 0.0 : sum / users;
    }

    /// <summary>
    /// Mean over every recommendation of −log2(p(i)), p(i) = the item's distinct training users /
    /// distinct training user-item pairs (Castells' item choice model). An item unknown to training
    /// adds 0, as in Recommenders' merge.
    /// </summary>
    public static double Novelty(IEnumerable<IReadOnlyList<string>> lists, TrainingStatistics train)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(train);
        var sum = 0.0;
        var count = 0;
        foreach (var item in lists.SelectMany(l => l))
        {
            count++;
            var frequency = train.Frequency(item);
            if (frequency > 0)
            {
                sum += -Math.Log2(frequency / (double)train.DistinctPairs);
            }
        }

        return count == 0 ? 0.0 : sum / count;
    }
}
