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

    /// <summary>
    /// A user scorer of item-weight rows: row i holds the <paramref name="rowWidth"/> entries of largest
    /// magnitude of <paramref name="fill"/>(i) (which writes row i into a zeroed span), columns ascending.
    /// </summary>
    public static UserScorer Scorer(IReadOnlyList<string> items, int rowWidth, Action<int, Span<double>> fill)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowWidth, 1);
        var n = items.Count;
        var rows = new SparseRow[n];
        Parallel.For(0, n, () => new double[n], (i, _, scratch) =>
        {
            Array.Clear(scratch);
            fill(i, scratch);
            // The strongest entries by a bounded heap (weakest on top; among equals the higher index goes first).
            var heap = new PriorityQueue<int, (double Magnitude, int Index)>(rowWidth + 1, Weakest.Instance);
            for (var j = 0; j < n; j++)
            {
                var magnitude = Math.Abs(scratch[j]);
                if (magnitude > 0 && !double.IsNaN(magnitude))
                {
                    heap.Enqueue(j, (magnitude, j));
                    if (heap.Count > rowWidth)
                    {
                        heap.Dequeue();
                    }
                }
            }

            var kept = new int[heap.Count];
            for (var m = 0; m < kept.Length; m++)
            {
                kept[m] = heap.Dequeue();
            }

            Array.Sort(kept);
            rows[i] = new SparseRow(kept, kept.Select(j => (float)scratch[j]).ToArray());
            return scratch;
        }, _ => { });
        return new UserScorer { Kind = UserScorer.ItemWeights, Items = items.ToArray(), Rows = rows };
    }

    private sealed class Weakest : IComparer<(double Magnitude, int Index)>
    {
        public static readonly Weakest Instance = new();

        public int Compare((double Magnitude, int Index) x, (double Magnitude, int Index) y)
        {
            var byMagnitude = x.Magnitude.CompareTo(y.Magnitude);
            return byMagnitude != 0 ? byMagnitude : y.Index.CompareTo(x.Index);
        }
    }
}
