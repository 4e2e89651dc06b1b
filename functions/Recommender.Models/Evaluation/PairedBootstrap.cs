namespace Recommender.Models.Evaluation;

/// <summary>A confidence interval of a mean difference between two models scored on the same users.</summary>
/// <param name="Mean">The observed mean of candidate − baseline over the users.</param>
/// <param name="Lower">The lower bound of the interval.</param>
/// <param name="Upper">The upper bound of the interval.</param>
/// <param name="Level">The confidence level, e.g. 0.95.</param>
/// <param name="Users">How many paired users the interval rests on.</param>
/// <param name="Resamples">Bootstrap resamples drawn.</param>
public sealed record DifferenceInterval(double Mean, double Lower, double Upper, double Level, int Users, int Resamples)
{
    /// <summary>The whole interval is above zero: the candidate is better beyond noise.</summary>
    public bool IsAboveZero => Lower > 0;
}

/// <summary>
/// Paired bootstrap over users of a per-user metric difference (Efron and Tibshirani; the usual
/// significance test for ranking metrics, e.g. Sakai, SIGIR 2006): users are resampled with
/// replacement, the mean difference of each resample is taken, and the percentile interval of those
/// means is returned. Seeded, so the same scores always give the same interval.
/// </summary>
public static class PairedBootstrap
{
    public static DifferenceInterval Interval(IReadOnlyList<double> candidate, IReadOnlyList<double> baseline, double level = 0.95, int resamples = 2000, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        if (candidate.Count != baseline.Count)
        {
            throw new ArgumentException("both models must be scored on the same users", nameof(baseline));
        }

        if (level is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "the level must be between 0 and 1");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        var n = candidate.Count;
        if (n == 0)
        {
            return new DifferenceInterval(0, 0, 0, level, 0, 0);
        }

        var differences = new double[n];
        for (var u = 0; u < n; u++)
        {
            differences[u] = candidate[u] - baseline[u];
        }

        var random = new Random(seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            var sum = 0.0;
            for (var u = 0; u < n; u++)
            {
                sum += differences[random.Next(n)];
            }

            means[r] = sum / n;
        }

        Array.Sort(means);
        var tail = (1 - level) / 2;
        return new DifferenceInterval(
            differences.Average(),
            means[Math.Clamp((int)Math.Floor(tail * resamples), 0, resamples - 1)],
            means[Math.Clamp((int)Math.Ceiling((1 - tail) * resamples) - 1, 0, resamples - 1)],
            level,
            n,
            resamples);
    }
}
