using Microsoft.Extensions.Logging;
using Recommender.Domain.Webhooks;

namespace Recommender.Domain.Workflows;

/// <summary>
/// A <see cref="TimerWorkflow{TState, TTimer}"/> whose timer ends in one message or in the decision not to send it
/// (cart and browse abandonment, post-purchase): Armed → Sending → Sent, or Suppressed. The decision and its
/// idempotency key are recorded before the outbox hears of the message, so a crash anywhere brings the timer back to a
/// Sending instance that hands the same message id over again, and the outbox keeps the first message per id.
/// </summary>
public abstract class MessageTimerWorkflow<TState, TTimer>(WorkflowServices services, ILogger logger,
    string queueName, string kind, string channel = MessageChannels.Email)
    : TimerWorkflow<TState, TTimer>(services, logger, queueName, kind, channel)
    where TState : class, IMessageTimerState
    where TTimer : ITimerMessage
{
    /// <summary>Not sent, for <paramref name="reason"/>: the instance ends suppressed, counted once — by the wake that ended it.</summary>
    protected async Task SuppressAsync(TTimer timer, string reason, CancellationToken cancellationToken)
    {
        if (await FinishAsync(timer, TimerOutcome.Suppressed, reason, cancellationToken).ConfigureAwait(false))
        {
            await CountSuppressedAsync(timer, reason, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Claims the message for <paramref name="timer"/> (Armed → Sending, or Sending already after a crash), then composes it and
    /// hands it to the outbox. The instance as claimed; null when a concurrent delivery of the same timer decided it, or
    /// the instance moved on meanwhile (logged), and nothing was sent.
    /// </summary>
    protected async Task<TState?> SendAsync(TTimer timer, string messageId, DateTimeOffset now, Func<TState, Task<string>> compose,
        CancellationToken cancellationToken)
    {
        var sending = await UpdateStateAsync(timer.CustomerId, InstanceIdOf(timer), s =>
        {
            if (s is null || !IsCurrent(s, timer) || s.IsSending)
            {
                return null;
            }

            s.BeginSending(messageId);
            s.Record(now, $"sending {messageId}");
            return s;
        }, cancellationToken).ConfigureAwait(false);
        if (sending is null || !IsCurrent(sending, timer) || !sending.IsSending)
        {
            TimerWorkflowLog.NotClaimed(Logger, Describe(timer));
            return null;
        }

        await HandOverAsync(timer, messageId, now, () => compose(sending), cancellationToken).ConfigureAwait(false);
        return sending;
    }

    /// <summary>Ends the instance of <paramref name="timer"/> with <paramref name="outcome"/> if the timer is still current; true when this call did.</summary>
    protected async Task<bool> FinishAsync(TTimer timer, TimerOutcome outcome, string what, CancellationToken cancellationToken)
    {
        var finished = false;
        await UpdateStateAsync(timer.CustomerId, InstanceIdOf(timer), s =>
        {
            finished = s is not null && IsCurrent(s, timer);
            if (!finished)
            {
                return null;
            }

            s!.End(outcome);
            s.Record(Now, what);
            return s;
        }, cancellationToken).ConfigureAwait(false);
        return finished;
    }

    /// <summary>
    /// Ends the wait of an instance early (<see cref="IMessageTimerState.Cancel"/>) when <paramref name="cancellable"/> (by
    /// default: while it runs); false when there was none to cancel.
    /// </summary>
    protected async Task<bool> CancelInstanceAsync(string customerId, string instanceId, string reason, CancellationToken cancellationToken,
        Func<TState, bool>? cancellable = null)
    {
        var cancelled = false;
        await UpdateStateAsync(customerId, instanceId, s =>
        {
            cancelled = s is not null && (cancellable?.Invoke(s) ?? s.IsRunning);
            if (!cancelled)
            {
                return null;
            }

            s!.Cancel();
            s.Record(Now, $"cancelled: {reason}");
            return s;
        }, cancellationToken).ConfigureAwait(false);
        return cancelled;
    }
}
