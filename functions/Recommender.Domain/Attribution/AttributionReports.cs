using System.Globalization;
using Microsoft.Extensions.Options;
using Recommender.Domain.Events;
using Recommender.Domain.Experiments;
using Recommender.Domain.Segments;

namespace Recommender.Domain.Attribution;

/// <summary>What the report covers: the days (UTC, both inclusive) and the row filters (null: all).</summary>
public sealed record AttributionQuery(DateOnly From, DateOnly To, string? Channel = null, string? Placement = null, string? Campaign = null,
    string? Variant = null, string? Segment = null)
{
    /// <summary>The longest range one report reads (one single-partition read per day).</summary>
    public const int MaxDays = 366;

    /// <summary>Parses and checks the report parameters; the error names the parameter.</summary>
    public static (AttributionQuery? Query, string? Error) Parse(string? from, string? to, string? channel, string? placement, string? campaign,
        string? variant, string? segment, DateOnly today)
    {
        DateOnly? Day(string? text) => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        var toDay = to is null ? today : Day(to);
        if (toDay is null)
        {
            return (null, "to must be a date yyyy-MM-dd");
        }

        var fromDay = from is null ? toDay.Value.AddDays(-29) : Day(from);
        if (fromDay is null)
        {
            return (null, "from must be a date yyyy-MM-dd");
        }

        if (fromDay > toDay)
        {
            return (null, "from must not be after to");
        }

        if (toDay.Value.DayNumber - fromDay.Value.DayNumber + 1 > MaxDays)
        {
            return (null, $"the range from..to must be at most {MaxDays} days");
        }

        if (channel is not null && !AttributionChannels.All.Contains(channel, StringComparer.Ordinal))
        {
            return (null, $"channel must be one of {string.Join(", ", AttributionChannels.All)}");
        }

        foreach (var (name, value) in new[] { ("placement", placement), ("campaign", campaign), ("variant", variant) })
        {
            if (value is not null && (value.Length > 64 || !EventValidator.IsValidId(value)))
            {
                return (null, $"{name} must be 1-64 letters, digits or - _ . : @");
            }
        }

        if (placement is not null && campaign is not null)
        {
            return (null, "placement (recommendations) and campaign (email and push) select different channels: give one");
        }

        if ((placement is not null && channel is not null and not AttributionChannels.Recommendation)
            || (campaign is not null && channel is not (null or AttributionChannels.Email or AttributionChannels.Push)))
        {
            return (null, "placement goes with channel recommendation, campaign with channel email or push");
        }

        if (segment is not null && !SegmentNames.IsValid(segment))
        {
            return (null, $"segment must be one of {string.Join(", ", SegmentNames.All.Select(s => s is SegmentNames.CategoryEnthusiast or SegmentNames.BrandLoyalist ? s + ":{name}" : s))}");
        }

        return (new AttributionQuery(fromDay.Value, toDay.Value, channel, placement, campaign, variant, segment), null);
    }

    public bool Selects(AttributionCounters row) =>
        row.Channel != AttributionCounters.TotalsChannel
        && (Channel is null || row.Channel == Channel)
        && (Placement is null || (row.Channel == AttributionChannels.Recommendation && row.Source == Placement))
        && (Campaign is null || (row.Channel is AttributionChannels.Email or AttributionChannels.Push && row.Source == Campaign))
        && (Variant is null || row.Variant == Variant);
}

/// <summary>Revenue credited under each model.</summary>
public sealed record AttributedRevenue(double LastTouch, double Linear, double TimeDecay);

/// <summary>The figures of a set of rows: counts, rates (null without a denominator) and attributed revenue.</summary>
public sealed record AttributionFigures(long Impressions, long Clicks, double? Ctr, long Sends, long Opens, long AddToCarts, double? AddToCartRate,
    long Orders, double? Conversion, double Revenue, double? AverageOrderValue, AttributedRevenue Attributed)
{
    public static AttributionFigures Of(IEnumerable<AttributionCounters> rows)
    {
        long impressions = 0, clicks = 0, sends = 0, opens = 0, addToCarts = 0, orders = 0;
        double lastTouch = 0, linear = 0, timeDecay = 0;
        foreach (var r in rows)
        {
            (impressions, clicks, sends, opens, addToCarts, orders) = (impressions + r.Impressions, clicks + r.Clicks, sends + r.Sends, opens + r.Opens,
                addToCarts + r.AddToCarts, orders + r.Orders);
            (lastTouch, linear, timeDecay) = (lastTouch + r.LastTouch, linear + r.Linear, timeDecay + r.TimeDecay);
        }

        return new AttributionFigures(impressions, clicks, Rate(clicks, impressions), sends, opens, addToCarts, Rate(addToCarts, clicks),
            orders, Rate(orders, clicks), Money(lastTouch), orders == 0 ? null : Money(lastTouch / orders),
            new AttributedRevenue(Money(lastTouch), Money(linear), Money(timeDecay)));
    }

    internal static double? Rate(double numerator, double denominator) => denominator == 0 ? null : Math.Round(numerator / denominator, 6);

    internal static double Money(double value) => Math.Round(value, 2, MidpointRounding.ToEven) + 0.0;
}

/// <summary>
/// The store's side of a day or range: its revenue (net of refunds) and orders, the share influenced by
/// recommendations, refunds, orders of customers not attributed individually, what was dropped and why, and
/// each model's reconciliation — the sum of every bucket, unattributed included, against the store revenue.
/// </summary>
public sealed record StoreFigures(long Orders, double Revenue, double? AverageOrderValue, long InfluencedOrders, double InfluencedRevenue, double? InfluencedShare,
    double Unattributed, long Refunds, double RefundedRevenue, long OrdersWithoutConsent, long ReattributedOrders, IReadOnlyDictionary<string, long> Dropped,
    AttributedRevenue Reconciled, bool Reconciles)
{
    public static StoreFigures Of(IReadOnlyList<AttributionCounters> totals, IReadOnlyList<AttributionCounters> buckets)
    {
        var orders = totals.Sum(t => t.Orders);
        var revenue = totals.Sum(t => t.Revenue);
        var influenced = totals.Sum(t => t.InfluencedRevenue);
        var reconciled = AttributionFigures.Of(buckets).Attributed;
        var unattributed = buckets.Where(b => b.Channel == AttributionChannels.None).Sum(b => b.LastTouch);
        var dropped = DroppedReasons.All.ToDictionary(r => r, r => (long)Math.Round(totals.Sum(t => t.Dropped.GetValueOrDefault(r))), StringComparer.Ordinal);
        static bool Equal(double a, double b) => Math.Abs(a - b) < 0.005;
        var money = AttributionFigures.Money(revenue);
        return new StoreFigures(orders, money, orders == 0 ? null : AttributionFigures.Money(revenue / orders), totals.Sum(t => t.InfluencedOrders),
            AttributionFigures.Money(influenced), revenue == 0 ? null : Math.Round(influenced / revenue, 6), AttributionFigures.Money(unattributed),
            totals.Sum(t => t.Refunds), AttributionFigures.Money(totals.Sum(t => t.RefundedRevenue)), totals.Sum(t => t.OrdersWithoutConsent), totals.Sum(t => t.ReattributedOrders), dropped,
            reconciled, Equal(reconciled.LastTouch, money) && Equal(reconciled.Linear, money) && Equal(reconciled.TimeDecay, money));
    }
}

public sealed record AttributionDay(string Day, AttributionFigures Figures, StoreFigures Store);

public sealed record AttributionBucketFigures(string Channel, string Source, string Variant, AttributionFigures Figures);

/// <summary>Exposed (every other variant) against holdout customers of an experiment with a holdout variant.</summary>
public sealed record HoldoutUplift(string ExperimentId, string Placement, HoldoutGroup Exposed, HoldoutGroup Holdout, double? RevenuePerUserUplift, double? ConversionUplift);

public sealed record HoldoutGroup(long Users, long Conversions, double Revenue, double? Conversion, double? RevenuePerUser);

public sealed record AttributionReport(string From, string To, string Currency, AttributionQuery Filters, AttributionWindows Windows,
    AttributionFigures Totals, StoreFigures Store, IReadOnlyList<AttributionBucketFigures> Buckets, IReadOnlyList<AttributionDay> Days, IReadOnlyList<HoldoutUplift> Uplift);

public sealed record AttributionWindows(double ClickWindowHours, double ViewWindowHours, double TimeDecayHalfLifeHours);

/// <summary>
/// Reads the report from the daily counters (one single-partition read per day, never the archive):
/// the selected rows' figures per day and over the range, per bucket, the store's figures (for the
/// segment, else every customer) and the holdout uplift of experiments running in the range.
/// </summary>
public sealed class AttributionReports(AttributionStore store, ExperimentStore experiments, IOptions<AttributionOptions> options)
{
    public async Task<AttributionReport> GetAsync(AttributionQuery query, CancellationToken cancellationToken = default)
    {
        var segment = query.Segment ?? AttributionCounters.AllSegments;
        var days = new List<AttributionDay>();
        var selected = new List<AttributionCounters>();
        var allTotals = new List<AttributionCounters>();
        var allBuckets = new List<AttributionCounters>();
        for (var day = query.From; day <= query.To; day = day.AddDays(1))
        {
            var name = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var rows = new List<AttributionCounters>();
            await foreach (var row in store.ReadDayAsync(name, cancellationToken).ConfigureAwait(false))
            {
                if (row.Segment == segment)
                {
                    rows.Add(row);
                }
            }

            var totals = rows.Where(r => r.Channel == AttributionCounters.TotalsChannel).ToList();
            var buckets = rows.Where(r => r.Channel != AttributionCounters.TotalsChannel).ToList();
            var chosen = rows.Where(query.Selects).ToList();
            days.Add(new AttributionDay(name, AttributionFigures.Of(chosen), StoreFigures.Of(totals, buckets)));
            selected.AddRange(chosen);
            allTotals.AddRange(totals);
            allBuckets.AddRange(buckets);
        }

        var byBucket = selected.GroupBy(r => (r.Channel, r.Source, r.Variant))
            .Select(g => new AttributionBucketFigures(g.Key.Channel, g.Key.Source, g.Key.Variant, AttributionFigures.Of(g)))
            .OrderBy(b => b.Channel, StringComparer.Ordinal).ThenBy(b => b.Source, StringComparer.Ordinal).ThenBy(b => b.Variant, StringComparer.Ordinal).ToList();
        var settings = options.Value;
        return new AttributionReport(query.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), query.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            settings.Currency, query, new AttributionWindows(settings.ClickWindow.TotalHours, settings.ViewWindow.TotalHours, settings.TimeDecayHalfLife.TotalHours),
            AttributionFigures.Of(selected), StoreFigures.Of(allTotals, allBuckets), byBucket, days, await UpliftAsync(query, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Experiments running in the range with a holdout variant: revenue per user and conversion of the exposed against the holdout.</summary>
    private async Task<IReadOnlyList<HoldoutUplift>> UpliftAsync(AttributionQuery query, CancellationToken cancellationToken)
    {
        var holdout = options.Value.HoldoutVariant;
        var from = new DateTimeOffset(query.From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var to = new DateTimeOffset(query.To.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var uplifts = new List<HoldoutUplift>();
        foreach (var experiment in await experiments.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!experiment.HasVariant(holdout) || experiment.StartsAt >= to || experiment.EndsAt <= from
                || (query.Placement is not null && experiment.Placement != query.Placement))
            {
                continue;
            }

            var counters = await experiments.GetCountersAsync(experiment.Id, cancellationToken).ConfigureAwait(false);
            var held = Group(counters.Values.Where(c => c.Variant == holdout));
            var exposed = Group(counters.Values.Where(c => c.Variant != holdout));
            uplifts.Add(new HoldoutUplift(experiment.Id, experiment.Placement, exposed, held, Relative(exposed.RevenuePerUser, held.RevenuePerUser),
                Relative(exposed.Conversion, held.Conversion)));
        }

        return uplifts;

        static HoldoutGroup Group(IEnumerable<VariantCounters> variants)
        {
            var list = variants.ToList();
            var users = list.Sum(v => v.Users);
            var revenue = list.Sum(v => v.Revenue);
            var conversions = list.Sum(v => v.Conversions);
            return new HoldoutGroup(users, conversions, AttributionFigures.Money(revenue), AttributionFigures.Rate(conversions, users),
                users == 0 ? null : Math.Round(revenue / users, 6));
        }

        static double? Relative(double? exposed, double? baseline) => exposed is { } e && baseline is { } b && b > 0 ? Math.Round((e - b) / b, 6) : null;
    }
}
