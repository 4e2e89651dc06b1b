namespace Recommender.Domain.Experiments;

/// <summary>A confidence interval.</summary>
public readonly record struct Interval(double Low, double High);

/// <summary>
/// The statistics of the experiment report: Wilson intervals for proportions, normal-approximation
/// intervals for means, the two-proportion z-test and the chi-square goodness-of-fit test (its
/// survival function through the regularized upper incomplete gamma function).
/// </summary>
public static class ExperimentStatistics
{
    /// <summary>The two-sided 95 % normal quantile.</summary>
    public const double Z95 = 1.959963984540054;

    private const double Epsilon = 1e-15;
    private const double TinyFloat = 1e-300;
    private const int MaxIterations = 10_000;

    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>Wilson score interval of <paramref name="successes"/> out of <paramref name="trials"/>; [0, 1] without trials.</summary>
    public static Interval Wilson(long successes, long trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        if (trials == 0)
        {
            return new Interval(0, 1);
        }

        double n = trials;
        var p = successes / n;
        var z2 = z * z;
        var denominator = 1 + (z2 / n);
        var centre = (p + (z2 / (2 * n))) / denominator;
        var half = z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n))) / denominator;
        return new Interval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>Normal-approximation interval of a mean: mean ± z·√(variance / n); <c>null</c> below 2 observations.</summary>
    public static Interval? NormalMean(double mean, double variance, long n, double z = Z95)
    {
        if (n < 2)
        {
            return null;
        }

        var half = z * Math.Sqrt(Math.Max(0, variance) / n);
        return new Interval(mean - half, mean + half);
    }

    /// <summary>Sample variance from the count, sum and sum of squares (0 below 2 observations).</summary>
    public static double Variance(long n, double sum, double sumOfSquares) =>
        n < 2 ? 0 : Math.Max(0, (sumOfSquares - (sum * sum / n)) / (n - 1));

    /// <summary>
    /// Two-sided p-value of the pooled two-proportion z-test of x1/n1 against x2/n2; <c>null</c> when
    /// a group is empty or the pooled proportion is 0 or 1 (no variance: nothing to test).
    /// </summary>
    public static double? TwoProportionPValue(long x1, long n1, long x2, long n2)
    {
        if (n1 == 0 || n2 == 0)
        {
            return null;
        }

        var pooled = (double)(x1 + x2) / (n1 + n2);
        var se = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / n1) + (1.0 / n2)));
        if (se == 0)
        {
            return null;
        }

        var z = (((double)x1 / n1) - ((double)x2 / n2)) / se;
        return ChiSquareSurvival(z * z, 1); // P(|Z| > |z|) = P(χ²₁ > z²)
    }

    /// <summary>Pearson's chi-square goodness of fit of the observed counts against the expected shares given by <paramref name="weights"/>.</summary>
    public static (double ChiSquare, int DegreesOfFreedom, double PValue) GoodnessOfFit(IReadOnlyList<long> observed, IReadOnlyList<double> weights)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(observed.Count, 2);
        ArgumentOutOfRangeException.ThrowIfNotEqual(weights.Count, observed.Count);
        double total = observed.Sum();
        var totalWeight = weights.Sum();
        var chiSquare = 0.0;
        for (var i = 0; i < observed.Count; i++)
        {
            var expected = total * weights[i] / totalWeight;
            if (expected > 0)
            {
                chiSquare += (observed[i] - expected) * (observed[i] - expected) / expected;
            }
        }

        var df = observed.Count - 1;
        return (chiSquare, df, ChiSquareSurvival(chiSquare, df));
    }

    /// <summary>P(X &gt; <paramref name="x"/>) for X chi-square distributed with <paramref name="degreesOfFreedom"/>: Q(k/2, x/2).</summary>
    public static double ChiSquareSurvival(double x, int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        return x <= 0 ? 1 : RegularizedUpperGamma(degreesOfFreedom / 2.0, x / 2);
    }

    /// <summary>
    /// Q(a, x) = Γ(a, x) / Γ(a): by its series (through P = 1 − Q) for x &lt; a + 1, otherwise by its
    /// continued fraction (modified Lentz), both to double precision.
    /// </summary>
    public static double RegularizedUpperGamma(double a, double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a);
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        if (x == 0)
        {
            return 1;
        }

        var logPrefix = (a * Math.Log(x)) - x - LogGamma(a);
        if (x < a + 1)
        {
            var term = 1 / a;
            var sum = term;
            for (var n = 1; n < MaxIterations && Math.Abs(term) > Math.Abs(sum) * Epsilon; n++)
            {
                term *= x / (a + n);
                sum += term;
            }

            return Math.Clamp(1 - (sum * Math.Exp(logPrefix)), 0, 1);
        }

        var b = x + 1 - a;
        var c = 1 / TinyFloat;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < MaxIterations; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            d = Math.Abs(d) < TinyFloat ? TinyFloat : d;
            c = b + (an / c);
            c = Math.Abs(c) < TinyFloat ? TinyFloat : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) <= Epsilon)
            {
                break;
            }
        }

        return Math.Clamp(Math.Exp(logPrefix) * h, 0, 1);
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, n = 9; reflection below 1/2), about 15 significant digits.</summary>
    public static double LogGamma(double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(x);
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        x -= 1;
        var series = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++)
        {
            series += Lanczos[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(series);
    }
}
