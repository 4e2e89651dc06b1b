using Recommender.Domain.Profiles;

namespace Recommender.Domain.Segments;

/// <summary>The segment names (per-category and per-brand segments are <c>category-enthusiast:{category}</c>, <c>brand-loyalist:{brand}</c>).</summary>
public static class SegmentNames
{
    public const string Vip = "vip";
    public const string Active = "active";
    public const string AtRisk = "at-risk";
    public const string Dormant = "dormant";
    public const string New = "new";
    public const string CategoryEnthusiast = "category-enthusiast";
    public const string PriceSensitive = "price-sensitive";
    public const string BrandLoyalist = "brand-loyalist";

    public static readonly IReadOnlyList<string> All = [Vip, Active, AtRisk, Dormant, New, CategoryEnthusiast, PriceSensitive, BrandLoyalist];

    public static string CategoryEnthusiastOf(string category) => $"{CategoryEnthusiast}:{category}";

    public static string BrandLoyalistOf(string brand) => $"{BrandLoyalist}:{brand}";

    /// <summary>A segment a query may name: one of <see cref="All"/>, or a per-category/per-brand one with a value.</summary>
    public static bool IsValid(string? segment)
    {
        if (string.IsNullOrEmpty(segment) || segment.Length > 200)
        {
            return false;
        }

        var colon = segment.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? All.Contains(segment, StringComparer.Ordinal) && segment is not CategoryEnthusiast and not BrandLoyalist
            : segment[..colon] is CategoryEnthusiast or BrandLoyalist && colon < segment.Length - 1;
    }
}

/// <summary>What the segment rules look at for one customer.</summary>
public sealed record SegmentInputs(
    RfmScores? Rfm,
    double? RecencyDays,
    int Orders,
    DateTimeOffset? FirstOrderAt,
    double? ChurnProbability,
    IReadOnlyDictionary<string, double> CategoryAffinities,
    IReadOnlyDictionary<string, double> BrandAffinities,
    IReadOnlyDictionary<string, double> PriceBandAffinities)
{
    public static SegmentInputs Of(CustomerProfile profile, RfmScores? rfm, double? churn, DateTimeOffset now) =>
        new(rfm, profile.LastOrderAt is { } last ? (now - last).TotalDays : null, profile.OrderCount, profile.FirstOrderAt, churn,
            profile.CategoryAffinities, profile.BrandAffinities, profile.PriceBandAffinities);
}

/// <summary>
/// The eight segment rules over the scores and the profile's features, each configured in
/// <see cref="SegmentationOptions"/> (defaults and reasoning in <c>docs/segments.md</c>). A customer
/// may be in several segments (VIP and active, say); a rule whose input is missing (no order, no churn
/// model) does not match.
/// </summary>
public static class SegmentRules
{
    public static IReadOnlyList<string> Evaluate(SegmentInputs c, DateTimeOffset now, SegmentationOptions o)
    {
        var segments = new List<string>();
        if (c.Rfm is { } rfm && rfm.Monetary >= o.VipMinimumMonetaryScore && rfm.Frequency >= o.VipMinimumFrequencyScore)
        {
            segments.Add(SegmentNames.Vip);
        }

        var dormant = c.RecencyDays is { } dormantDays && dormantDays > o.DormantAfterDays;
        if (c.RecencyDays is { } days && days <= o.ActiveWithinDays)
        {
            segments.Add(SegmentNames.Active);
        }

        if (!dormant && c.ChurnProbability is { } churn && churn >= o.AtRiskMinimumChurn && c.Rfm is { } scores && scores.Frequency >= o.AtRiskMinimumFrequencyScore)
        {
            segments.Add(SegmentNames.AtRisk);
        }

        if (dormant)
        {
            segments.Add(SegmentNames.Dormant);
        }

        if (c.FirstOrderAt is { } first && (now - first).TotalDays <= o.NewWithinDays)
        {
            segments.Add(SegmentNames.New);
        }

        if (Leader(c.CategoryAffinities) is { } category && category.Share >= o.EnthusiastMinimumShare && category.Weight >= o.EnthusiastMinimumWeight)
        {
            segments.Add(SegmentNames.CategoryEnthusiastOf(category.Key));
        }

        var bandTotal = c.PriceBandAffinities.Values.Where(v => v > 0).Sum();
        if (bandTotal > 0 && bandTotal >= o.PriceSensitiveMinimumWeight
            && c.PriceBandAffinities.Where(p => o.CheapPriceBands.Contains(p.Key, StringComparer.Ordinal) && p.Value > 0).Sum(p => p.Value) / bandTotal >= o.PriceSensitiveMinimumShare)
        {
            segments.Add(SegmentNames.PriceSensitive);
        }

        if (Leader(c.BrandAffinities) is { } brand && brand.Share >= o.LoyalistMinimumShare && c.Orders >= o.LoyalistMinimumOrders)
        {
            segments.Add(SegmentNames.BrandLoyalistOf(brand.Key));
        }

        return segments;
    }

    /// <summary>The strongest key (ties by name), its weight and its share of the positive total.</summary>
    private static (string Key, double Weight, double Share)? Leader(IReadOnlyDictionary<string, double> affinities)
    {
        var total = affinities.Values.Where(v => v > 0).Sum();
        if (total <= 0)
        {
            return null;
        }

        var top = affinities.Where(p => p.Value > 0).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).First();
        return (top.Key, top.Value, top.Value / total);
    }
}
