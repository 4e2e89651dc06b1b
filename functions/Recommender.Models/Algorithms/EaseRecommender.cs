using System.Globalization;
using System.Numerics.Tensors;

namespace Recommender.Models.Algorithms;

/// <summary>
/// EASE, the embarrassingly shallow auto-encoder (Steck, WWW 2019): an item × item weight matrix
/// in closed form, B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹, so diag(B) = 0. A user's score
/// for item j is Σᵢ x_ui·B_ij. Strong on catalogs of up to some ten thousand items; the dense
/// matrix and the O(n³) inversion make it refuse larger ones (<see cref="EaseOptions.MaxItems"/>).
/// Unknown users get the most popular items. Deterministic: there is no randomness at all.
/// </summary>
public sealed class EaseRecommender(EaseOptions? options = null) : IRecommenderAlgorithm, IItemToItem, IUserScorable
{
    private readonly EaseOptions _options = options ?? new EaseOptions();
    private UserItemMatrix? _matrix;
    private double[] _weights = [];

    public string Name => "ease";

    public EaseOptions Options => _options;

    public void Fit(IReadOnlyList<Interaction> interactions, TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(context);
        if (!(_options.Lambda > 0))
        {
            throw new ArgumentException("EASE needs a positive λ.", nameof(context));
        }

        if (_options.Dropout is < 0 or >= 1)
        {
            throw new ArgumentException("EASE's dropout must be in [0, 1).", nameof(context));
        }

        if (_options.SequenceWeight is < 0 or > 1 || !(_options.SequenceWindow > 0))
        {
            throw new ArgumentException("EASE's sequence weight must be in [0, 1] and its window positive.", nameof(context));
        }

        var matrix = UserItemMatrix.Build(interactions);
        var n = matrix.ItemCount;
        if (n > _options.MaxItems)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"EASE refuses {n:N0} items: above MaxItems ({_options.MaxItems:N0}) its dense item×item matrix ({8.0 * n * n / 1e9:F1} GB) and O(n³) inversion do not fit. Use als or an item-kNN model, or raise EaseOptions.MaxItems."));
        }

        context.Progress?.Report(string.Create(CultureInfo.InvariantCulture, $"ease: Gram matrix of {n} items from {matrix.NonZeros} user-item pairs"));
        var gram = new double[n * n];
        var timeline = _options.SequenceWeight > 0 ? TimelineRanks.Of(interactions, matrix) : null;
        var kernel = timeline is null ? [] : SequenceKernel(timeline.Longest);
        for (var user = 0; user < matrix.UserCount; user++)
        {
            var items = matrix.ItemsOf(user);
            var values = matrix.ValuesOf(user);
            var ranks = timeline is null ? default : timeline.RanksOf(user);
            for (var p = 0; p < items.Length; p++)
            {
                var xp = _options.UseWeights ? values[p] : 1.0;
                var row = items[p] * n;
                for (var q = 0; q <= p; q++)
                {
                    var pair = xp * (_options.UseWeights ? values[q] : 1.0);
                    gram[row + items[q]] += timeline is null ? pair : pair * kernel[Math.Abs(ranks[p] - ranks[q])];
                }
            }
        }

        var dropout = _options.Dropout / (1 - _options.Dropout);
        for (var i = 0; i < n; i++)
        {
            gram[(i * n) + i] += _options.Lambda + (dropout * gram[(i * n) + i]);
        }

        context.Progress?.Report("ease: inverting (Cholesky)");
        EaseLinearAlgebra.InvertSymmetricPositiveDefinite(gram, n);
        ToWeights(gram, n);
        _weights = gram;
        _matrix = matrix;
    }

    public IReadOnlyList<string> Items => _matrix?.Items ?? [];

    /// <summary>Row i of B (diag(B) = 0): how much having item i predicts each other item.</summary>
    public IReadOnlyList<ScoredItem> SimilarItems(string item, int k)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("ease is not trained: call Fit first.");
        if (!matrix.ItemIndex.TryGetValue(item, out var i))
        {
            return [];
        }

        var n = matrix.ItemCount;
        return ItemToItem.FromScores(_weights.AsSpan(i * n, n), matrix.Items, k);
    }

    /// <summary>B's rows, each truncated to its <paramref name="rowWidth"/> weights of largest magnitude: a user scores Σₕ wₕ·B[h, ·].</summary>
    public UserScorer ExportScorer(int rowWidth)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("ease is not trained: call Fit first.");
        var n = matrix.ItemCount;
        return ItemToItem.Scorer(matrix.Items, rowWidth, (i, row) => _weights.AsSpan(i * n, n).CopyTo(row));
    }

    public IReadOnlyList<ScoredItem> Recommend(string user, int k, bool excludeSeen)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("Fit the model before asking for recommendations.");
        if (!matrix.UserIndex.TryGetValue(user, out var u))
        {
            return matrix.MostPopular(k);
        }

        var n = matrix.ItemCount;
        var scores = new double[n];
        var items = matrix.ItemsOf(u);
        var values = matrix.ValuesOf(u);
        for (var p = 0; p < items.Length; p++)
        {
            var x = _options.UseWeights ? values[p] : 1.0;
            TensorPrimitives.MultiplyAdd(_weights.AsSpan(items[p] * n, n), x, scores, scores);
        }

        if (!excludeSeen)
        {
            // diag(B) = 0 gives a seen item no score of its own: blend the user's own history in (repeat purchases).
            var history = new double[values.Length];
            for (var p = 0; p < values.Length; p++)
            {
                history[p] = values[p];
            }

            HistoryBlend.Apply(scores, items, history);
        }

        var single = new float[n];
        TensorPrimitives.ConvertTruncating<double, float>(scores, single);
        return matrix.TopK(single, k, u, excludeSeen);
    }

    /// <summary>The learned weight B[i, j] (for tests and diagnostics).</summary>
    internal double Weight(string from, string to)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("Fit the model first.");
        return _weights[(matrix.ItemIndex[from] * matrix.ItemCount) + matrix.ItemIndex[to]];
    }

    /// <summary>The weight of a pair of a user's items |a − b| ranks apart in time: (1 − s) + s·exp(−|a − b| / w), exactly 1 at distance 0.</summary>
    private double[] SequenceKernel(int longest)
    {
        var (share, window) = (_options.SequenceWeight, _options.SequenceWindow);
        var kernel = new double[Math.Max(1, longest)];
        for (var d = 0; d < kernel.Length; d++)
        {
            kernel[d] = d > 12 * window ? 1 - share : (1 - share) + (share * Math.Exp(-d / window));
        }

        return kernel;
    }

    /// <summary>Turns P = (XᵀX + λI)⁻¹ into B: B_ij = −P_ij / P_jj, B_jj = 0.</summary>
    private static void ToWeights(double[] p, int n)
    {
        var scale = new double[n];
        for (var j = 0; j < n; j++)
        {
            scale[j] = -1 / p[(j * n) + j];
        }

        Parallel.For(0, n, i =>
        {
            var row = p.AsSpan(i * n, n);
            TensorPrimitives.Multiply(row, scale, row);
            row[i] = 0;
        });
    }
}
