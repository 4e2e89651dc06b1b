namespace Recommender.Domain.Workflows;

/// <summary>A timer message: whose instance it wakes, which generation (and stage) of it.</summary>
public interface ITimerMessage
{
    string CustomerId { get; }
    int Generation { get; }
    /// <summary>Which step of a multi-step wait the timer is for (cart abandonment's reminders); 0 for a single one.</summary>
    int Stage => 0;
}

/// <summary>A workflow instance that timers wake: what <see cref="TimerWorkflow{TState, TTimer}"/> guards a wake on.</summary>
public interface ITimerState
{
    /// <summary>Grows whenever the timer is re-armed, moved or cancelled: a timer message of another generation is stale.</summary>
    int Generation { get; }
    /// <summary>The step the instance is at (<see cref="ITimerMessage.Stage"/>).</summary>
    int Stage => 0;
    /// <summary>A timer of this generation may still act: armed, or its message being handed over.</summary>
    bool IsRunning { get; }
    /// <summary>When the running timer is due; null when it does not wait (its message is being handed over).</summary>
    DateTimeOffset? WakeAt { get; }
    /// <summary>The status as a log line names it.</summary>
    string StatusName { get; }
    void Record(DateTimeOffset at, string what);
}

public enum TimerOutcome
{
    /// <summary>The message went to the outbox.</summary>
    Sent,
    /// <summary>Decided not to send (no consent, no provider, nothing to say).</summary>
    Suppressed,
}

/// <summary>An instance whose timer ends in one message, or in the decision not to send it: Armed → Sending → Sent, or Suppressed.</summary>
public interface IMessageTimerState : ITimerState
{
    /// <summary>The message is decided and being handed to the outbox.</summary>
    bool IsSending { get; }
    /// <summary>Armed → Sending, with the message's idempotency key.</summary>
    void BeginSending(string messageId);
    /// <summary>Running → the outcome: the timer's work is done.</summary>
    void End(TimerOutcome outcome);
    /// <summary>Ends the wait early (a checkout, a return, an operator) in a new generation, so its pending timers find it stale.</summary>
    void Cancel();
}
