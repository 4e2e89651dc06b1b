using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recommender.Models.Algorithms;

/// <summary>
/// Dense symmetric positive-definite inversion in place, for EASE, as LAPACK's <c>potrf</c> +
/// <c>potri</c> do it: a blocked Cholesky factorization A = L Lᵀ, the inverse of the factor
/// U = L⁻ᵀ (written in the upper triangle while L still fills the lower one), and A⁻¹ = U Uᵀ
/// (written back into the lower triangle, then mirrored) — n³/2 multiply-adds in all, against
/// 5n³/6 for one triangular solve pair per column of the identity. Matrices are square, row-major,
/// in one <c>double[]</c>. Almost all the work is products of rows (every element of L, U and A⁻¹ is
/// a dot product of two row segments), done 4 × 4 rows at a time with vector registers
/// (<see cref="Dots"/>) so each loaded vector serves four products. Work is split over the cores
/// by rows; every number is computed by the same sequence of operations whatever the thread count,
/// so the result is repeatable bit for bit.
/// </summary>
internal static class EaseLinearAlgebra
{
    /// <summary>Rows (and columns) of one Cholesky panel and of one block of the factor's inverse; a multiple of <see cref="Tile"/>.</summary>
    private const int Block = 64;

    /// <summary>Rows on each side of one tile of dot products.</summary>
    private const int Tile = 4;

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
        InvertFactorIntoUpper(a, n, diagonal);
        var inverseDiagonal = ProductOfUpperIntoLower(a, n);
        MirrorLower(a, n, inverseDiagonal);
    }

    /// <summary>
    /// Cholesky factorization A = L Lᵀ in place: the strictly lower triangle of <paramref name="a"/>
    /// becomes L's, and L's diagonal is returned (and also written on the diagonal). The upper
    /// triangle is used as scratch.
    /// </summary>
    public static double[] CholeskyInPlace(double[] a, int n)
    {
        var diagonal = new double[n];
        for (var start = 0; start < n; start += Block)
        {
            var end = Math.Min(n, start + Block);

            // Every row from this panel down, minus its products with the finished columns [0, start).
            if (start > 0)
            {
                ForEachTile(start, n, group =>
                {
                    Span<double> sums = stackalloc double[Tile * Tile];
                    var rows = Math.Min(Tile, n - group);
                    for (var column = start; column < end; column += Tile)
                    {
                        var columns = Math.Min(Tile, end - column);
                        Dots(a, n, group, rows, column, columns, 0, start, sums);
                        for (var r = 0; r < rows; r++)
                        {
                            var row = (group + r) * n;
                            for (var c = 0; c < columns && column + c <= group + r; c++)
                            {
                                a[row + column + c] -= sums[(r * Tile) + c];
                            }
                        }
                    }
                });
            }

            // The panel's own triangle, in order.
            for (var i = start; i < end; i++)
            {
                var rowI = a.AsSpan(i * n, n);
                for (var j = start; j < i; j++)
                {
                    rowI[j] = (rowI[j] - Dot(rowI[start..j], a.AsSpan((j * n) + start, j - start))) / diagonal[j];
                }

                var remainder = rowI[i] - Dot(rowI[start..i], rowI[start..i]);
                if (!(remainder > 0))
                {
                    throw new InvalidOperationException($"The matrix is not positive definite (pivot {i} is {remainder}).");
                }

                diagonal[i] = Math.Sqrt(remainder);
                rowI[i] = diagonal[i];
            }

            // The rows below the panel: a triangular solve against the panel's triangle, each row on its own.
            if (end < n)
            {
                ForEachTile(end, n, group =>
                {
                    for (var i = group; i < Math.Min(n, group + Tile); i++)
                    {
                        var rowI = a.AsSpan(i * n, n);
                        for (var j = start; j < end; j++)
                        {
                            rowI[j] = (rowI[j] - Dot(rowI[start..j], a.AsSpan((j * n) + start, j - start))) / diagonal[j];
                        }
                    }
                });
            }
        }

        return diagonal;
    }

    /// <summary>
    /// W = L⁻¹ (lower triangular) from the factor in the lower triangle and <paramref name="diagonal"/>,
    /// stored transposed as U = Wᵀ = L⁻ᵀ in the upper triangle and the diagonal: U[j, i] = W[i, j] =
    /// −(Σ_{k = j … i−1} L[i, k]·U[j, k]) / L[i, i] — a product of row i of L and row j of U, both
    /// over columns below i, which are finished before row i of W is computed.
    /// </summary>
    private static void InvertFactorIntoUpper(double[] a, int n, double[] diagonal)
    {
        for (var start = 0; start < n; start += Block)
        {
            var end = Math.Min(n, start + Block);

            // The part of each sum over the columns of earlier blocks, k < start, kept in U[j, i] for now.
            if (start > 0)
            {
                ForEachTile(start, end, group =>
                {
                    Span<double> sums = stackalloc double[Tile * Tile];
                    var rows = Math.Min(Tile, end - group);
                    for (var column = 0; column < start; column += Tile)
                    {
                        // U's row j starts at column j: columns [column, column + Tile) are summed one by one.
                        Dots(a, n, group, rows, column, Tile, column + Tile, start, sums);
                        for (var r = 0; r < rows; r++)
                        {
                            var i = group + r;
                            for (var c = 0; c < Tile; c++)
                            {
                                var j = column + c;
                                var sum = sums[(r * Tile) + c];
                                for (var k = j; k < column + Tile; k++)
                                {
                                    sum += a[(i * n) + k] * a[(j * n) + k];
                                }

                                a[(j * n) + i] = sum;
                            }
                        }
                    }
                });
            }

            // The block's own columns, row by row in order.
            for (var i = start; i < end; i++)
            {
                var rowI = a.AsSpan(i * n, n);
                var pivot = diagonal[i];
                for (var j = 0; j < i; j++)
                {
                    var from = Math.Max(j, start);
                    var partial = j < start ? a[(j * n) + i] : 0;
                    a[(j * n) + i] = -(partial + Dot(rowI[from..i], a.AsSpan((j * n) + from, i - from))) / pivot;
                }

                a[(i * n) + i] = 1 / pivot;
            }
        }
    }

    /// <summary>
    /// A⁻¹ = U Uᵀ from U in the upper triangle: (A⁻¹)[i, j] = Σ_{k ≥ i} U[i, k]·U[j, k] for j ≤ i,
    /// written into the strictly lower triangle (L is no longer needed); the diagonal is returned.
    /// </summary>
    private static double[] ProductOfUpperIntoLower(double[] a, int n)
    {
        var diagonal = new double[n];
        ForEachTile(0, n, group =>
        {
            Span<double> sums = stackalloc double[Tile * Tile];
            var rows = Math.Min(Tile, n - group);
            var tail = Math.Min(n, group + Tile);
            for (var column = 0; column <= group; column += Tile)
            {
                var columns = Math.Min(Tile, n - column);
                Dots(a, n, group, rows, column, columns, tail, n, sums);
                for (var r = 0; r < rows; r++)
                {
                    var i = group + r;
                    for (var c = 0; c < columns && column + c <= i; c++)
                    {
                        var j = column + c;
                        var sum = sums[(r * Tile) + c];
                        for (var k = i; k < tail; k++)
                        {
                            sum += a[(i * n) + k] * a[(j * n) + k];
                        }

                        if (j == i)
                        {
                            diagonal[i] = sum;
                        }
                        else
                        {
                            a[(i * n) + j] = sum;
                        }
                    }
                }
            }
        });
        return diagonal;
    }

    /// <summary>Writes <paramref name="diagonal"/> on the diagonal and the strictly lower triangle into the upper one.</summary>
    private static void MirrorLower(double[] a, int n, double[] diagonal)
    {
        const int Square = 32;
        for (var rowBlock = 0; rowBlock < n; rowBlock += Square)
        {
            for (var columnBlock = 0; columnBlock <= rowBlock; columnBlock += Square)
            {
                for (var i = rowBlock; i < Math.Min(n, rowBlock + Square); i++)
                {
                    for (var j = columnBlock; j < Math.Min(i, columnBlock + Square); j++)
                    {
                        a[(j * n) + i] = a[(i * n) + j];
                    }
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            a[(i * n) + i] = diagonal[i];
        }
    }

    /// <summary>Runs <paramref name="body"/> for each group of <see cref="Tile"/> rows in [from, to), over the cores.</summary>
    private static void ForEachTile(int from, int to, Action<int> body)
    {
        var groups = (to - from + Tile - 1) / Tile;
        if (groups <= 2 || Environment.ProcessorCount == 1)
        {
            for (var g = 0; g < groups; g++)
            {
                body(from + (g * Tile));
            }

            return;
        }

        Parallel.For(0, groups, g => body(from + (g * Tile)));
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => VectorMath.Dot<double>(x, y);

    /// <summary>
    /// sums[r·4 + c] = Σ_{k ∈ [k0, k1)} a[(x + r)·n + k] · a[(y + c)·n + k] for r &lt; <paramref name="xs"/>,
    /// c &lt; <paramref name="ys"/>: sixteen dot products of row segments at once.
    /// </summary>
    private static void Dots(double[] a, int n, int x, int xs, int y, int ys, int k0, int k1, Span<double> sums)
    {
        var length = k1 - k0;
        if (length <= 0)
        {
            sums.Clear();
            return;
        }

        if (xs < Tile || ys < Tile || !Vector256.IsHardwareAccelerated)
        {
            for (var r = 0; r < xs; r++)
            {
                for (var c = 0; c < ys; c++)
                {
                    sums[(r * Tile) + c] = Dot(a.AsSpan(((x + r) * n) + k0, length), a.AsSpan(((y + c) * n) + k0, length));
                }
            }

            return;
        }

        Dots4x4(a, n, x, y, k0, length, sums);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots4x4(double[] a, int n, int x, int y, int k0, int length, Span<double> sums)
    {
        ref var origin = ref MemoryMarshal.GetArrayDataReference(a);
        ref var x0 = ref Unsafe.Add(ref origin, (x * n) + k0);
        ref var x1 = ref Unsafe.Add(ref x0, n);
        ref var x2 = ref Unsafe.Add(ref x1, n);
        ref var x3 = ref Unsafe.Add(ref x2, n);
        ref var y0 = ref Unsafe.Add(ref origin, (y * n) + k0);
        ref var y1 = ref Unsafe.Add(ref y0, n);
        ref var y2 = ref Unsafe.Add(ref y1, n);
        ref var y3 = ref Unsafe.Add(ref y2, n);

        Vector256<double> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<double> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector256<double> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector256<double> s30 = default, s31 = default, s32 = default, s33 = default;
        var k = 0;
        for (; k <= length - Vector256<double>.Count; k += Vector256<double>.Count)
        {
            var offset = (nuint)k;
            var a0 = Vector256.LoadUnsafe(ref x0, offset);
            var a1 = Vector256.LoadUnsafe(ref x1, offset);
            var a2 = Vector256.LoadUnsafe(ref x2, offset);
            var a3 = Vector256.LoadUnsafe(ref x3, offset);
            var b = Vector256.LoadUnsafe(ref y0, offset);
            s00 = Vector256.FusedMultiplyAdd(a0, b, s00);
            s10 = Vector256.FusedMultiplyAdd(a1, b, s10);
            s20 = Vector256.FusedMultiplyAdd(a2, b, s20);
            s30 = Vector256.FusedMultiplyAdd(a3, b, s30);
            b = Vector256.LoadUnsafe(ref y1, offset);
            s01 = Vector256.FusedMultiplyAdd(a0, b, s01);
            s11 = Vector256.FusedMultiplyAdd(a1, b, s11);
            s21 = Vector256.FusedMultiplyAdd(a2, b, s21);
            s31 = Vector256.FusedMultiplyAdd(a3, b, s31);
            b = Vector256.LoadUnsafe(ref y2, offset);
            s02 = Vector256.FusedMultiplyAdd(a0, b, s02);
            s12 = Vector256.FusedMultiplyAdd(a1, b, s12);
            s22 = Vector256.FusedMultiplyAdd(a2, b, s22);
            s32 = Vector256.FusedMultiplyAdd(a3, b, s32);
            b = Vector256.LoadUnsafe(ref y3, offset);
            s03 = Vector256.FusedMultiplyAdd(a0, b, s03);
            s13 = Vector256.FusedMultiplyAdd(a1, b, s13);
            s23 = Vector256.FusedMultiplyAdd(a2, b, s23);
            s33 = Vector256.FusedMultiplyAdd(a3, b, s33);
        }

        sums[0] = Vector256.Sum(s00);
        sums[1] = Vector256.Sum(s01);
        sums[2] = Vector256.Sum(s02);
        sums[3] = Vector256.Sum(s03);
        sums[4] = Vector256.Sum(s10);
        sums[5] = Vector256.Sum(s11);
        sums[6] = Vector256.Sum(s12);
        sums[7] = Vector256.Sum(s13);
        sums[8] = Vector256.Sum(s20);
        sums[9] = Vector256.Sum(s21);
        sums[10] = Vector256.Sum(s22);
        sums[11] = Vector256.Sum(s23);
        sums[12] = Vector256.Sum(s30);
        sums[13] = Vector256.Sum(s31);
        sums[14] = Vector256.Sum(s32);
        sums[15] = Vector256.Sum(s33);
        for (; k < length; k++)
        {
            var a0 = Unsafe.Add(ref x0, k);
            var a1 = Unsafe.Add(ref x1, k);
            var a2 = Unsafe.Add(ref x2, k);
            var a3 = Unsafe.Add(ref x3, k);
            var b0 = Unsafe.Add(ref y0, k);
            var b1 = Unsafe.Add(ref y1, k);
            var b2 = Unsafe.Add(ref y2, k);
            var b3 = Unsafe.Add(ref y3, k);
            sums[0] += a0 * b0;
            sums[1] += a0 * b1;
            sums[2] += a0 * b2;
            sums[3] += a0 * b3;
            sums[4] += a1 * b0;
            sums[5] += a1 * b1;
            sums[6] += a1 * b2;
            sums[7] += a1 * b3;
            sums[8] += a2 * b0;
            sums[9] += a2 * b1;
            sums[10] += a2 * b2;
            sums[11] += a2 * b3;
            sums[12] += a3 * b0;
            sums[13] += a3 * b1;
            sums[14] += a3 * b2;
            sums[15] += a3 * b3;
        }
    }
}
