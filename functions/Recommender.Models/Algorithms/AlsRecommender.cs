using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics.Tensors;

namespace Recommender.Models.Algorithms;

/// <summary>
/// Implicit-feedback matrix factorization by alternating least squares (Hu, Koren and Volinsky,
/// ICDM 2008): minimizes Σ c_ui (p_ui − x_uᵀy_i)² + λ(Σ‖x_u‖² + Σ‖y_i‖²) over every user-item pair,
/// with p_ui = 1 where the user touched the item and confidence c_ui = 1 + α·r_ui. Each factor
/// vector is updated by a few conjugate-gradient steps warm-started from its previous value
/// (Takács, Pilászy and Tikk 2011), which costs O(nnz·f + n·f²) per sweep instead of the exact
/// solve's O(n·f³). Factors are float32; rows are updated in parallel, and each row depends only on
/// the other side's factors, so training is deterministic for <see cref="TrainingContext.Seed"/>
/// whatever the thread count. Unknown users get the most popular items. As an item-to-item
/// relation (<see cref="IItemToItem"/>, what serving stores) an item's neighbours are the items whose
/// factor vectors have the highest positive cosine with its own.
/// </summary>
public sealed class AlsRecommender(AlsOptions? options = null) : IRecommenderAlgorithm, IItemToItem, IUserScorable
{
    private const int RowsPerTask = 64;
    private readonly AlsOptions _options = options ?? new AlsOptions();
    private readonly List<double> _lossHistory = [];
    private UserItemMatrix? _matrix;
    private float[] _userFactors = [];
    private float[] _itemFactors = [];
    private float[] _itemNorms = [];

    public string Name => "als";

    public AlsOptions Options => _options;

    /// <summary>The training loss after each sweep, when <see cref="AlsOptions.TrackLoss"/> is set.</summary>
    public IReadOnlyList<double> LossHistory => _lossHistory;

    /// <summary>User factors, row-major (users in ordinal id order) — for tests and diagnostics.</summary>
    internal ReadOnlySpan<float> UserFactors => _userFactors;

    /// <summary>Item factors, row-major (items in ordinal id order) — for tests and diagnostics.</summary>
    internal ReadOnlySpan<float> ItemFactors => _itemFactors;

    public void Fit(IReadOnlyList<Interaction> interactions, TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(context);
        if (_options.Factors <= 0 || _options.Iterations < 0 || _options.ConjugateGradientSteps <= 0 || _options.Regularization < 0 || _options.Alpha < 0)
        {
            throw new ArgumentException("ALS needs positive factors and CG steps, and non-negative iterations, regularization and alpha.", nameof(context));
        }

        var matrix = UserItemMatrix.Build(interactions);
        var f = _options.Factors;
        var random = new Random(context.Seed);
        var users = new float[matrix.UserCount * f];
        var items = new float[matrix.ItemCount * f];
        var scale = 0.1f / MathF.Sqrt(f);
        for (var n = 0; n < users.Length; n++)
        {
            users[n] = random.NextSingle() * scale;
        }

        for (var n = 0; n < items.Length; n++)
        {
            items[n] = random.NextSingle() * scale;
        }

        _lossHistory.Clear();
        for (var iteration = 0; iteration < _options.Iterations; iteration++)
        {
            Sweep(users, items, matrix.UserStart, matrix.UserItems, matrix.UserValues);
            Sweep(items, users, matrix.ItemStart, matrix.ItemUsers, matrix.ItemValues);
            if (_options.TrackLoss)
            {
                _lossHistory.Add(Loss(matrix, users, items));
                context.Progress?.Report(string.Create(CultureInfo.InvariantCulture, $"als: sweep {iteration + 1}/{_options.Iterations}, loss {_lossHistory[^1]:G6}"));
            }
        }

        _matrix = matrix;
        _userFactors = users;
        _itemFactors = items;
        _itemNorms = new float[matrix.ItemCount];
        for (var i = 0; i < _itemNorms.Length; i++)
        {
            _itemNorms[i] = VectorMath.Norm(items.AsSpan(i * f, f));
        }
    }

    public IReadOnlyList<ScoredItem> Recommend(string user, int k, bool excludeSeen)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("Fit the model before asking for recommendations.");
        if (!matrix.UserIndex.TryGetValue(user, out var u))
        {
            return matrix.MostPopular(k);
        }

        var f = _options.Factors;
        var x = _userFactors.AsSpan(u * f, f);
        var scores = new float[matrix.ItemCount];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = VectorMath.Dot<float>(x, _itemFactors.AsSpan(i * f, f));
        }

        return matrix.TopK(scores, k, u, excludeSeen);
    }

    public IReadOnlyList<string> Items => _matrix?.Items ?? [];

    /// <summary>The item factors and λ, α: any user's factor is solved from a history against them (fold-in). <paramref name="rowWidth"/> is not used.</summary>
    public UserScorer ExportScorer(int rowWidth)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("Fit the model before exporting it.");
        return new UserScorer
        {
            Kind = UserScorer.FactorsKind,
            Items = matrix.Items.ToArray(),
            Factors = _options.Factors,
            ItemFactors = (float[])_itemFactors.Clone(),
            Regularization = _options.Regularization,
            Alpha = _options.Alpha,
        };
    }

    public IReadOnlyList<ScoredItem> SimilarItems(string item, int k)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("Fit the model before asking for similar items.");
        if (!matrix.ItemIndex.TryGetValue(item, out var i))
        {
            return [];
        }

        var f = _options.Factors;
        var y = _itemFactors.AsSpan(i * f, f);
        var scores = new double[matrix.ItemCount];
        if (_itemNorms[i] > 0)
        {
            for (var j = 0; j < scores.Length; j++)
            {
                var denominator = _itemNorms[i] * _itemNorms[j];
                scores[j] = j == i || denominator <= 0 ? 0 : VectorMath.Dot<float>(y, _itemFactors.AsSpan(j * f, f)) / denominator;
            }
        }

        return ItemToItem.FromScores(scores, matrix.Items, k);
    }

    /// <summary>
    /// Updates every row of <paramref name="target"/> given the fixed factors of the other side and
    /// the rows' observed entries (CSR: <paramref name="start"/>, <paramref name="columns"/>, <paramref name="values"/>).
    /// </summary>
    private void Sweep(float[] target, float[] other, int[] start, int[] columns, float[] values)
    {
        var f = _options.Factors;
        var rows = start.Length - 1;
        var gram = Gram(other, f, _options.Regularization);
        var alpha = _options.Alpha;
        var steps = _options.ConjugateGradientSteps;

        // Fixed ranges of rows; every row's result is independent of which thread computes it.
        Parallel.ForEach(
            Partitioner.Create(0, rows, RowsPerTask),
            () => new float[3 * f],
            (range, _, work) =>
            {
                var r = work.AsSpan(0, f);
                var p = work.AsSpan(f, f);
                var ap = work.AsSpan(2 * f, f);
                for (var row = range.Item1; row < range.Item2; row++)
                {
                    var x = target.AsSpan(row * f, f);
                    var cols = columns.AsSpan(start[row], start[row + 1] - start[row]);
                    var vals = values.AsSpan(start[row], cols.Length);
                    ConjugateGradient(x, cols, vals, other, gram, f, alpha, steps, r, p, ap);
                }

                return work;
            },
            _ => { });
    }

    /// <summary>
    /// A few CG steps on (YᵀC_uY + λI) x = YᵀC_u p_u, using YᵀC_uY = YᵀY + Σᵢ (c_ui − 1) y_i y_iᵀ
    /// so only the row's observed entries are visited.
    /// </summary>
    private static void ConjugateGradient(
        Span<float> x, ReadOnlySpan<int> cols, ReadOnlySpan<float> vals, float[] other, float[] gram, int f,
        float alpha, int steps, Span<float> r, Span<float> p, Span<float> ap)
    {
        // r = b − A x = Σ (c − (c − 1)·yᵀx) y − (YᵀY + λI) x
        Multiply(gram, x, r, f);
        TensorPrimitives.Negate(r, r);
        for (var n = 0; n < cols.Length; n++)
        {
            var y = other.AsSpan(cols[n] * f, f);
            var confidence = 1 + (alpha * vals[n]);
            var coefficient = confidence - ((confidence - 1) * VectorMath.Dot<float>(y, x));
            TensorPrimitives.MultiplyAdd(y, coefficient, r, r);
        }

        r.CopyTo(p);
        var residual = VectorMath.Dot<float>(r, r);
        for (var step = 0; step < steps && residual > 1e-20f; step++)
        {
            // A p
            Multiply(gram, p, ap, f);
            for (var n = 0; n < cols.Length; n++)
            {
                var y = other.AsSpan(cols[n] * f, f);
                var weight = alpha * vals[n] * VectorMath.Dot<float>(y, p);
                TensorPrimitives.MultiplyAdd(y, weight, ap, ap);
            }

            var curvature = VectorMath.Dot<float>(p, ap);
            if (!(curvature > 0))
            {
                break;
            }

            var stepSize = residual / curvature;
            TensorPrimitives.MultiplyAdd(p, stepSize, x, x);
            TensorPrimitives.MultiplyAdd(ap, -stepSize, r, r);
            var next = VectorMath.Dot<float>(r, r);
            TensorPrimitives.MultiplyAdd(p, next / residual, r, p);
            residual = next;
        }
    }

    /// <summary>YᵀY + λI (f × f, row-major); each row summed over items in a fixed order.</summary>
    private static float[] Gram(float[] factors, int f, float regularization)
    {
        var count = factors.Length / f;
        var gram = new float[f * f];
        Parallel.For(0, f, g =>
        {
            var row = gram.AsSpan(g * f, f);
            for (var i = 0; i < count; i++)
            {
                var y = factors.AsSpan(i * f, f);
                TensorPrimitives.MultiplyAdd(y, y[g], row, row);
            }

            row[g] += regularization;
        });
        return gram;
    }

    private static void Multiply(float[] matrix, ReadOnlySpan<float> vector, Span<float> destination, int f)
    {
        for (var g = 0; g < f; g++)
        {
            destination[g] = VectorMath.Dot(matrix.AsSpan(g * f, f), vector);
        }
    }

    /// <summary>
    /// Σ_u [x_uᵀ YᵀY x_u + Σ_{i∈u} (c_ui (1 − s)² − s²)] + λ(‖X‖² + ‖Y‖²), s = x_uᵀ y_i: the full
    /// objective over all pairs, without visiting the unobserved ones.
    /// </summary>
    private double Loss(UserItemMatrix matrix, float[] users, float[] items)
    {
        var f = _options.Factors;
        var gram = Gram(items, f, 0);
        var buffer = new float[f];
        double loss = 0;
        for (var u = 0; u < matrix.UserCount; u++)
        {
            var x = users.AsSpan(u * f, f);
            Multiply(gram, x, buffer, f);
            loss += VectorMath.Dot<float>(x, buffer);
            var cols = matrix.ItemsOf(u);
            var vals = matrix.ValuesOf(u);
            for (var n = 0; n < cols.Length; n++)
            {
                double s = VectorMath.Dot<float>(x, items.AsSpan(cols[n] * f, f));
                var confidence = 1 + (_options.Alpha * (double)vals[n]);
                loss += (confidence * (1 - s) * (1 - s)) - (s * s);
            }
        }

        return loss + (_options.Regularization * ((double)VectorMath.Dot<float>(users, users) + VectorMath.Dot<float>(items, items)));
    }
}
