using Recommender.Domain.Workflows;

namespace Recommender.Domain.Messaging;

public enum OutboxStatus
{
    /// <summary>Waiting for its delivery message (first attempt, a retry or the end of quiet hours).</summary>
    Pending,
    /// <summary>An attempt is posting now (or crashed while posting: taken over after the send lease).</summary>
    Sending,
    Sent,
    /// <summary>A send rule said no (consent, suppression list, frequency cap, no provider).</summary>
    Suppressed,
    /// <summary>Refused by the provider, or still failing after the last attempt.</summary>
    DeadLettered,
}

/// <summary>
/// One outbox entry (collection <c>workflows</c>, partition = customer id, id <c>msg:{MessageId}</c>).
/// <see cref="Generation"/> grows with every scheduled delivery message, so an older (redelivered or
/// duplicated) message is recognised as stale.
/// </summary>
public sealed class OutboxEntry
{
    public const int MaxHistory = 50;

    public required OutboundMessage Message { get; init; }
    public OutboxStatus Status { get; set; }
    public int Generation { get; set; }
    /// <summary>POSTs started so far.</summary>
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    /// <summary>When the pending delivery message becomes visible.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
    /// <summary>When the current attempt started posting (the lease of <see cref="OutboxStatus.Sending"/>).</summary>
    public DateTimeOffset? SendingSince { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>Why it was suppressed or dead-lettered.</summary>
    public string? Reason { get; set; }
    public List<WorkflowEvent> History { get; set; } = [];

    public bool IsFinal => Status is OutboxStatus.Sent or OutboxStatus.Suppressed or OutboxStatus.DeadLettered;

    public void Record(DateTimeOffset at, string what) => WorkflowEvent.Append(History, at, what, MaxHistory);
}
