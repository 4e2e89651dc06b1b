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

    /// <summary>What start-up validation checks.</summary>
    public bool IsValid =>
        MaxPerWindow >= 0 && MaxPerChannelPerWindow >= 0 && CapWindow > TimeSpan.Zero && CapWindow <= TimeSpan.FromDays(90)
        && QuietHoursStart >= TimeSpan.Zero && QuietHoursStart < TimeSpan.FromDays(1) && QuietHoursEnd >= TimeSpan.Zero && QuietHoursEnd < TimeSpan.FromDays(1)
        && MaxAttempts >= 1 && BackoffBase > TimeSpan.Zero && BackoffCap >= BackoffBase && SendLease > TimeSpan.Zero;
}
