namespace Recommender.Domain.Recommendations;

/// <summary>Configuration section <c>Recommender:Bandit</c>: how much the bandit explores and what it counts as a reward. Validated at start.</summary>
public sealed class BanditOptions
{
    public const string Section = "Recommender:Bandit";

    /// <value>
    /// Share of home and email requests (0 to 1) on which the bandit explores: Thompson sampling draws each arm's
    /// reward rate from its posterior and serves the best draw. Every other request is served the arm with the best
    /// estimated reward rate in its context (exploitation). A placement explores only once some feedback (an impression,
    /// a click or an attributed purchase) was recorded for it: before that nothing could learn from it. Default 0.1.
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

    /// <value>
    /// How sure exploitation must be that another strategy earns more than the default before it serves that strategy
    /// to a context's lists: the posterior probability (normal approximation of its Beta posterior) that its reward
    /// rate is above the default's posterior mean, in the context or in its segment as a whole (0.5 to 0.999). Default 0.95, so a handful of lucky sales does not move a whole context;
    /// 0.5 switches on any higher posterior mean. Exploration is not affected.
    /// </value>
    public double SwitchConfidence { get; set; } = 0.95;

    public bool IsValid =>
        ExplorationShare is >= 0 and <= 1 && ClickReward is >= 0 and <= 1 && RevenueScale is > 0 and <= 1e9 && PriorStrength is >= 1 and <= 10_000
        && SwitchConfidence is >= 0.5 and <= 0.999;

    public const string ValidationMessage =
        "Recommender:Bandit is invalid (0 ≤ ExplorationShare ≤ 1, 0 ≤ ClickReward ≤ 1, 0 < RevenueScale ≤ 1e9, 1 ≤ PriorStrength ≤ 10000, 0.5 ≤ SwitchConfidence ≤ 0.999)";

    /// <summary>The reward of one attributed purchase line of <paramref name="revenue"/>: revenue ÷ scale, from 0 to 1.</summary>
    public double RevenueReward(decimal revenue) => revenue <= 0 ? 0 : Math.Min(1, (double)revenue / RevenueScale);
}
