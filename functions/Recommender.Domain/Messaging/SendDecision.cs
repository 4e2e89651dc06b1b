namespace Recommender.Domain.Messaging;

public enum SendVerdict
{
    Send,
    /// <summary>Never send this message (no consent, suppressed, capped, no provider).</summary>
    Suppress,
    /// <summary>Not now: try again at <see cref="SendDecision.Until"/> (quiet hours).</summary>
    Delay,
}

/// <summary>What the send rules decided, and why (a <see cref="SendVerdict.Send"/> may carry a note, e.g. an unknown time zone).</summary>
public sealed record SendDecision(SendVerdict Verdict, string? Reason, DateTimeOffset? Until = null)
{
    public static SendDecision Send(string? note = null) => new(SendVerdict.Send, note);
    public static SendDecision Suppress(string reason) => new(SendVerdict.Suppress, reason);
    public static SendDecision Delay(DateTimeOffset until, string reason) => new(SendVerdict.Delay, reason, until);
}
