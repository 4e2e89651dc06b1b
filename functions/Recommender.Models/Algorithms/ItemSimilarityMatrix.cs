using System.Numerics;

namespace Recommender.Models.Algorithms;

/// <summary>
/// An item-item similarity matrix built from co-occurrence counts. Stored dense (row-major) for
/// catalogs up to <see cref="DenseItemLimit"/> items, where scoring a user is a handful of
/// vectorized multiply-adds over whole rows; sparse rows (neighbour index, similarity) beyond that.
/// </summary>
internal sealed class ItemSimilarityMatrix
{
    /// <summary>Largest catalog kept as a dense n×n matrix (4096² doubles = 128 MiB).</summary>
    public const int DenseItemLimit = 4096;

    private readonly double[]? _dense;
    private readonly int[][]? _neighbours;
    private readonly double[][]? _values;

    private ItemSimilarityMatrix(int itemCount, double[]? dense, int[][]? neighbours, double[][]? values)
    {
        ItemCount = itemCount;
        _dense = dense;
        _neighbours = neighbours;
        _values = values;
    }

    public int ItemCount { get; }

    /// <summary>
    /// Builds the matrix. Co-occurrences below <paramref name="threshold"/> are dropped (SAR's
    /// threshold, default 1). <paramref name="includeSelf"/> keeps the diagonal (SAR keeps it);
    /// <paramref name="neighbours"/> keeps only each row's strongest off-diagonal entries (item-kNN).
    /// Rows are independent, so the parallel build gives the same matrix on every run.
    /// </summary>
    public static ItemSimilarityMatrix Build(TrainingData data, SimilarityKind kind, int threshold = 1, bool includeSelf = true, int? neighbours = null, bool? dense = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);

        var n = data.ItemCount;
        var frequencies = data.ItemFrequencies();
        var useDense = dense ?? n <= DenseItemLimit;
        var denseMatrix = useDense ? new double[(long)n * n] : null;
        var sparseNeighbours = useDense ? null : new int[n][];
        var sparseValues = useDense ? null : new double[n][];

        Parallel.For(
            0,
            n,
            () => (Counts: new int[n], Touched: new List<int>()),
            (i, _, scratch) =>
            {
                var (counts, touched) = scratch;
                foreach (var u in data.ItemUsers[i])
                {
                    foreach (var j in data.UserItems[u])
                    {
                        if (counts[j]++ == 0)
                        {
                            touched.Add(j);
                        }
                    }
                }

                touched.Sort();
                var rowIndices = new List<int>(touched.Count);
                var rowValues = new List<double>(touched.Count);
                foreach (var j in touched)
                {
                    var count = counts[j];
                    counts[j] = 0;
                    if (count < threshold || (j == i && !includeSelf))
                    {
                        continue;
                    }

                    rowIndices.Add(j);
                    rowValues.Add(SimilarityFormula.Compute(kind, count, frequencies[i], frequencies[j]));
                }

                touched.Clear();
                if (neighbours is { } keep && rowIndices.Count > keep)
                {
                    Prune(rowIndices, rowValues, keep);
                }

                if (denseMatrix is not null)
                {
                    var offset = (long)i * n;
                    for (var m = 0; m < rowIndices.Count; m++)
                    {
                        denseMatrix[offset + rowIndices[m]] = rowValues[m];
                    }
                }
                else
                {
                    sparseNeighbours![i] = [.. rowIndices];
                    sparseValues![i] = [.. rowValues];
                }

                return scratch;
            },
            _ => { });

        return new ItemSimilarityMatrix(n, denseMatrix, sparseNeighbours, sparseValues);
    }

    /// <summary>S[i, j] (0 when absent).</summary>
    public double Get(int i, int j)
    {
        if (_dense is not null)
        {
            return _dense[((long)i * ItemCount) + j];
        }

        var at = Array.BinarySearch(_neighbours![i], j);
        return at >= 0 ? _values![i][at] : 0.0;
    }

    /// <summary><paramref name="scores"/> += <paramref name="weight"/> · S[i, ·].</summary>
    public void AddRow(int i, double weight, Span<double> scores)
    {
        if (_dense is not null)
        {
            MultiplyAdd(_dense.AsSpan((int)((long)i * ItemCount), ItemCount), weight, scores);
            return;
        }

        var neighbours = _neighbours![i];
        var values = _values![i];
        for (var m = 0; m < neighbours.Length; m++)
        {
            scores[neighbours[m]] += weight * values[m];
        }
    }

    /// <summary>y += a · x, vectorized.</summary>
    internal static void MultiplyAdd(ReadOnlySpan<double> x, double a, Span<double> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var factor = new Vector<double>(a);
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var sum = new Vector<double>(y[i..]) + (factor * new Vector<double>(x[i..]));
                sum.CopyTo(y[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static void Prune(List<int> indices, List<double> values, int keep)
    {
        var order = Enumerable.Range(0, indices.Count)
            .OrderByDescending(m => values[m])
            .ThenBy(m => indices[m])
            .Take(keep)
            .OrderBy(m => indices[m])
            .ToArray();
        var keptIndices = order.Select(m => indices[m]).ToArray();
        var keptValues = order.Select(m => values[m]).ToArray();
        indices.Clear();
        indices.AddRange(keptIndices);
        values.Clear();
        values.AddRange(keptValues);
    }
}
