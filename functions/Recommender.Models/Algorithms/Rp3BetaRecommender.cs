using System.Globalization;

namespace Recommender.Models.Algorithms;

/// <summary>
/// RP3β (Paudel, Christoffel, Newell and Bernstein, ACM TiiS 2016): a three-step random walk on the
/// user–item graph with a popularity penalty. From item i the walk goes to one of its users u
/// (probability 1/|users of i|), then to one of u's items j (probability 1/|items of u|); each
/// probability is raised to α and the arrival at j is divided by popularity(j)^β:
/// W[i, j] = Σᵤ (1/|users of i|)^α (1/|items of u|)^α / |users of j|^β, with W[i, i] = 0 and each row
/// keeping its <see cref="Rp3BetaOptions.Neighbours"/> strongest entries. A user's score for j is
/// Σᵢ W[i, j] over the user's items (each once, interaction weights ignored). Training costs
/// Σᵤ |items of u|² and keeps sparse rows, so wide catalogs are cheap. Deterministic (no randomness;
/// rows are independent). Unknown users get the most popular items.
/// </summary>
public sealed class Rp3BetaRecommender(Rp3BetaOptions? options = null) : IRecommenderAlgorithm, IItemToItem, IUserScorable
{
    private readonly Rp3BetaOptions _options = options ?? new Rp3BetaOptions();
    private UserItemMatrix? _matrix;
    private SparseRow[] _rows = [];

    public string Name => "rp3beta";

    public Rp3BetaOptions Options => _options;

    public IReadOnlyList<string> Items => _matrix?.Items ?? [];

    public void Fit(IReadOnlyList<Interaction> interactions, TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(context);
        if (!(_options.Alpha > 0) || _options.Beta is < 0 or > 2 || _options.Neighbours < 1)
        {
            throw new ArgumentException("RP3β needs α > 0, β in [0, 2] and at least one neighbour.", nameof(context));
        }

        var matrix = UserItemMatrix.Build(interactions);
        var n = matrix.ItemCount;
        context.Progress?.Report(string.Create(CultureInfo.InvariantCulture, $"rp3beta: walk over {n} items and {matrix.UserCount} users ({matrix.NonZeros} pairs)"));
        var userStep = new double[matrix.UserCount];
        for (var u = 0; u < userStep.Length; u++)
        {
            userStep[u] = Math.Pow(1.0 / matrix.ItemsOf(u).Length, _options.Alpha);
        }

        var penalty = new double[n];
        for (var j = 0; j < n; j++)
        {
            var popularity = matrix.Popularity(j);
            penalty[j] = popularity == 0 ? 0 : Math.Pow(popularity, -_options.Beta);
        }

        var rows = new SparseRow[n];
        Parallel.For(0, n, () => (Scores: new double[n], Touched: new List<int>()), (i, _, scratch) =>
        {
            var (scores, touched) = scratch;
            var users = matrix.UsersOf(i);
            var itemStep = Math.Pow(1.0 / Math.Max(1, users.Length), _options.Alpha);
            foreach (var u in users)
            {
                var step = itemStep * userStep[u];
                foreach (var j in matrix.ItemsOf(u))
                {
                    if (scores[j] == 0)
                    {
                        touched.Add(j);
                    }

                    scores[j] += step;
                }
            }

            rows[i] = Strongest(i, scores, touched, penalty, _options.Neighbours);
            foreach (var j in touched)
            {
                scores[j] = 0;
            }

            touched.Clear();
            return scratch;
        }, _ => { });

        _rows = rows;
        _matrix = matrix;
    }

    /// <summary>The learned weight W[i, j] (0 when pruned), for tests and diagnostics.</summary>
    public double Weight(string from, string to)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("rp3beta is not trained: call Fit first.");
        var row = _rows[matrix.ItemIndex[from]];
        var at = Array.BinarySearch(row.Columns, matrix.ItemIndex[to]);
        return at >= 0 ? row.Weights[at] : 0;
    }

    public IReadOnlyList<ScoredItem> SimilarItems(string item, int k)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("rp3beta is not trained: call Fit first.");
        if (!matrix.ItemIndex.TryGetValue(item, out var i))
        {
            return [];
        }

        var scores = new double[matrix.ItemCount];
        AddRow(i, 1.0, scores);
        return ItemToItem.FromScores(scores, matrix.Items, k);
    }

    public UserScorer ExportScorer(int rowWidth)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("rp3beta is not trained: call Fit first.");
        return ItemToItem.Scorer(matrix.Items, rowWidth, (i, row) => AddRow(i, 1.0, row));
    }

    public IReadOnlyList<ScoredItem> Recommend(string user, int k, bool excludeSeen)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("rp3beta is not trained: call Fit first.");
        if (!matrix.UserIndex.TryGetValue(user, out var u))
        {
            return matrix.MostPopular(k);
        }

        var scores = new double[matrix.ItemCount];
        var items = matrix.ItemsOf(u);
        foreach (var i in items)
        {
            AddRow(i, 1.0, scores);
        }

        if (!excludeSeen)
        {
            // W[i, i] = 0 gives a seen item no score of its own: blend the user's own history in (repeat purchases).
            var history = new double[items.Length];
            var values = matrix.ValuesOf(u);
            for (var p = 0; p < history.Length; p++)
            {
                history[p] = values[p];
            }

            HistoryBlend.Apply(scores, items, history);
        }

        var single = new float[scores.Length];
        for (var j = 0; j < scores.Length; j++)
        {
            single[j] = (float)scores[j];
        }

        return matrix.TopK(single, k, u, excludeSeen);
    }

    private void AddRow(int i, double weight, Span<double> scores)
    {
        var row = _rows[i];
        for (var m = 0; m < row.Columns.Length; m++)
        {
            scores[row.Columns[m]] += weight * row.Weights[m];
        }
    }

    /// <summary>Row i of W: the walk's arrival probabilities times the popularity penalty, self excluded, the strongest <paramref name="keep"/> (ties by lower index), columns ascending.</summary>
    private static SparseRow Strongest(int i, double[] walk, List<int> touched, double[] penalty, int keep)
    {
        var candidates = new List<(int Column, double Weight)>(touched.Count);
        foreach (var j in touched)
        {
            if (j != i)
            {
                candidates.Add((j, walk[j] * penalty[j]));
            }
        }

        if (candidates.Count > keep)
        {
            candidates.Sort((x, y) => x.Weight != y.Weight ? y.Weight.CompareTo(x.Weight) : x.Column.CompareTo(y.Column));
            candidates.RemoveRange(keep, candidates.Count - keep);
        }

        candidates.Sort((x, y) => x.Column.CompareTo(y.Column));
        return new SparseRow(candidates.Select(c => c.Column).ToArray(), candidates.Select(c => (float)c.Weight).ToArray());
    }
}
