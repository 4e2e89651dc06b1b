using System.ComponentModel.DataAnnotations;

namespace Recommender.Domain.Segments;

/// <summary>
/// Configuration section <c>Recommender:Segmentation</c>: the model windows and the eight segment
/// rules. Defaults and the reasoning behind each are in <c>docs/segments.md</c>; the whole section is
/// validated at start (<see cref="Validate"/>).
/// </summary>
public sealed class SegmentationOptions
{
    public const string Section = "Recommender:Segmentation";

    /// <value>Churn means no purchase in this many days after the scoring date (the classifier's label window).</value>
    public TimeSpan ChurnWindow { get; set; } = TimeSpan.FromDays(30);
    /// <value>Lifetime value is the expected spend over this horizon (12 months).</value>
    public TimeSpan LifetimeHorizon { get; set; } = TimeSpan.FromDays(365);
    /// <value>Percentage (1-100) of customers, chosen by a stable hash of the id, the models learn from (bounds the training step's memory at scale).</value>
    [Range(1, 100)]
    public int TrainingSamplePercent { get; set; } = 100;
    /// <value>Fewer training customers than this (or a window with only buyers or only non-buyers): no churn model, lifetime value by run rate.</value>
    [Range(10, 1_000_000)]
    public int MinimumTrainingCustomers { get; set; } = 50;

    /// <value>A churn model whose AUC on the latest window is below this is no better than a guess: it is not used (no churn, no next purchase, no at-risk).</value>
    [Range(0.0, 1.0)]
    public double MinimumChurnAuc { get; set; } = 0.6;

    /// <value>VIP: at least this monetary score …</value>
    [Range(1, 5)]
    public int VipMinimumMonetaryScore { get; set; } = 5;
    /// <value>… and at least this frequency score.</value>
    [Range(1, 5)]
    public int VipMinimumFrequencyScore { get; set; } = 4;
    /// <value>Active: ordered within this many days.</value>
    [Range(1, 3650)]
    public int ActiveWithinDays { get; set; } = 30;
    /// <value>At risk: churn probability at least this …</value>
    [Range(0.0, 1.0)]
    public double AtRiskMinimumChurn { get; set; } = 0.7;
    /// <value>… with at least this frequency score (a customer worth keeping), and not dormant.</value>
    [Range(1, 5)]
    public int AtRiskMinimumFrequencyScore { get; set; } = 3;
    /// <value>Dormant: no order for more than this many days (and at least one order before).</value>
    [Range(1, 3650)]
    public int DormantAfterDays { get; set; } = 180;
    /// <value>New: first order within this many days.</value>
    [Range(1, 3650)]
    public int NewWithinDays { get; set; } = 30;
    /// <value>Category enthusiast: one category holds at least this share of the customer's category affinity …</value>
    [Range(0.0, 1.0)]
    public double EnthusiastMinimumShare { get; set; } = 0.5;
    /// <value>… and its (decayed) affinity weight is at least this.</value>
    [Range(0.0, 1_000_000.0)]
    public double EnthusiastMinimumWeight { get; set; } = 3.0;
    /// <value>Price-sensitive: the cheapest price bands (<see cref="CheapPriceBands"/>) hold at least this share of the price-band affinity …</value>
    [Range(0.0, 1.0)]
    public double PriceSensitiveMinimumShare { get; set; } = 0.6;
    /// <value>… over at least this much affinity weight (enough behaviour to judge).</value>
    [Range(0.0, 1_000_000.0)]
    public double PriceSensitiveMinimumWeight { get; set; } = 3.0;
    /// <value>The price bands (see <c>ProfileUpdater.PriceBand</c>) that count as cheap.</value>
    public List<string> CheapPriceBands { get; set; } = ["0-25", "25-50"];
    /// <value>Brand loyalist: one brand holds at least this share of the brand affinity …</value>
    [Range(0.0, 1.0)]
    public double LoyalistMinimumShare { get; set; } = 0.6;
    /// <value>… and the customer ordered at least this many times.</value>
    [Range(1, 1000)]
    public int LoyalistMinimumOrders { get; set; } = 2;

    /// <summary>Every error of the section, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            errors.AddRange(results.Select(r => r.ErrorMessage ?? "invalid value"));
        }

        if (ChurnWindow < TimeSpan.FromDays(1) || ChurnWindow > TimeSpan.FromDays(365))
        {
            errors.Add($"{nameof(ChurnWindow)} must be from 1 to 365 days");
        }

        if (LifetimeHorizon < TimeSpan.FromDays(30) || LifetimeHorizon > TimeSpan.FromDays(3 * 365))
        {
            errors.Add($"{nameof(LifetimeHorizon)} must be from 30 days to 3 years");
        }

        if (CheapPriceBands is null || CheapPriceBands.Count == 0 || CheapPriceBands.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{nameof(CheapPriceBands)} must name at least one price band");
        }

        if (DormantAfterDays <= ActiveWithinDays)
        {
            errors.Add($"{nameof(DormantAfterDays)} must be greater than {nameof(ActiveWithinDays)}");
        }

        return errors;
    }
}
