using System.Text.Json.Serialization;

namespace Recommender.Models;

/// <summary>
/// One item of a user's history as user scoring sees it: the item and its (recency-)weight; for a scorer with
/// <see cref="UserScorer.HistoryRows"/>, also its position weight (<see cref="Recent"/>, 0 when it is not among the latest).
/// </summary>
public readonly record struct HistoryItem(string Item, double Weight)
{
    /// <summary>The position weight of a latest item, for scorers with <see cref="UserScorer.HistoryRows"/> (0 otherwise).</summary>
    public double Recent { get; init; }
}

/// <summary>An interaction of a user's history before weighting: what, when and how strong (view 1 … purchase 5).</summary>
public readonly record struct HistoryEvent(string Item, DateTimeOffset At, double Weight);

/// <summary>One sparse row of an item × item weight matrix: column indices (into <see cref="UserScorer.Items"/>) and weights.</summary>
public sealed record SparseRow(int[] Columns, float[] Weights);

/// <summary>
/// What a trained model keeps to score ANY user — known to training or not — from a history, in a
/// serializable form (it travels in the model store with the item neighbour lists):
/// <list type="bullet">
/// <item><c>item-weights</c> (EASE, SAR, item-kNN, Jaccard): each covered item's row of the learned
/// item × item matrix (EASE's B, SAR's or kNN's similarity), truncated to its strongest entries; a user's
/// score for j is Σₕ wₕ·W[h, j];</item>
/// <item><c>factors</c> (implicit ALS): the item factors and the ALS settings; a user's factor is
/// solved from the history against them (fold-in: (YᵀY + λI + Σₕ αwₕ yₕyₕᵀ) x = Σₕ (1 + αwₕ) yₕ),
/// then the score of j is xᵀyⱼ. New customers need no retraining.</item>
/// <item><c>users</c> (user-user kNN): the trained customers' weighted histories as sparse rows over
/// <see cref="Items"/> (no customer ids), each truncated to its heaviest entries; a history finds its
/// nearest rows and scores what they hold (<see cref="UserNeighbourhood"/>).</item>
/// </list>
/// <see cref="Items"/> are the items the model covers (a dense model covers the most active ones);
/// history items outside them contribute nothing here and are left to the caller's fallback.
/// </summary>
public sealed record UserScorer
{
    public const string ItemWeights = "item-weights";
    public const string FactorsKind = "factors";
    public const string UsersKind = "users";

    public required string Kind { get; init; }
    public required IReadOnlyList<string> Items { get; init; }
    /// <summary><c>item-weights</c>: one row per item of <see cref="Items"/>.</summary>
    public IReadOnlyList<SparseRow>? Rows { get; init; }
    /// <summary><c>factors</c>: the factor dimension.</summary>
    public int Factors { get; init; }
    /// <summary><c>factors</c>: item factors, row-major, aligned with <see cref="Items"/>.</summary>
    public float[]? ItemFactors { get; init; }
    /// <summary><c>factors</c>: the λ of training.</summary>
    public float Regularization { get; init; }
    /// <summary><c>factors</c>: the confidence α of training (c = 1 + α·w).</summary>
    public float Alpha { get; init; }
    /// <summary><c>users</c>: one row per trained customer (columns into <see cref="Items"/>, ascending; the weighted history).</summary>
    public IReadOnlyList<SparseRow>? UserRows { get; init; }
    /// <summary><c>users</c>: how many nearest customers score a history.</summary>
    public int Neighbours { get; init; }
    /// <summary><c>users</c>: <see cref="UserNeighbourhood.Cosine"/> or <see cref="UserNeighbourhood.Jaccard"/>.</summary>
    public string? Similarity { get; init; }
    /// <summary>
    /// <c>item-weights</c> of an order-based model (sequential rules): when above 0, a history is weighed by
    /// position instead of by age — its <see cref="Recent"/> latest distinct items, the k-th latest
    /// <see cref="PositionDecay"/>ᵏ (<see cref="UserScoring.WeighFor"/>). 0 (every other model): by age.
    /// </summary>
    public int Recent { get; init; }
    /// <summary>With <see cref="Recent"/>: the weight ratio of one position to the next newer one (0 &lt; decay ≤ 1).</summary>
    public double PositionDecay { get; init; }
    /// <summary>
    /// With <see cref="Recent"/>: a second item × item matrix, one row per item of <see cref="Items"/>, scored with the
    /// age weights of the WHOLE history (<see cref="HistoryItem.Weight"/>) while <see cref="Rows"/> are scored with the
    /// position weights of the latest items (<see cref="HistoryItem.Recent"/>): what belongs to everything the customer
    /// did, besides what follows their latest items. Null: <see cref="Rows"/> alone, by position.
    /// </summary>
    public IReadOnlyList<SparseRow>? HistoryRows { get; init; }

    private Dictionary<string, int>? _index;
    private double[]? _gram;
    private (int[] Rows, float[] Weights)[]? _postings;
    private double[]? _rowNorms;

    /// <summary>Item → index into <see cref="Items"/> (built once).</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, int> Index => _index ??= BuildIndex(Items);

    /// <summary><c>factors</c>: YᵀY + λI (f × f, row-major, built once).</summary>
    internal double[] Gram => _gram ??= BuildGram(this);

    /// <summary><c>users</c>: per item, the rows holding it and their weights (built once).</summary>
    internal (int[] Rows, float[] Weights)[] Postings => _postings ??= BuildPostings(this);

    /// <summary><c>users</c>: per row, ‖v‖₂ (cosine) or ‖v‖₁ (Jaccard) (built once).</summary>
    internal double[] RowNorms => _rowNorms ??= (UserRows ?? []).Select(r => Similarity == UserNeighbourhood.Cosine
        ? Math.Sqrt(r.Weights.Sum(w => (double)w * w))
        : r.Weights.Sum(w => (double)w)).ToArray();

    /// <summary>Bytes the scorer holds in memory (rows or factors, not the item ids).</summary>
    [JsonIgnore]
    public long PayloadBytes => Kind switch
    {
        FactorsKind => (ItemFactors?.LongLength ?? 0) * sizeof(float),
        UsersKind => UserRows?.Sum(r => (long)r.Columns.Length * (sizeof(int) + sizeof(float))) ?? 0,
        _ => (Rows?.Sum(r => (long)r.Columns.Length * (sizeof(int) + sizeof(float))) ?? 0)
            + (HistoryRows?.Sum(r => (long)r.Columns.Length * (sizeof(int) + sizeof(float))) ?? 0),
    };

    public bool Covers(string item) => Index.ContainsKey(item);

    /// <summary>An item-weights scorer from item → weighted neighbours (e.g. served neighbour lists).</summary>
    public static UserScorer FromNeighbors(IEnumerable<KeyValuePair<string, IReadOnlyList<ScoredItem>>> neighbors)
    {
        ArgumentNullException.ThrowIfNull(neighbors);
        var rows = neighbors.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var items = rows.Keys.Concat(rows.Values.SelectMany(r => r.Select(s => s.Item))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = BuildIndex(items);
        return new UserScorer
        {
            Kind = ItemWeights,
            Items = items,
            Rows = items.Select(i => rows.TryGetValue(i, out var row)
                ? SortedRow(row.GroupBy(s => index[s.Item]).Select(g => (Column: g.Key, Weight: (float)g.Max(s => s.Score))))
                : new SparseRow([], [])).ToArray(),
        };
    }

    private static SparseRow SortedRow(IEnumerable<(int Column, float Weight)> entries)
    {
        var sorted = entries.OrderBy(e => e.Column).ToArray();
        return new SparseRow(sorted.Select(e => e.Column).ToArray(), sorted.Select(e => e.Weight).ToArray());
    }

    private static Dictionary<string, int> BuildIndex(IReadOnlyList<string> items)
    {
        var index = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            index[items[i]] = i;
        }

        return index;
    }

    private static (int[] Rows, float[] Weights)[] BuildPostings(UserScorer scorer)
    {
        var rows = scorer.UserRows ?? throw new InvalidOperationException("a users scorer needs user rows");
        var lists = new List<(int Row, float Weight)>[scorer.Items.Count];
        for (var i = 0; i < lists.Length; i++)
        {
            lists[i] = [];
        }

        for (var u = 0; u < rows.Count; u++)
        {
            var row = rows[u];
            for (var m = 0; m < row.Columns.Length; m++)
            {
                lists[row.Columns[m]].Add((u, row.Weights[m]));
            }
        }

        return lists.Select(l => (l.Select(e => e.Row).ToArray(), l.Select(e => e.Weight).ToArray())).ToArray();
    }

    private static double[] BuildGram(UserScorer scorer)
    {
        var f = scorer.Factors;
        var y = scorer.ItemFactors ?? [];
        var gram = new double[f * f];
        for (var i = 0; i < scorer.Items.Count; i++)
        {
            var row = y.AsSpan(i * f, f);
            for (var a = 0; a < f; a++)
            {
                for (var b = 0; b <= a; b++)
                {
                    gram[(a * f) + b] += (double)row[a] * row[b];
                }
            }
        }

        for (var a = 0; a < f; a++)
        {
            for (var b = 0; b < a; b++)
            {
                gram[(b * f) + a] = gram[(a * f) + b];
            }

            gram[(a * f) + a] += scorer.Regularization;
        }

        return gram;
    }
}

/// <summary>An algorithm that can hand serving what it needs to score any user from a history.</summary>
public interface IUserScorable
{
    /// <summary>
    /// The learned model as a <see cref="UserScorer"/>. Item-weight models keep each row's
    /// <paramref name="rowWidth"/> strongest entries (by magnitude, so EASE's negative weights stay).
    /// </summary>
    UserScorer ExportScorer(int rowWidth);
}

/// <summary>
/// THE user scoring of every served model — the one function the cache refresh and offline
/// evaluation both call, so what is served is what was evaluated:
/// <see cref="Weigh"/> turns a history into recency-weighted items, <see cref="Score"/> scores every
/// covered item for it, <see cref="Top"/> ranks.
/// </summary>
public static class UserScoring
{
    /// <summary>The default half-life of history weights: an interaction this old counts half as much as the latest one.</summary>
    public static readonly TimeSpan DefaultHalfLife = TimeSpan.FromDays(90);

    /// <summary>
    /// Σ weight · 0.5^((latest − at) / halfLife) per item, where latest is the history's newest
    /// interaction (never the wall clock: the same history weighs the same whenever it is scored).
    /// Items in first-seen order of the heaviest weight.
    /// </summary>
    public static IReadOnlyList<HistoryItem> Weigh(IEnumerable<HistoryEvent> history, TimeSpan? halfLife = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        var events = history as IReadOnlyCollection<HistoryEvent> ?? history.ToList();
        if (events.Count == 0)
        {
            return [];
        }

        var latest = events.Max(e => e.At);
        var days = (halfLife ?? DefaultHalfLife).TotalDays;
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var age = (latest - e.At).TotalDays;
            weights[e.Item] = weights.GetValueOrDefault(e.Item) + (e.Weight * Math.Pow(0.5, Math.Max(0, age) / days));
        }

        return weights.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new HistoryItem(kv.Key, kv.Value)).ToList();
    }

    /// <summary>
    /// The history weighed as <paramref name="scorer"/> was trained to be scored: by position
    /// (<see cref="Latest"/>) when it says so (<see cref="UserScorer.Recent"/> &gt; 0), otherwise by age
    /// (<see cref="Weigh"/>). Serving, the cache refresh and the gate all weigh here.
    /// </summary>
    public static IReadOnlyList<HistoryItem> WeighFor(UserScorer? scorer, IEnumerable<HistoryEvent> history, TimeSpan? halfLife = null) => scorer switch
    {
        { Recent: > 0, HistoryRows: not null } both => Both(history, both.Recent, both.PositionDecay, halfLife),
        { Recent: > 0 } ordered => Latest(history, ordered.Recent, ordered.PositionDecay),
        _ => Weigh(history, halfLife),
    };

    /// <summary>
    /// The whole history weighed by age (<see cref="Weigh"/>), each of the <paramref name="recent"/> latest items also
    /// carrying its position weight (<see cref="Latest"/>, in <see cref="HistoryItem.Recent"/>): for scorers with
    /// <see cref="UserScorer.HistoryRows"/>.
    /// </summary>
    public static IReadOnlyList<HistoryItem> Both(IEnumerable<HistoryEvent> history, int recent, double decay, TimeSpan? halfLife = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        var events = history as IReadOnlyCollection<HistoryEvent> ?? history.ToList();
        var latest = Latest(events, recent, decay).ToDictionary(h => h.Item, h => h.Weight, StringComparer.Ordinal);
        return Weigh(events, halfLife).Select(h => h with { Recent = latest.GetValueOrDefault(h.Item) }).ToList();
    }

    /// <summary>
    /// The <paramref name="recent"/> latest distinct items of a chronological history (by their latest
    /// interaction; between equal times the later in the sequence is the newer), the k-th latest weighing
    /// <paramref name="decay"/>ᵏ × its strongest interaction weight (a purchase more than a view). Newest first.
    /// </summary>
    public static IReadOnlyList<HistoryItem> Latest(IEnumerable<HistoryEvent> history, int recent, double decay)
    {
        ArgumentNullException.ThrowIfNull(history);
        var latest = new Dictionary<string, (DateTimeOffset At, int Position, double Weight)>(StringComparer.Ordinal);
        var position = 0;
        foreach (var e in history)
        {
            // (time, position) grows with the position among equal times: this event is the item's latest unless an earlier one is later in time.
            latest[e.Item] = latest.TryGetValue(e.Item, out var known)
                ? (e.At >= known.At ? (e.At, position, Math.Max(known.Weight, e.Weight)) : known with { Weight = Math.Max(known.Weight, e.Weight) })
                : (e.At, position, e.Weight);
            position++;
        }

        return latest
            .Where(kv => kv.Value.Weight > 0)
            .OrderByDescending(kv => kv.Value.At).ThenByDescending(kv => kv.Value.Position)
            .Take(Math.Max(0, recent))
            .Select((kv, rank) => new HistoryItem(kv.Key, kv.Value.Weight * Math.Pow(decay, rank)))
            .ToList();
    }

    /// <summary>The user's score of every item of <paramref name="scorer"/> (aligned with its <see cref="UserScorer.Items"/>); history items it does not cover are ignored.</summary>
    public static double[] Score(UserScorer scorer, IReadOnlyList<HistoryItem> history)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(history);
        var scores = new double[scorer.Items.Count];
        if (scorer is { Kind: UserScorer.ItemWeights, HistoryRows: { } historyRows })
        {
            var recentRows = scorer.Rows ?? throw new InvalidOperationException("an item-weights scorer needs rows");
            foreach (var h in history)
            {
                if (scorer.Index.TryGetValue(h.Item, out var i))
                {
                    Add(scores, historyRows[i], h.Weight);
                    Add(scores, recentRows[i], h.Recent);
                }
            }

            return scores;
        }

        var known = new List<(int Index, double Weight)>(history.Count);
        foreach (var h in history)
        {
            if (h.Weight > 0 && scorer.Index.TryGetValue(h.Item, out var i))
            {
                known.Add((i, h.Weight));
            }
        }

        if (known.Count == 0)
        {
            return scores;
        }

        if (scorer.Kind == UserScorer.FactorsKind)
        {
            FoldIn(scorer, known, scores);
            return scores;
        }

        if (scorer.Kind == UserScorer.UsersKind)
        {
            UserNeighbourhood.Score(scorer, known, scores);
            return scores;
        }

        var rows = scorer.Rows ?? throw new InvalidOperationException("an item-weights scorer needs rows");
        foreach (var (index, weight) in known)
        {
            Add(scores, rows[index], weight);
        }

        return scores;
    }

    /// <summary>scores += weight · row (nothing for a weight of 0 or less).</summary>
    private static void Add(double[] scores, SparseRow row, double weight)
    {
        if (!(weight > 0))
        {
            return;
        }

        for (var m = 0; m < row.Columns.Length; m++)
        {
            scores[row.Columns[m]] += weight * row.Weights[m];
        }
    }

    /// <summary>The <paramref name="k"/> best items with a positive score, best first (ties by id), skipping <paramref name="exclude"/> and the history itself.</summary>
    public static IReadOnlyList<ScoredItem> Top(UserScorer scorer, IReadOnlyList<HistoryItem> history, int k, Func<string, bool>? exclude = null)
    {
        var scores = Score(scorer, history);
        var seen = new HashSet<string>(history.Select(h => h.Item), StringComparer.Ordinal);
        var best = new List<ScoredItem>();
        for (var j = 0; j < scores.Length; j++)
        {
            var item = scorer.Items[j];
            if (scores[j] > 0 && !seen.Contains(item) && exclude?.Invoke(item) != true)
            {
                best.Add(new ScoredItem(item, scores[j]));
            }
        }

        return best.OrderByDescending(s => s.Score).ThenBy(s => s.Item, StringComparer.Ordinal).Take(k).ToList();
    }

    /// <summary>
    /// How much one history item (weight <paramref name="weight"/>; position weight <paramref name="recent"/> for a
    /// scorer with <see cref="UserScorer.HistoryRows"/>) adds to <paramref name="item"/>'s
    /// score — wₕ·W[h, j] for item weights (wₕ·H[h, j] + rₕ·W[h, j] with history rows), wₕ·yₕᵀyⱼ for factors (a proxy: fold-in is not additive) —
    /// to explain a score by the history item that contributed most. 0 when either is not covered, and
    /// always 0 for a <c>users</c> scorer: its scores come from similar customers, not from one history item.
    /// </summary>
    public static double Contribution(UserScorer scorer, string historyItem, double weight, string item, double recent = 0)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        if (scorer.Kind == UserScorer.UsersKind || !scorer.Index.TryGetValue(historyItem, out var h) || !scorer.Index.TryGetValue(item, out var j))
        {
            return 0;
        }

        if (scorer.Kind == UserScorer.FactorsKind)
        {
            var f = scorer.Factors;
            var y = scorer.ItemFactors!;
            var dot = 0.0;
            for (var a = 0; a < f; a++)
            {
                dot += (double)y[(h * f) + a] * y[(j * f) + a];
            }

            return weight * dot;
        }

        static double At(SparseRow row, int column)
        {
            var at = Array.BinarySearch(row.Columns, column);
            return at >= 0 ? row.Weights[at] : 0;
        }

        return scorer.HistoryRows is { } historyRows
            ? (weight * At(historyRows[h], j)) + (recent * At(scorer.Rows![h], j))
            : weight * At(scorer.Rows![h], j);
    }

    /// <summary>The user factor for the history (fold-in), then xᵀyⱼ for every item.</summary>
    public static float[] FoldInFactor(UserScorer scorer, IReadOnlyList<HistoryItem> history)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        var known = history.Where(h => h.Weight > 0 && scorer.Index.ContainsKey(h.Item)).Select(h => (scorer.Index[h.Item], h.Weight)).ToList();
        return Solve(scorer, known);
    }

    private static void FoldIn(UserScorer scorer, List<(int Index, double Weight)> known, double[] scores)
    {
        var x = Solve(scorer, known);
        var f = scorer.Factors;
        var y = scorer.ItemFactors!;
        for (var j = 0; j < scores.Length; j++)
        {
            var row = y.AsSpan(j * f, f);
            var dot = 0.0;
            for (var a = 0; a < f; a++)
            {
                dot += x[a] * row[a];
            }

            scores[j] = dot;
        }
    }

    private static float[] Solve(UserScorer scorer, List<(int Index, double Weight)> known)
    {
        var f = scorer.Factors;
        var y = scorer.ItemFactors ?? throw new InvalidOperationException("a factors scorer needs item factors");
        var a = (double[])scorer.Gram.Clone();
        var b = new double[f];
        foreach (var (index, weight) in known)
        {
            var row = y.AsSpan(index * f, f);
            var extra = scorer.Alpha * weight;
            var confidence = 1 + extra;
            for (var p = 0; p < f; p++)
            {
                b[p] += confidence * row[p];
                var scaled = extra * row[p];
                for (var q = 0; q <= p; q++)
                {
                    a[(p * f) + q] += scaled * row[q];
                }
            }
        }

        // Cholesky on the lower triangle (A is symmetric positive definite: λ > 0), then two triangular solves.
        for (var j = 0; j < f; j++)
        {
            var d = a[(j * f) + j];
            for (var m = 0; m < j; m++)
            {
                d -= a[(j * f) + m] * a[(j * f) + m];
            }

            d = Math.Sqrt(Math.Max(d, 1e-12));
            a[(j * f) + j] = d;
            for (var i = j + 1; i < f; i++)
            {
                var s = a[(i * f) + j];
                for (var m = 0; m < j; m++)
                {
                    s -= a[(i * f) + m] * a[(j * f) + m];
                }

                a[(i * f) + j] = s / d;
            }
        }

        for (var i = 0; i < f; i++)
        {
            var s = b[i];
            for (var m = 0; m < i; m++)
            {
                s -= a[(i * f) + m] * b[m];
            }

            b[i] = s / a[(i * f) + i];
        }

        for (var i = f - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var m = i + 1; m < f; m++)
            {
                s -= a[(m * f) + i] * b[m];
            }

            b[i] = s / a[(i * f) + i];
        }

        return b.Select(v => (float)v).ToArray();
    }
}
