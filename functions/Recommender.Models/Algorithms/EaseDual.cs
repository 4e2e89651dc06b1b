using System.Numerics.Tensors;

namespace Recommender.Models.Algorithms;

/// <summary>
/// EASE solved on the user side, for catalogs wider than the user base (issue 12): with Λ the
/// diagonal penalty (λ + dropout term), the Woodbury identity gives
/// P = (XᵀX + Λ)⁻¹ = Λ⁻¹ − Λ⁻¹Xᵀ K X Λ⁻¹ with K = (I + X Λ⁻¹ Xᵀ)⁻¹, a users × users inverse, so
/// training costs O(U³ + Σᵢ |users of i|²) instead of O(n³) and nothing of size n × n is stored.
/// With qⱼ = xⱼᵀ K xⱼ (xⱼ the column of item j): Λⱼ Pⱼⱼ = 1 − qⱼ/Λⱼ and
/// B[i, j] = xᵢᵀ K xⱼ / (Λᵢ (1 − qⱼ/Λⱼ)) for i ≠ j — the same B as the item-side solve, up to rounding.
/// A known user's scores need no B at all: Σᵢ x_ui B[i, ·] = ((e_u − K_u) X)ⱼ / (1 − qⱼ/Λⱼ) minus the
/// diagonal term, one pass over X per user. The relaxed diagonal and the popularity normalisation
/// (<see cref="EaseOptions"/>) scale B's rows and columns after the solve, as on the item side.
/// </summary>
internal sealed class EaseDual
{
    private readonly UserItemMatrix _matrix;
    private readonly bool _useWeights;
    private readonly double[] _k;
    private readonly double[] _penalty;
    private readonly double[] _q;
    private readonly double[]? _popularity;
    private readonly double[] _column;

    private EaseDual(UserItemMatrix matrix, bool useWeights, double[] k, double[] penalty, double[] q, double relaxation, double[]? popularity)
    {
        _matrix = matrix;
        _useWeights = useWeights;
        _k = k;
        _penalty = penalty;
        _q = q;
        _popularity = popularity;

        // Column j's factor: the relaxed diagonal's cⱼ (ΛⱼPⱼⱼ = 1 − qⱼ/Λⱼ) over the popularity scale sⱼ.
        _column = new double[q.Length];
        for (var j = 0; j < q.Length; j++)
        {
            _column[j] = EaseRecommender.RelaxedColumn(relaxation, 1 - (q[j] / penalty[j])) / (popularity?[j] ?? 1);
        }
    }

    /// <summary>Solves EASE for <paramref name="matrix"/> with penalty Λⱼ = λ + dropout/(1 − dropout)·Gⱼⱼ.</summary>
    public static EaseDual Solve(UserItemMatrix matrix, EaseOptions options)
    {
        var (users, n) = (matrix.UserCount, matrix.ItemCount);
        var penalty = new double[n];
        var dropout = options.Dropout / (1 - options.Dropout);
        for (var j = 0; j < n; j++)
        {
            var diagonal = 0.0;
            foreach (var x in matrix.ValuesOfItem(j))
            {
                var value = options.UseWeights ? x : 1.0;
                diagonal += value * value;
            }

            penalty[j] = options.Lambda + (dropout * diagonal);
        }

        // M = I + X Λ⁻¹ Xᵀ, lower triangle (row u ≥ column v), one item's users at a time.
        var m = new double[users * users];
        for (var u = 0; u < users; u++)
        {
            m[(u * users) + u] = 1;
        }

        for (var j = 0; j < n; j++)
        {
            var who = matrix.UsersOf(j);
            var values = matrix.ValuesOfItem(j);
            for (var p = 0; p < who.Length; p++)
            {
                var xp = (options.UseWeights ? values[p] : 1.0) / penalty[j];
                var row = who[p] * users;
                for (var r = 0; r <= p; r++)
                {
                    m[row + who[r]] += xp * (options.UseWeights ? values[r] : 1.0);
                }
            }
        }

        EaseLinearAlgebra.InvertSymmetricPositiveDefinite(m, users);

        var q = new double[n];
        for (var j = 0; j < n; j++)
        {
            var who = matrix.UsersOf(j);
            var values = matrix.ValuesOfItem(j);
            var sum = 0.0;
            for (var p = 0; p < who.Length; p++)
            {
                var xp = options.UseWeights ? values[p] : 1.0;
                for (var r = 0; r < who.Length; r++)
                {
                    sum += xp * m[(who[p] * users) + who[r]] * (options.UseWeights ? values[r] : 1.0);
                }
            }

            q[j] = sum;
        }

        return new EaseDual(matrix, options.UseWeights, m, penalty, q, options.DiagonalRelaxation, EaseRecommender.PopularityScale(matrix, options.PopularityNormalization));
    }

    /// <summary>User <paramref name="u"/>'s score of every item, Σᵢ x_ui W[i, ·] (the user's own items score their diagonal-free value too).</summary>
    public double[] ScoresOf(int u)
    {
        var n = _matrix.ItemCount;
        var users = _matrix.UserCount;
        var r = new double[n];
        var items = _matrix.ItemsOf(u);
        var values = _matrix.ValuesOf(u);
        if (_popularity is null)
        {
            // y = x_u: K·X·Λ⁻¹·x_u = K·(M − I)·e_u = e_u − K_u, no product with K needed.
            var ku = _k.AsSpan(u * users, users);
            for (var v = 0; v < users; v++)
            {
                AddRow(v, -ku[v], r);
            }

            AddRow(u, 1.0, r);
        }
        else
        {
            // y = x_u ∘ s (the history weighted by the popularity scale): r = Xᵀ·K·t with t = X·Λ⁻¹·y.
            var t = new double[users];
            for (var p = 0; p < items.Length; p++)
            {
                var i = items[p];
                var y = (_useWeights ? values[p] : 1.0) * _popularity[i] / _penalty[i];
                var who = _matrix.UsersOf(i);
                var column = _matrix.ValuesOfItem(i);
                for (var w = 0; w < who.Length; w++)
                {
                    t[who[w]] += y * (_useWeights ? column[w] : 1.0);
                }
            }

            for (var v = 0; v < users; v++)
            {
                var kt = TensorPrimitives.Dot<double>(_k.AsSpan(v * users, users), t);
                if (kt != 0)
                {
                    AddRow(v, kt, r);
                }
            }
        }

        for (var p = 0; p < items.Length; p++)
        {
            var j = items[p];
            var x = (_useWeights ? values[p] : 1.0) * (_popularity?[j] ?? 1);
            r[j] -= x * _q[j] / _penalty[j];
        }

        for (var j = 0; j < n; j++)
        {
            r[j] = r[j] / (1 - (_q[j] / _penalty[j])) * _column[j];
        }

        return r;
    }

    /// <summary>Writes row <paramref name="i"/> of B (B[i, i] = 0) into <paramref name="row"/>.</summary>
    public void Row(int i, Span<double> row)
    {
        var users = _matrix.UserCount;
        var t = new double[users];
        var who = _matrix.UsersOf(i);
        var values = _matrix.ValuesOfItem(i);
        for (var p = 0; p < who.Length; p++)
        {
            TensorPrimitives.MultiplyAdd(_k.AsSpan(who[p] * users, users), _useWeights ? values[p] : 1.0, t, t);
        }

        row.Clear();
        for (var v = 0; v < users; v++)
        {
            if (t[v] != 0)
            {
                AddRow(v, t[v], row);
            }
        }

        var from = _popularity?[i] ?? 1;
        for (var j = 0; j < row.Length; j++)
        {
            row[j] = row[j] / (_penalty[i] * (1 - (_q[j] / _penalty[j]))) * _column[j] * from;
        }

        row[i] = 0;
    }

    /// <summary><paramref name="target"/> += <paramref name="weight"/> · row v of X.</summary>
    private void AddRow(int v, double weight, Span<double> target)
    {
        var items = _matrix.ItemsOf(v);
        var values = _matrix.ValuesOf(v);
        for (var p = 0; p < items.Length; p++)
        {
            target[items[p]] += weight * (_useWeights ? values[p] : 1.0);
        }
    }
}
