namespace Recommender.Models.Algorithms;

/// <summary>Top-k rows of item-item matrices for <see cref="IItemToItem"/>.</summary>
internal static class ItemToItem
{
    public static IReadOnlyList<ScoredItem> FromMatrix(TrainingData data, ItemSimilarityMatrix matrix, string item, int k)
    {
        if (!data.ItemIndex.TryGetValue(item, out var i))
        {
            return [];
        }

        var scores = new double[data.ItemCount];
        matrix.AddRow(i, 1.0, scores);
        scores[i] = 0;
        return FromScores(scores, data.Items, k);
    }

    public static IReadOnlyList<ScoredItem> FromScores(ReadOnlySpan<double> scores, IReadOnlyList<string> items, int k)
    {
        var best = new List<ScoredItem>();
        for (var j = 0; j < scores.Length; j++)
        {
            if (scores[j] > 0)
            {
                best.Add(new ScoredItem(items[j], scores[j]));
            }
        }

        return best.OrderByDescending(s => s.Score).ThenBy(s => s.Item, StringComparer.Ordinal).Take(k).ToList();
    }
}
