namespace Recommender.Benchmarks;

public static class Statistics
{
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Nearest-rank percentile (<paramref name="percent"/> in 0..100).</summary>
    public static double Percentile(IReadOnlyList<double> values, double percent)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
