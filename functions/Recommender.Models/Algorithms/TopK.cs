namespace Recommender.Models.Algorithms;

/// <summary>
/// Picks the best <c>k</c> items from a dense score vector: highest score first; ties by the
/// tie-break value (item popularity), then by the lower item index — so equal scores (zeros
/// included) always come out in the same order and every list is filled to <c>k</c> when the
/// catalog allows.
/// </summary>
internal static class TopK
{
    public static IReadOnlyList<ScoredItem> Select(ReadOnlySpan<double> scores, int k, ReadOnlySpan<double> tieBreak, string[] items, ReadOnlySpan<int> excluded)
    {
        if (k <= 0 || scores.Length == 0)
        {
            return [];
        }

        var skip = new bool[scores.Length];
        foreach (var e in excluded)
        {
            skip[e] = true;
        }

        // Min-heap on "worse": the root is the weakest of the best k seen so far.
        var heap = new PriorityQueue<int, (double Score, double Tie, int Index)>(k + 1, WorseFirst.Instance);
        for (var i = 0; i < scores.Length; i++)
        {
            if (skip[i] || double.IsNaN(scores[i]))
            {
                continue;
            }

            var key = (scores[i], tieBreak[i], i);
            if (heap.Count < k)
            {
                heap.Enqueue(i, key);
            }
            else if (heap.TryPeek(out _, out var weakest) && WorseFirst.Instance.Compare(weakest, key) < 0)
            {
                heap.DequeueEnqueue(i, key);
            }
        }

        var result = new ScoredItem[heap.Count];
        for (var n = result.Length - 1; n >= 0; n--)
        {
            var index = heap.Dequeue();
            result[n] = new ScoredItem(items[index], scores[index]);
        }

        return result;
    }

    private sealed class WorseFirst : IComparer<(double Score, double Tie, int Index)>
    {
        public static readonly WorseFirst Instance = new();

        // Negative when x ranks below y.
        public int Compare((double Score, double Tie, int Index) x, (double Score, double Tie, int Index) y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            if (byScore != 0)
            {
                return byScore;
            }

            var byTie = x.Tie.CompareTo(y.Tie);
            return byTie != 0 ? byTie : y.Index.CompareTo(x.Index);
        }
    }
}
