namespace Recommender.Domain.Messaging;

/// <summary>Configuration section <c>Recommender:Messaging</c>: send rules and the delivery retry policy.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Recommender:Messaging";

    /// <value>Marketing messages a customer may receive per <see cref="CapWindow"/>, all channels together.</value>
    public int MaxPerWindow { get; set; } = 3;
    /// <value>Marketing messages a customer may receive per <see cref="CapWindow"/> on one channel.</value>
    public int MaxPerChannelPerWindow { get; set; } = 2;
    /// <value>The frequency-cap window (a week). The outbox keeps entries 90 days, so at most that.</value>
    public TimeSpan CapWindow { get; set; } = TimeSpan.FromDays(7);
    /// <value>Start of quiet hours, local time of the customer.</value>
    public TimeSpan QuietHoursStart { get; set; } = TimeSpan.FromHours(21);
    /// <value>End of quiet hours, local time; a message decided inside them is delayed to this time.</value>
    public TimeSpan QuietHoursEnd { get; set; } = TimeSpan.FromHours(8);
    /// <value>POSTs before a message failing with 5xx, timeouts or 429 is dead-lettered.</value>
    public int MaxAttempts { get; set; } = 6;
    /// <value>Backoff ceiling before the first retry; doubles each attempt (full jitter below it).</value>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(30);
    /// <value>Largest backoff ceiling.</value>
    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromHours(1);
    /// <value>How long an attempt may be posting before another delivery takes it over as crashed (above the HTTP timeout).</value>
    public TimeSpan SendLease { get; set; } = TimeSpan.FromMinutes(1);
    /// <value>
    /// Frequency caps per segment (see <c>docs/segments.md</c>), e.g. <c>vip</c> more, <c>dormant</c> less: a
    /// member of a segment named here gets its caps instead of the defaults; a member of several gets the
    /// lowest. Defaults: <c>vip</c> 5 per window and 3 per channel (they buy often and read what the store sends),
    /// <c>dormant</c> 1 and 1 (a lapsed customer mailed at the usual rate unsubscribes); every other segment has
    /// the default caps. Configuration changes a default's values or adds segments.
    /// </value>
    public Dictionary<string, SegmentCap> SegmentCaps { get; set; } = new(StringComparer.Ordinal)
    {
        [Segments.SegmentNames.Vip] = new() { MaxPerWindow = 5, MaxPerChannelPerWindow = 3 },
        [Segments.SegmentNames.Dormant] = new() { MaxPerWindow = 1, MaxPerChannelPerWindow = 1 },
    };

    /// <summary>
    /// These options with the caps of the customer's <paramref name="segments"/> (the lowest
    /// <see cref="SegmentCap.MaxPerWindow"/> among those with a cap); these options when none has one.
    /// </summary>
    public MessagingOptions ForSegments(IEnumerable<string>? segments)
    {
        if (SegmentCaps.Count == 0 || segments is null)
        {
            return this;
        }

        var cap = segments.Select(s => SegmentCaps.GetValueOrDefault(s)).OfType<SegmentCap>().OrderBy(c => c.MaxPerWindow).FirstOrDefault();
        if (cap is null)
        {
            return this;
        }

        var copy = (MessagingOptions)MemberwiseClone();
        copy.MaxPerWindow = cap.MaxPerWindow;
        copy.MaxPerChannelPerWindow = cap.MaxPerChannelPerWindow ?? cap.MaxPerWindow;
        return copy;
    }

    /// <summary>What start-up validation checks.</summary>
    public bool IsValid =>
        MaxPerWindow >= 0 && MaxPerChannelPerWindow >= 0 && CapWindow > TimeSpan.Zero && CapWindow <= TimeSpan.FromDays(90)
        && QuietHoursStart >= TimeSpan.Zero && QuietHoursStart < TimeSpan.FromDays(1) && QuietHoursEnd >= TimeSpan.Zero && QuietHoursEnd < TimeSpan.FromDays(1)
        && MaxAttempts >= 1 && BackoffBase > TimeSpan.Zero && BackoffCap >= BackoffBase && SendLease > TimeSpan.Zero
        && SegmentCaps.All(c => Segments.SegmentNames.IsValid(c.Key) && c.Value is { MaxPerWindow: >= 0, MaxPerChannelPerWindow: null or >= 0 });
}

/// <summary>The frequency caps of a segment's members (<see cref="MessagingOptions.SegmentCaps"/>).</summary>
public sealed class SegmentCap
{
    /// <value>Marketing messages per window, all channels together.</value>
    public int MaxPerWindow { get; set; }
    /// <value>Per channel; <see cref="MaxPerWindow"/> when not set.</value>
    public int? MaxPerChannelPerWindow { get; set; }
}
