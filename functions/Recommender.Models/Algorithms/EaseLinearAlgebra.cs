using System.Numerics.Tensors;

namespace Recommender.Models.Algorithms;

/// <summary>
/// Dense symmetric positive-definite inversion in place, for EASE: a blocked Cholesky
/// factorization followed by one forward and one backward triangular solve per column of the
/// identity. Matrices are square, row-major, in one <c>double[]</c>. Rows are updated with vector
/// kernels and the work is split over the cores so that every number is computed by the same
/// sequence of operations whatever the thread count: the result is repeatable bit for bit.
/// </summary>
internal static class EaseLinearAlgebra
{
    private const int BlockRows = 64;
    private const int ColumnsPerSolve = 16;

    /// <summary>
    /// Replaces the symmetric positive-definite matrix <paramref name="a"/> (only its lower triangle
    /// and diagonal are read) by its full inverse.
    /// </summary>
    /// <exception cref="InvalidOperationException">The matrix is not positive definite.</exception>
    public static void InvertSymmetricPositiveDefinite(double[] a, int n)
    {
        if (a.Length != n * n)
        {
            throw new ArgumentException($"Expected {n}×{n} values, got {a.Length}.", nameof(a));
        }

        var diagonal = CholeskyInPlace(a, n);

        // Column c of the inverse solves L Lᵀ x = e_c. Only x[0..c] is kept (the upper triangle of the
        // symmetric result), written where L has no entries, so solves for other columns can go on
        // reading L from the lower triangle at the same time.
        var groups = (n + ColumnsPerSolve - 1) / ColumnsPerSolve;
        Parallel.For(
            0,
            groups,
            () => new double[ColumnsPerSolve * n],
            (group, _, work) =>
            {
                SolveColumns(a, n, diagonal, group * ColumnsPerSolve, Math.Min(n, (group + 1) * ColumnsPerSolve), work);
                return work;
            },
            _ => { });

        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                a[(i * n) + j] = a[(j * n) + i];
            }
        }
    }

    /// <summary>
    /// Cholesky factorization A = L Lᵀ in place: the strictly lower triangle of <paramref name="a"/>
    /// becomes L's, and L's diagonal is returned (and also written on the diagonal).
    /// </summary>
    public static double[] CholeskyInPlace(double[] a, int n)
    {
        var diagonal = new double[n];
        var workers = Math.Max(1, Math.Min(Environment.ProcessorCount, BlockRows / 8));
        for (var start = 0; start < n; start += BlockRows)
        {
            var end = Math.Min(n, start + BlockRows);

            // Rows of this block against every finished row above it: each row independent.
            if (start > 0)
            {
                var chunk = (end - start + workers - 1) / workers;
                Parallel.For(0, workers, worker =>
                {
                    var from = start + (worker * chunk);
                    var to = Math.Min(end, from + chunk);
                    for (var j = 0; j < start; j++)
                    {
                        var rowJ = a.AsSpan(j * n, j);
                        var pivot = diagonal[j];
                        for (var i = from; i < to; i++)
                        {
                            var rowI = a.AsSpan(i * n, n);
                            rowI[j] = (rowI[j] - VectorMath.Dot<double>(rowI[..j], rowJ)) / pivot;
                        }
                    }
                });
            }

            // The triangle inside the block, in order.
            for (var i = start; i < end; i++)
            {
                var rowI = a.AsSpan(i * n, n);
                for (var j = start; j < i; j++)
                {
                    rowI[j] = (rowI[j] - VectorMath.Dot<double>(rowI[..j], a.AsSpan(j * n, j))) / diagonal[j];
                }

                var remainder = rowI[i] - VectorMath.Dot<double>(rowI[..i], rowI[..i]);
                if (!(remainder > 0))
                {
                    throw new InvalidOperationException($"The matrix is not positive definite (pivot {i} is {remainder}).");
                }

                diagonal[i] = Math.Sqrt(remainder);
                rowI[i] = diagonal[i];
            }
        }

        return diagonal;
    }

    /// <summary>Solves L Lᵀ x = e_c for the columns c in [<paramref name="first"/>, <paramref name="end"/>) and stores x[0..c] as column c.</summary>
    private static void SolveColumns(double[] a, int n, double[] diagonal, int first, int end, double[] work)
    {
        var count = end - first;
        Array.Clear(work);

        // Forward: L y = e_c, so y is zero above c. Each row of L is read once for all the columns.
        for (var i = first; i < n; i++)
        {
            var rowI = a.AsSpan(i * n, i);
            for (var q = 0; q < count; q++)
            {
                var column = first + q;
                if (i < column)
                {
                    continue;
                }

                var y = work.AsSpan(q * n, n);
                y[i] = i == column
                    ? 1 / diagonal[i]
                    : -VectorMath.Dot<double>(rowI[column..], y[column..i]) / diagonal[i];
            }
        }

        // Backward: Lᵀ x = y, column-oriented so each step is one contiguous update of a row prefix.
        for (var k = n - 1; k >= 0; k--)
        {
            var rowK = a.AsSpan(k * n, k);
            for (var q = 0; q < count; q++)
            {
                var z = work.AsSpan(q * n, n);
                var x = z[k] / diagonal[k];
                z[k] = x;
                if (x != 0 && k > 0)
                {
                    TensorPrimitives.MultiplyAdd(rowK, -x, z[..k], z[..k]);
                }
            }
        }

        for (var q = 0; q < count; q++)
        {
            var column = first + q;
            var x = work.AsSpan(q * n, n);
            for (var i = 0; i <= column; i++)
            {
                a[(i * n) + column] = x[i];
            }
        }
    }
}
