namespace Recommender.Models;

/// <summary>A trained customer found near a history: its row in <see cref="UserScorer.UserRows"/> and the similarity.</summary>
public readonly record struct UserNeighbour(int Row, double Similarity);

/// <summary>
/// The user-user scoring of a <c>users</c> <see cref="UserScorer"/> (fold-in: any history, known to
/// training or not, is compared with the trained customers' weighted histories):
/// <list type="bullet">
/// <item>similarity of a history h (the covered items, positive weights) to a trained row v —
/// cosine Σ hᵢvᵢ / (‖h‖₂‖v‖₂), or weighted Jaccard Σ min(hᵢ, vᵢ) / Σ max(hᵢ, vᵢ) = Σ min / (‖h‖₁ + ‖v‖₁ − Σ min);</item>
/// <item>the neighbours: the <see cref="UserScorer.Neighbours"/> most similar rows (ties by the lower
/// row) among those sharing an item with h and holding at least one item h does not — a row with
/// nothing new (the customer's own training history, or an identical one) cannot add anything;</item>
/// <item>the score of item j: Σ_N sim · vⱼ / Σ_N sim, the neighbours' similarity-weighted affinity for j.</item>
/// </list>
/// Only the rows sharing an item with the history are visited (an item → rows index built once), and
/// the candidate set is sparse, so a call costs the postings of the history's items, not the user count.
/// </summary>
public static class UserNeighbourhood
{
    public const string Cosine = "cosine";
    public const string Jaccard = "jaccard";

    /// <summary>The nearest trained customers of <paramref name="history"/>, most similar first.</summary>
    public static IReadOnlyList<UserNeighbour> Nearest(UserScorer scorer, IReadOnlyList<HistoryItem> history)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(history);
        return Nearest(scorer, Known(scorer, history));
    }

    /// <summary>Each covered item's score (aligned with <see cref="UserScorer.Items"/>): the neighbours' similarity-weighted affinity.</summary>
    internal static void Score(UserScorer scorer, List<(int Index, double Weight)> known, double[] scores)
    {
        var neighbours = Nearest(scorer, MergeDuplicates(known));
        var total = neighbours.Sum(n => n.Similarity);
        if (total <= 0)
        {
            return;
        }

        var rows = scorer.UserRows!;
        foreach (var (row, similarity) in neighbours)
        {
            var r = rows[row];
            var share = similarity / total;
            for (var m = 0; m < r.Columns.Length; m++)
            {
                scores[r.Columns[m]] += share * r.Weights[m];
            }
        }
    }

    private static Dictionary<int, double> Known(UserScorer scorer, IReadOnlyList<HistoryItem> history)
    {
        var known = new Dictionary<int, double>();
        foreach (var h in history)
        {
            if (h.Weight > 0 && scorer.Index.TryGetValue(h.Item, out var i))
            {
                known[i] = known.GetValueOrDefault(i) + h.Weight;
            }
        }

        return known;
    }

    private static Dictionary<int, double> MergeDuplicates(List<(int Index, double Weight)> known)
    {
        var merged = new Dictionary<int, double>(known.Count);
        foreach (var (index, weight) in known)
        {
            merged[index] = merged.GetValueOrDefault(index) + weight;
        }

        return merged;
    }

    private static List<UserNeighbour> Nearest(UserScorer scorer, Dictionary<int, double> known)
    {
        if (known.Count == 0 || scorer.Neighbours < 1)
        {
            return [];
        }

        var cosine = string.Equals(scorer.Similarity, Cosine, StringComparison.Ordinal);
        var postings = scorer.Postings;
        var norms = scorer.RowNorms;
        var rows = scorer.UserRows!;

        // Per row sharing an item: Σ hᵢvᵢ (cosine) or Σ min(hᵢ, vᵢ) (Jaccard), and how many items it shares.
        var overlap = new Dictionary<int, (double Sum, int Shared)>();
        var historyNorm = 0.0;
        foreach (var (item, weight) in known)
        {
            historyNorm += cosine ? weight * weight : weight;
            var (users, weights) = postings[item];
            for (var p = 0; p < users.Length; p++)
            {
                var term = cosine ? weight * weights[p] : Math.Min(weight, weights[p]);
                overlap[users[p]] = overlap.TryGetValue(users[p], out var o) ? (o.Sum + term, o.Shared + 1) : (term, 1);
            }
        }

        historyNorm = cosine ? Math.Sqrt(historyNorm) : historyNorm;
        var heap = new PriorityQueue<int, (double Similarity, int Row)>(scorer.Neighbours + 1, WeakestFirst.Instance);
        foreach (var (row, (sum, shared)) in overlap)
        {
            if (shared >= rows[row].Columns.Length)
            {
                continue; // nothing the history does not already hold
            }

            var similarity = cosine ? sum / (historyNorm * norms[row]) : sum / (historyNorm + norms[row] - sum);
            if (!(similarity > 0))
            {
                continue;
            }

            heap.Enqueue(row, (similarity, row));
            if (heap.Count > scorer.Neighbours)
            {
                heap.Dequeue();
            }
        }

        var nearest = new List<UserNeighbour>(heap.Count);
        while (heap.TryDequeue(out var row, out var key))
        {
            nearest.Add(new UserNeighbour(row, key.Similarity));
        }

        nearest.Reverse();
        return nearest;
    }

    private sealed class WeakestFirst : IComparer<(double Similarity, int Row)>
    {
        public static readonly WeakestFirst Instance = new();

        // Negative when x ranks below y: lower similarity, or equal similarity and a higher row.
        public int Compare((double Similarity, int Row) x, (double Similarity, int Row) y)
        {
            var bySimilarity = x.Similarity.CompareTo(y.Similarity);
            return bySimilarity != 0 ? bySimilarity : y.Row.CompareTo(x.Row);
        }
    }
}
