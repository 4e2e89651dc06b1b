namespace Recommender.Domain.Experiments;

/// <summary>An estimate with its 95 % interval (no interval when it cannot be estimated: fewer than 2 users for a mean).</summary>
public sealed record Estimate(double Value, double? Low, double? High)
{
    public static Estimate Of(double value, Interval? interval) => new(value, interval?.Low, interval?.High);
}

/// <summary>A variant against the control (the first variant).</summary>
public sealed record ControlComparison
{
    /// <summary>Conversion rate minus the control's.</summary>
    public required double ConversionDifference { get; init; }
    /// <summary>Two-sided p-value of the pooled two-proportion z-test; absent when untestable (an empty group, or no variance).</summary>
    public double? ConversionPValue { get; init; }
    /// <summary>Revenue per user minus the control's, with a normal (Welch) 95 % interval.</summary>
    public required Estimate RevenuePerUserDifference { get; init; }
}

/// <summary>An experiment's variants within one segment (<see cref="ExperimentReport.Segments"/>); impressions, clicks and CTR are not broken down.</summary>
public sealed record SegmentReport(string Segment, long Users, IReadOnlyList<VariantReport> Variants);

public sealed record VariantReport
{
    public required string Name { get; init; }
    public required double Weight { get; init; }
    /// <summary>Share of users the weights ask for.</summary>
    public required double ExpectedShare { get; init; }
    /// <summary>Share of exposed users the variant got; absent before anyone is exposed.</summary>
    public double? ObservedShare { get; init; }
    public required long Users { get; init; }
    public required long Impressions { get; init; }
    public required long Clicks { get; init; }
    /// <summary>Clicks / impressions with a Wilson interval; absent without impressions.</summary>
    public Estimate? Ctr { get; init; }
    /// <summary>Exposed users who bought after exposure.</summary>
    public required long Conversions { get; init; }
    /// <summary>Conversions / users with a Wilson interval; absent without users.</summary>
    public Estimate? Conversion { get; init; }
    public required long Orders { get; init; }
    public required double Revenue { get; init; }
    /// <summary>Mean revenue per exposed user with a normal-approximation interval; absent without users.</summary>
    public Estimate? RevenuePerUser { get; init; }
    /// <summary>Absent for the control itself.</summary>
    public ControlComparison? VsControl { get; init; }
}

/// <summary>
/// Per-variant outcomes of an experiment with 95 % intervals, comparisons with the control and a
/// sample-ratio-mismatch check (chi-square goodness of fit of exposed users against the weights;
/// <see cref="Srm"/> when p &lt; <see cref="SrmThreshold"/>: the split is broken and the results are not to be trusted).
/// </summary>
public sealed record ExperimentReport
{
    public const double SrmThreshold = 0.001;

    public required string ExperimentId { get; init; }
    public required string Placement { get; init; }
    /// <summary><c>scheduled</c>, <c>running</c> or <c>ended</c>.</summary>
    public required string Status { get; init; }
    public required DateTimeOffset StartsAt { get; init; }
    public required DateTimeOffset EndsAt { get; init; }
    public required DateTimeOffset GeneratedAt { get; init; }
    public required string Control { get; init; }
    public required IReadOnlyList<VariantReport> Variants { get; init; }
    public required bool Srm { get; init; }
    /// <summary>p-value of the sample-ratio test; absent before anyone is exposed.</summary>
    public double? SrmPValue { get; init; }
    public double? SrmChiSquare { get; init; }
    /// <summary>
    /// The variants' users, conversions, orders and revenue (with intervals and the comparison with the control)
    /// within each segment the exposed users were in when first exposed (<c>none</c>: in no segment); empty before anyone is exposed.
    /// </summary>
    public IReadOnlyList<SegmentReport> Segments { get; init; } = [];

    /// <summary>
    /// Builds the report from the variant counters and the per-user revenue moments (users, sum and
    /// sum of squares of each exposed user's revenue, zero for those who bought nothing).
    /// </summary>
    public static ExperimentReport Create(ExperimentDefinition definition, IReadOnlyDictionary<string, VariantCounters> counters,
        IReadOnlyDictionary<string, RevenueMoments> revenue, DateTimeOffset now)
    {
        var totalWeight = definition.Variants.Sum(v => v.Weight);
        var rows = definition.Variants.Select(v => (Variant: v,
            Counters: counters.GetValueOrDefault(v.Name) ?? new VariantCounters { Variant = v.Name },
            Revenue: revenue.GetValueOrDefault(v.Name))).ToList();
        var totalUsers = rows.Sum(r => r.Counters.Users);
        var control = rows[0];
        var variants = rows.Select((r, i) =>
        {
            var c = r.Counters;
            var meanRevenue = RevenuePerUser(r.Revenue);
            return new VariantReport
            {
                Name = r.Variant.Name,
                Weight = r.Variant.Weight,
                ExpectedShare = r.Variant.Weight / totalWeight,
                ObservedShare = totalUsers == 0 ? null : (double)c.Users / totalUsers,
                Users = c.Users,
                Impressions = c.Impressions,
                Clicks = c.Clicks,
                Ctr = c.Impressions == 0 ? null : Estimate.Of((double)Math.Min(c.Clicks, c.Impressions) / c.Impressions,
                    ExperimentStatistics.Wilson(Math.Min(c.Clicks, c.Impressions), c.Impressions)),
                Conversions = c.Conversions,
                Conversion = c.Users == 0 ? null : Estimate.Of((double)Math.Min(c.Conversions, c.Users) / c.Users,
                    ExperimentStatistics.Wilson(Math.Min(c.Conversions, c.Users), c.Users)),
                Orders = c.Orders,
                Revenue = c.Revenue,
                RevenuePerUser = meanRevenue,
                VsControl = i == 0 ? null : Compare(control.Counters, control.Revenue, c, r.Revenue),
            };
        }).ToList();

        var (chiSquare, _, pValue) = totalUsers == 0 ? (0.0, 0, double.NaN)
            : ExperimentStatistics.GoodnessOfFit([.. rows.Select(r => r.Counters.Users)], [.. rows.Select(r => r.Variant.Weight)]);
        return new ExperimentReport
        {
            ExperimentId = definition.Id,
            Placement = definition.Placement,
            Status = now < definition.StartsAt ? "scheduled" : now < definition.EndsAt ? "running" : "ended",
            StartsAt = definition.StartsAt,
            EndsAt = definition.EndsAt,
            GeneratedAt = now,
            Control = definition.Control,
            Variants = variants,
            Srm = totalUsers > 0 && pValue < SrmThreshold,
            SrmPValue = totalUsers == 0 ? null : pValue,
            SrmChiSquare = totalUsers == 0 ? null : chiSquare,
        };
    }

    private static Estimate? RevenuePerUser(RevenueMoments m)
    {
        if (m.Users == 0)
        {
            return null;
        }

        var mean = m.Sum / m.Users;
        return Estimate.Of(mean, ExperimentStatistics.NormalMean(mean, ExperimentStatistics.Variance(m.Users, m.Sum, m.SumOfSquares), m.Users));
    }

    private static ControlComparison Compare(VariantCounters control, RevenueMoments controlRevenue, VariantCounters variant, RevenueMoments variantRevenue)
    {
        static double Rate(long x, long n) => n == 0 ? 0 : (double)Math.Min(x, n) / n;
        static double Mean(RevenueMoments m) => m.Users == 0 ? 0 : m.Sum / m.Users;
        static double MeanVariance(RevenueMoments m) => m.Users < 2 ? double.NaN : ExperimentStatistics.Variance(m.Users, m.Sum, m.SumOfSquares) / m.Users;

        var difference = Mean(variantRevenue) - Mean(controlRevenue);
        var se = Math.Sqrt(MeanVariance(variantRevenue) + MeanVariance(controlRevenue));
        return new ControlComparison
        {
            ConversionDifference = Rate(variant.Conversions, variant.Users) - Rate(control.Conversions, control.Users),
            ConversionPValue = ExperimentStatistics.TwoProportionPValue(Math.Min(variant.Conversions, variant.Users), variant.Users,
                Math.Min(control.Conversions, control.Users), control.Users),
            RevenuePerUserDifference = double.IsFinite(se)
                ? new Estimate(difference, difference - (ExperimentStatistics.Z95 * se), difference + (ExperimentStatistics.Z95 * se))
                : new Estimate(difference, null, null),
        };
    }
}
