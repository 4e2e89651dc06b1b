namespace Recommender.Domain.Recommendations;

/// <summary>Configuration section <c>Recommender:Bandit</c>: how much the bandit explores and what it counts as a reward. Validated at start.</summary>
public sealed class BanditOptions
{
    public const string Section = "Recommender:Bandit";

    /// <value>
    /// Share of home and email requests (0 to 1) on which the bandit explores: Thompson sampling draws each arm's
    /// reward rate from its posterior and serves the best draw. Every other request is served the arm with the best
    /// estimated reward rate in its context (exploitation). Default 0.1.
    /// </value>
    public double ExplorationShare { get; set; } = 0.1;

    /// <value>What a click on a list earns, as a share of one full reward (0 to 1). Default 0.2: five clicks are worth one full reward.</value>
    public double ClickReward { get; set; } = 0.2;

    /// <value>
    /// Revenue (price × quantity, in the store's currency) of an attributed purchase line that earns one full reward;
    /// a line earns its revenue ÷ <c>RevenueScale</c>, at most 1 (one large order does not outweigh many sales). Greater
    /// than 0, at most 1e9. Default 50. A change applies to lines recorded from then on.
    /// </value>
    public double RevenueScale { get; set; } = 50;

    /// <value>
    /// How many impressions' worth of evidence an arm borrows from the coarser level above it (placement × strategy,
    /// then placement × segment × strategy) before its own counts take over (1 to 10,000). Default 20.
    /// </value>
    public double PriorStrength { get; set; } = 20;

    public bool IsValid =>
        ExplorationShare is >= 0 and <= 1 && ClickReward is >= 0 and <= 1 && RevenueScale is > 0 and <= 1e9 && PriorStrength is >= 1 and <= 10_000;

    public const string ValidationMessage =
        "Recommender:Bandit is invalid (0 ≤ ExplorationShare ≤ 1, 0 ≤ ClickReward ≤ 1, 0 < RevenueScale ≤ 1e9, 1 ≤ PriorStrength ≤ 10000)";

    /// <summary>The reward of one attributed purchase line of <paramref name="revenue"/>: revenue ÷ scale, from 0 to 1.</summary>
    public double RevenueReward(decimal revenue) => revenue <= 0 ? 0 : Math.Min(1, (double)revenue / RevenueScale);
}
