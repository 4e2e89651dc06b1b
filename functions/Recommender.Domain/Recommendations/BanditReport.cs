using System.Globalization;

namespace Recommender.Domain.Recommendations;

/// <summary>One arm's counts and what they are worth: rewards (clicks × click reward + purchase lines' revenue rewards, at most one per impression) and rates.</summary>
public sealed record BanditArmView(string Strategy, double Impressions, double Clicks, double Purchases, double Revenue, double Rewards, double ClickRate, double RewardRate)
{
    public static BanditArmView Of(BanditArm arm, double clickReward)
    {
        ArgumentNullException.ThrowIfNull(arm);
        var rewards = arm.Rewards(clickReward);
        return new BanditArmView(arm.Strategy, arm.Impressions, arm.Clicks, arm.Purchases, Math.Round(arm.Revenue, 2), Math.Round(rewards, 6),
            Rate(arm.Clicks, arm.Impressions), Rate(rewards, arm.Impressions));
    }

    internal static double Rate(double part, double whole) => whole <= 0 ? 0 : Math.Round(part / whole, 6);
}

/// <summary>One day of one context: the lists shown (impressions), each strategy's share of them and each strategy's reward rate.</summary>
public sealed record BanditDay(string Day, double Impressions, IReadOnlyDictionary<string, double> Shares, IReadOnlyDictionary<string, double> RewardRates);

/// <summary>The daily series of one placement × context, oldest day first, every day of the window (a quiet day has no impressions and shares of 0).</summary>
public sealed record BanditContextSeries(string Placement, string Context, IReadOnlyList<BanditDay> Days);

/// <summary>
/// The bandit report: its settings, whether each of its placements explores yet (<see cref="Exploring"/>), every arm's
/// totals, and for each placement × context that showed lists in the window the arm shares over time (one entry per day,
/// from the impressions counted on that day).
/// </summary>
/// <param name="Exploring">
/// Per placement the bandit serves (home, email): whether it explores — false while no feedback at all was recorded for it
/// (<see cref="BanditPolicy.ExploringAsync"/>), or when the exploration share is 0.
/// </param>
public sealed record BanditReport(double ExplorationShare, double ClickReward, double RevenueScale, double SwitchConfidence, string From, string To,
    IReadOnlyDictionary<string, bool> Exploring, IReadOnlyDictionary<string, BanditArmView> Arms, IReadOnlyList<BanditContextSeries> Contexts)
{
    public const int DefaultDays = 14;
    public const int MaxDays = 90;

    /// <summary>The report over the <paramref name="days"/> days ending on <paramref name="today"/> (one read of the totals, one per day).</summary>
    public static async Task<BanditReport> BuildAsync(BanditPolicy bandit, int days, DateOnly today, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bandit);
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(days, MaxDays);
        var clickReward = bandit.Options.ClickReward;
        var totals = await bandit.ReportAsync(cancellationToken).ConfigureAwait(false);
        var dayNames = Enumerable.Range(0, days).Select(i => today.AddDays(i - days + 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
        var rows = new Dictionary<string, IReadOnlyDictionary<string, BanditArm>>(StringComparer.Ordinal);
        foreach (var day in dayNames)
        {
            rows[day] = await bandit.DayAsync(day, cancellationToken).ConfigureAwait(false);
        }

        var contexts = rows.Values.SelectMany(r => r.Keys).Select(BanditPolicy.Parts).OfType<(string Placement, string Context, string Strategy)>()
            .Select(p => (p.Placement, p.Context)).Distinct().OrderBy(p => p.Placement, StringComparer.Ordinal).ThenBy(p => p.Context, StringComparer.Ordinal);
        var series = new List<BanditContextSeries>();
        foreach (var (placement, context) in contexts)
        {
            var points = new List<BanditDay>(days);
            foreach (var day in dayNames)
            {
                var arms = BanditPolicy.Strategies.ToDictionary(s => s, s => rows[day].GetValueOrDefault(BanditPolicy.ArmId(placement, context, s)), StringComparer.Ordinal);
                var impressions = arms.Values.Sum(a => a?.Impressions ?? 0);
                points.Add(new BanditDay(day, impressions,
                    arms.ToDictionary(a => a.Key, a => BanditArmView.Rate(a.Value?.Impressions ?? 0, impressions), StringComparer.Ordinal),
                    arms.ToDictionary(a => a.Key, a => a.Value is null ? 0 : BanditArmView.Rate(a.Value.Rewards(clickReward), a.Value.Impressions), StringComparer.Ordinal)));
            }

            series.Add(new BanditContextSeries(placement, context, points));
        }

        var exploring = await bandit.ExploringAsync(cancellationToken).ConfigureAwait(false); // the totals just read, not read again
        return new BanditReport(bandit.ExplorationShare, clickReward, bandit.Options.RevenueScale, bandit.Options.SwitchConfidence, dayNames[0], dayNames[^1],
            exploring, totals.ToDictionary(a => a.Key, a => BanditArmView.Of(a.Value, clickReward), StringComparer.Ordinal), series);
    }
}
