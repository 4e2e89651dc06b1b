namespace Recommender.Domain.Recommendations;

/// <summary>What the event pipeline tells the bandit about one list it served.</summary>
public enum BanditFeedback
{
    Impression,
    Click,
    Purchase,
}

/// <summary>
/// One piece of feedback for the bandit: the served list's recommendation id (it names the arm), what happened,
/// when (the day it is counted on) and, for a purchase line, its revenue (price × quantity).
/// </summary>
public readonly record struct BanditEvent(string? RecommendationId, BanditFeedback Kind, DateTimeOffset At, decimal Revenue = 0);

/// <summary>
/// Impressions, clicks and attributed purchases of one strategy in one placement × context (an arm), in total or on one
/// day. <see cref="RevenueRewards"/> is the sum of the purchase lines' rewards (<see cref="BanditOptions.RevenueReward"/>),
/// kept as recorded; clicks are weighed when read, with the current <see cref="BanditOptions.ClickReward"/>.
/// </summary>
public sealed class BanditArm
{
    public required string Strategy { get; init; }
    /// <summary>The day (<c>yyyy-MM-dd</c>, UTC) of a daily row; null on the arm's totals.</summary>
    public string? Day { get; init; }
    public double Impressions { get; set; }
    public double Clicks { get; set; }
    public double Purchases { get; set; }
    public double Revenue { get; set; }
    public double RevenueRewards { get; set; }

    /// <summary>
    /// Successes of the arm's Beta posterior: clicks at <paramref name="clickReward"/> each plus the purchase lines'
    /// revenue rewards, never more than one per impression (a reward rate stays within 0 and 1).
    /// </summary>
    public double Rewards(double clickReward) => Math.Min(Impressions, (clickReward * Clicks) + RevenueRewards);

    /// <summary>Adds one piece of feedback (a purchase line with its reward).</summary>
    public void Add(BanditFeedback kind, decimal revenue = 0, double revenueReward = 0)
    {
        switch (kind)
        {
            case BanditFeedback.Impression:
                Impressions++;
                break;
            case BanditFeedback.Click:
                Clicks++;
                break;
            default:
                Purchases++;
                Revenue += (double)revenue;
                RevenueRewards += revenueReward;
                break;
        }
    }

    /// <summary>The non-zero counters as increments (document paths).</summary>
    public Dictionary<string, double> Increments()
    {
        var increments = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in new[] { ("impressions", Impressions), ("clicks", Clicks), ("purchases", Purchases), ("revenue", Revenue), ("revenueRewards", RevenueRewards) })
        {
            if (value > 0)
            {
                increments[name] = value;
            }
        }

        return increments;
    }
}
