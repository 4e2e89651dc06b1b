using System.Globalization;
using System.Numerics.Tensors;

namespace Recommender.Models.Algorithms;

/// <summary>
/// EASE, the embarrassingly shallow auto-encoder (Steck, WWW 2019): an item × item weight matrix
/// in closed form, B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹, so diag(B) = 0 (optionally with the
/// denoising penalty, the timeline Gram, the relaxed diagonal and the popularity normalisation of
/// <see cref="EaseOptions"/>). A user's score
/// for item j is Σᵢ x_ui·B_ij. Solved on the items side (dense n × n, O(n³); refused above
/// <see cref="EaseOptions.MaxItems"/>) or, when there are fewer users than items, on the users side
/// (<see cref="EaseDual"/>: the same B from a users × users inverse, nothing n × n stored), so a wide
/// catalog with a modest user base trains in seconds (<see cref="EaseOptions.Solver"/>).
/// Unknown users get the most popular items. Deterministic: there is no randomness at all.
/// </summary>
public sealed class EaseRecommender(EaseOptions? options = null) : IRecommenderAlgorithm, IItemToItem, IUserScorable
{
    private readonly EaseOptions _options = options ?? new EaseOptions();
    private UserItemMatrix? _matrix;
    private double[] _weights = [];
    private EaseDual? _dual;

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

        if (_options.DiagonalRelaxation is < 0 or > 1 || _options.PopularityNormalization is < 0 or > 1 || _options.WeightShare is < 0 or > 1)
        {
            throw new ArgumentException("EASE's diagonal relaxation, popularity normalisation and weight share must be in [0, 1].", nameof(context));
        }

        var matrix = WithWeightShare(UserItemMatrix.Build(interactions), _options.WeightShare);
        var n = matrix.ItemCount;
        if (_options.SequenceWeight > 0 && TimelineTooWide(matrix))
        {
            context.Progress?.Report(string.Create(CultureInfo.InvariantCulture, $"ease: {n} items > MaxTimelineItems ({_options.MaxTimelineItems}): timeline order ignored, user-side solve"));
        }

        if (UsesUserSide(matrix))
        {
            // Fewer users than items: the users × users solve gives the same B without an n × n matrix.
            context.Progress?.Report(string.Create(CultureInfo.InvariantCulture, $"ease: user-side solve ({matrix.UserCount} users < {n} items)"));
            _dual = EaseDual.Solve(matrix, _options with { UseWeights = Weighted });
            _weights = [];
            _matrix = matrix;
            return;
        }

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
                var xp = Weighted ? values[p] : 1.0;
                var row = items[p] * n;
                for (var q = 0; q <= p; q++)
                {
                    var pair = xp * (Weighted ? values[q] : 1.0);
                    gram[row + items[q]] += timeline is null ? pair : pair * kernel[Math.Abs(ranks[p] - ranks[q])];
                }
            }
        }

        var dropout = _options.Dropout / (1 - _options.Dropout);
        var penalty = new double[n];
        for (var i = 0; i < n; i++)
        {
            penalty[i] = _options.Lambda + (dropout * gram[(i * n) + i]);
            gram[(i * n) + i] += penalty[i];
        }

        context.Progress?.Report("ease: inverting (Cholesky)");
        EaseLinearAlgebra.InvertSymmetricPositiveDefinite(gram, n);
        ToWeights(gram, n, penalty, PopularityScale(matrix, _options.PopularityNormalization));
        _weights = gram;
        _dual = null;
        _matrix = matrix;
    }

    public IReadOnlyList<string> Items => _matrix?.Items ?? [];

    /// <summary>Whether X holds the matrix's values (<see cref="EaseOptions.UseWeights"/> or a <see cref="EaseOptions.WeightShare"/>) rather than 1.</summary>
    private bool Weighted => _options.UseWeights || _options.WeightShare > 0;

    /// <summary>Row i of B (diag(B) = 0): how much having item i predicts each other item.</summary>
    public IReadOnlyList<ScoredItem> SimilarItems(string item, int k)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("ease is not trained: call Fit first.");
        if (!matrix.ItemIndex.TryGetValue(item, out var i))
        {
            return [];
        }

        var n = matrix.ItemCount;
        if (_dual is { } dual)
        {
            var row = new double[n];
            dual.Row(i, row);
            return ItemToItem.FromScores(row, matrix.Items, k);
        }

        return ItemToItem.FromScores(_weights.AsSpan(i * n, n), matrix.Items, k);
    }

    /// <summary>B's rows, each truncated to its <paramref name="rowWidth"/> weights of largest magnitude: a user scores Σₕ wₕ·B[h, ·].</summary>
    public UserScorer ExportScorer(int rowWidth)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("ease is not trained: call Fit first.");
        var n = matrix.ItemCount;
        return _dual is { } dual
            ? ItemToItem.Scorer(matrix.Items, rowWidth, dual.Row)
            : ItemToItem.Scorer(matrix.Items, rowWidth, (i, row) => _weights.AsSpan(i * n, n).CopyTo(row));
    }

    public IReadOnlyList<ScoredItem> Recommend(string user, int k, bool excludeSeen)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("Fit the model before asking for recommendations.");
        if (!matrix.UserIndex.TryGetValue(user, out var u))
        {
            return matrix.MostPopular(k);
        }

        var n = matrix.ItemCount;
        var items = matrix.ItemsOf(u);
        var values = matrix.ValuesOf(u);
        var scores = _dual?.ScoresOf(u) ?? new double[n];
        for (var p = 0; p < items.Length && _dual is null; p++)
        {
            var x = Weighted ? values[p] : 1.0;
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
        if (_dual is { } dual)
        {
            var row = new double[matrix.ItemCount];
            dual.Row(matrix.ItemIndex[from], row);
            return row[matrix.ItemIndex[to]];
        }

        return _weights[(matrix.ItemIndex[from] * matrix.ItemCount) + matrix.ItemIndex[to]];
    }

    /// <summary>Whether this fit solves on the user side (<see cref="EaseSolver"/>; Auto: fewer users than items and no timeline weighting).</summary>
    private bool UsesUserSide(UserItemMatrix matrix) => _options.Solver switch
    {
        EaseSolver.Users => _options.SequenceWeight == 0 ? true : throw new InvalidOperationException("EASE's user-side solve needs SequenceWeight 0 (the timeline Gram is not XᵀX)."),
        EaseSolver.Items => false,
        _ => (_options.SequenceWeight == 0 || TimelineTooWide(matrix)) && matrix.UserCount < matrix.ItemCount,
    };

    /// <summary>
    /// The timeline Gram needs the item-side O(n³) solve: above <see cref="EaseOptions.MaxTimelineItems"/> items, when
    /// the user side is available (fewer users than items, <see cref="EaseSolver.Auto"/>), the order is ignored instead.
    /// </summary>
    private bool TimelineTooWide(UserItemMatrix matrix) =>
        _options.Solver == EaseSolver.Auto && matrix.ItemCount > _options.MaxTimelineItems && matrix.UserCount < matrix.ItemCount;

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

    /// <summary>
    /// The matrix with each value w replaced by (1 − s) + s·w / w̄ (<see cref="EaseOptions.WeightShare"/> s, w̄ the
    /// mean value); unchanged for s = 0 or when the mean is not positive (then X stays binary).
    /// </summary>
    internal static UserItemMatrix WithWeightShare(UserItemMatrix matrix, double share)
    {
        var mean = matrix.NonZeros == 0 ? 0 : matrix.UserValues.Average(v => (double)v);
        if (share == 0 || !(mean > 0))
        {
            return matrix;
        }

        return matrix.MapValues(w => (float)((1 - share) + (share * w / mean)));
    }

    /// <summary>
    /// Each item's user count to the power γ (<see cref="EaseOptions.PopularityNormalization"/>), or null
    /// for γ = 0: row i of the weights is multiplied by it and column j divided by it.
    /// </summary>
    internal static double[]? PopularityScale(UserItemMatrix matrix, double gamma)
    {
        if (gamma == 0)
        {
            return null;
        }

        var scale = new double[matrix.ItemCount];
        for (var i = 0; i < scale.Length; i++)
        {
            scale[i] = Math.Pow(Math.Max(1, matrix.UsersOf(i).Length), gamma);
        }

        return scale;
    }

    /// <summary>
    /// The factor cⱼ of column j under <see cref="EaseOptions.DiagonalRelaxation"/> ξ: max(1 − ξ, ΛⱼPⱼⱼ),
    /// exactly 1 for ξ = 0 (EASE) and ΛⱼPⱼⱼ for ξ = 1 (DLAE).
    /// </summary>
    internal static double RelaxedColumn(double relaxation, double penaltyTimesP) =>
        relaxation == 0 ? 1 : Math.Max(1 - relaxation, penaltyTimesP);

    /// <summary>
    /// Turns P = (G + Λ)⁻¹ into the weights: B_ij = −P_ij / P_jj · c_j (c_j = 1 for EASE, see
    /// <see cref="RelaxedColumn"/>), then W_ij = B_ij · s_i / s_j with s the popularity scale; W_jj = 0.
    /// </summary>
    private void ToWeights(double[] p, int n, double[] penalty, double[]? popularity)
    {
        var scale = new double[n];
        for (var j = 0; j < n; j++)
        {
            var pjj = p[(j * n) + j];
            scale[j] = -RelaxedColumn(_options.DiagonalRelaxation, penalty[j] * pjj) / pjj / (popularity?[j] ?? 1);
        }

        Parallel.For(0, n, i =>
        {
            var row = p.AsSpan(i * n, n);
            TensorPrimitives.Multiply(row, scale, row);
            if (popularity is not null)
            {
                TensorPrimitives.Multiply(row, popularity[i], row);
            }

            row[i] = 0;
        });
    }
}
