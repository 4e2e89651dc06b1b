namespace Recommender.Domain.Workflows;

public enum CartAbandonmentStatus
{
    /// <summary>A reminder timer is running.</summary>
    Armed,
    /// <summary>The reminder is decided and being delivered (the outbox step).</summary>
    Sending,
    Sent,
    /// <summary>Decided not to send (no consent, no provider, empty cart).</summary>
    Suppressed,
    /// <summary>Checkout or an emptied cart ended the wait.</summary>
    Cancelled,
}

/// <summary>One entry of an instance's history.</summary>
public sealed record WorkflowEvent(DateTimeOffset At, string What)
{
    /// <summary>Appends to a bounded history, dropping the oldest entries beyond <paramref name="max"/>.</summary>
    public static void Append(List<WorkflowEvent> history, DateTimeOffset at, string what, int max)
    {
        history.Add(new WorkflowEvent(at, what));
        if (history.Count > max)
        {
            history.RemoveRange(0, history.Count - max);
        }
    }
}

/// <summary>
/// What the cart- and browse-abandonment instances share (collection <c>workflows</c>, partition = customer id):
/// a reminder timer that ends in one message, or in the decision not to send it.
/// </summary>
public abstract class AbandonmentState : IMessageTimerState
{
    public required string CustomerId { get; init; }
    public CartAbandonmentStatus Status { get; set; }
    public int Generation { get; set; }
    public DateTimeOffset DueAt { get; set; }
    /// <summary>Idempotency key of the message being or last sent.</summary>
    public string? MessageId { get; set; }
    public List<WorkflowEvent> History { get; set; } = [];

    public void Record(DateTimeOffset at, string what) => WorkflowEvent.Append(History, at, what, CartAbandonmentState.MaxHistory);

    bool ITimerState.IsRunning => Status is CartAbandonmentStatus.Armed or CartAbandonmentStatus.Sending;
    DateTimeOffset? ITimerState.WakeAt => DueAt;
    string ITimerState.StatusName => Status.ToString();
    bool IMessageTimerState.IsSending => Status == CartAbandonmentStatus.Sending;

    void IMessageTimerState.BeginSending(string messageId)
    {
        Status = CartAbandonmentStatus.Sending;
        MessageId = messageId;
    }

    void IMessageTimerState.End(TimerOutcome outcome) => End(outcome);

    void IMessageTimerState.Cancel()
    {
        Generation++;
        Status = CartAbandonmentStatus.Cancelled;
    }

    /// <summary>(Re)arms the reminder for <paramref name="dueAt"/> in a new generation: timers of earlier ones become stale.</summary>
    public void Arm(DateTimeOffset dueAt, DateTimeOffset now)
    {
        Generation++;
        Status = CartAbandonmentStatus.Armed;
        DueAt = dueAt;
        MessageId = null;
        Record(now, $"armed for {dueAt:O}");
    }

    protected virtual void End(TimerOutcome outcome) =>
        Status = outcome == TimerOutcome.Sent ? CartAbandonmentStatus.Sent : CartAbandonmentStatus.Suppressed;
}

/// <summary>
/// State of a customer's cart-abandonment workflow (collection <c>workflows</c>, partition =
/// customer id, id <see cref="CartAbandonmentWorkflow.InstanceId"/>). <see cref="AbandonmentState.Generation"/> grows
/// with every re-arm or cancel, so a timer message from an older generation is recognised as stale, and
/// <see cref="Stage"/> with every reminder sent, so one of a passed stage is too (it names
/// <see cref="ITimerState"/> again so that its <see cref="Stage"/> is the instance's stage).
/// </summary>
public sealed class CartAbandonmentState : AbandonmentState, ITimerState
{
    public const int MaxHistory = 50;

    /// <summary>Which reminder is due next (0: 4 hours, 1: 24 hours, 2: 3 days after the last cart change).</summary>
    public int Stage { get; set; }
    /// <summary>The cart change the reminders count from.</summary>
    public DateTimeOffset CartChangedAt { get; set; }
}

/// <summary>The timer message: which instance, which generation, which of the reminders.</summary>
public sealed record CartTimerMessage(string CustomerId, int Generation, int Stage = 0) : ITimerMessage;
