using System.Numerics;
using System.Runtime.InteropServices;

namespace Recommender.Models.Algorithms;

/// <summary>
/// Reductions with a fixed summation order. <c>TensorPrimitives.Dot</c> aligns its main loop to the
/// address of the first input, so the grouping of partial sums — and the last bit of the result —
/// can differ between two arrays holding the same numbers. Training must be bit-for-bit repeatable
/// for a seed, so dot products go through here (element-wise updates use <c>TensorPrimitives</c>,
/// whose results do not depend on alignment).
/// </summary>
internal static class VectorMath
{
    public static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
        where T : unmanaged, INumberBase<T>
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException("Spans must have the same length.", nameof(y));
        }

        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ys = ref MemoryMarshal.GetReference(y);
        var n = (nuint)x.Length;
        var width = (nuint)Vector<T>.Count;
        nuint i = 0;
        var sum = T.Zero;
        if (Vector.IsHardwareAccelerated && n >= width)
        {
            var a0 = Vector<T>.Zero;
            var a1 = Vector<T>.Zero;
            var a2 = Vector<T>.Zero;
            var a3 = Vector<T>.Zero;
            for (; i + (4 * width) <= n; i += 4 * width)
            {
                a0 += Vector.LoadUnsafe(ref xs, i) * Vector.LoadUnsafe(ref ys, i);
                a1 += Vector.LoadUnsafe(ref xs, i + width) * Vector.LoadUnsafe(ref ys, i + width);
                a2 += Vector.LoadUnsafe(ref xs, i + (2 * width)) * Vector.LoadUnsafe(ref ys, i + (2 * width));
                a3 += Vector.LoadUnsafe(ref xs, i + (3 * width)) * Vector.LoadUnsafe(ref ys, i + (3 * width));
            }

            for (; i + width <= n; i += width)
            {
                a0 += Vector.LoadUnsafe(ref xs, i) * Vector.LoadUnsafe(ref ys, i);
            }

            sum = Vector.Sum((a0 + a1) + (a2 + a3));
        }

        for (; i < n; i++)
        {
            sum += x[(int)i] * y[(int)i];
        }

        return sum;
    }

    /// <summary>The Euclidean norm, with the same fixed order as <see cref="Dot{T}"/>.</summary>
    public static float Norm(ReadOnlySpan<float> x) => MathF.Sqrt(Dot(x, x));
}
