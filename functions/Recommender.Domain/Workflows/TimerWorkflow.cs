using Microsoft.Extensions.Logging;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Webhooks;

namespace Recommender.Domain.Workflows;

/// <summary>
/// The building block of a timer workflow (a queue state machine: see README.md in this folder): one state document per
/// instance in the customer's partition of <c>workflows</c>, timers as sealed queue messages, and the guard every wake
/// starts with. A workflow derives from it (or from <see cref="MessageTimerWorkflow{TState, TTimer}"/>) and writes only
/// its business process: when it arms, what it decides when the timer fires, what the message says.
/// </summary>
/// <param name="queueName">The queue its timers go on.</param>
/// <param name="kind">The kind of message it sends (<c>cart_abandonment</c>): counted, and named in the outbox.</param>
/// <param name="channel">The channel its messages go on (every lifecycle message is an email today).</param>
public abstract class TimerWorkflow<TState, TTimer>(WorkflowServices services, ILogger logger,
    string queueName, string kind, string channel = MessageChannels.Email)
    where TState : class, ITimerState
    where TTimer : ITimerMessage
{
    protected WorkflowServices Services => services;
    protected ILogger Logger => logger;
    protected DateTimeOffset Now => services.TimeProvider.GetUtcNow();

    /// <summary>Whether a timer read from the queue is complete (<see cref="IQueueStep{TMessage}.IsComplete"/>): it names its customer.</summary>
    public virtual bool IsComplete(TTimer timer) => !string.IsNullOrEmpty(timer.CustomerId);

    /// <summary>The channel its messages go on.</summary>
    protected string Channel => channel;

    /// <summary>The id of the instance <paramref name="timer"/> wakes (its partition is the timer's customer).</summary>
    protected abstract string InstanceIdOf(TTimer timer);

    /// <summary>How a log line names the timer (never with a raw id): <c>Cart abandonment timer of generation 3, stage 1</c>.</summary>
    protected abstract string Describe(TTimer timer);

    /// <summary>What the stale-timer log line says when there is no instance: <c>no reminder is running for the customer</c>.</summary>
    protected abstract string NoInstance { get; }

    /// <summary>The instance document's time-to-live, written with every update.</summary>
    protected virtual DocumentTimeToLive TimeToLive => DocumentTimeToLive.CollectionDefault;

    /// <summary><paramref name="timer"/> may act on <paramref name="state"/>: same generation and stage, and the instance still running.</summary>
    protected bool IsCurrent(TState state, TTimer timer) =>
        state.Generation == timer.Generation && state.Stage == timer.Stage && state.IsRunning;

    protected Task<TState?> ReadStateAsync(string customerId, string instanceId, CancellationToken cancellationToken) =>
        services.Documents.GetAsync<TState>(Collections.Workflows, customerId, instanceId, cancellationToken);

    /// <summary>Read-modify-write of an instance with ETag concurrency (<paramref name="mutate"/> returns null to leave it as it is).</summary>
    protected Task<TState?> UpdateStateAsync(string customerId, string instanceId, Func<TState?, TState?> mutate, CancellationToken cancellationToken) =>
        services.Documents.UpdateAsync(Collections.Workflows, customerId, instanceId, mutate, TimeToLive, cancellationToken);

    /// <summary>Sends <paramref name="timer"/> to fire at <paramref name="dueAt"/> (a wait longer than one queue hop wakes early and sleeps again).</summary>
    protected Task ScheduleAsync(TTimer timer, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        services.ScheduleAsync(queueName, timer, timer.CustomerId, dueAt, cancellationToken);

    /// <summary>
    /// The guard every wake starts with, for at-least-once timers: the instance when <paramref name="timer"/> is current and
    /// due; null when there is nothing to do now — a stale timer (no instance, superseded by a newer generation, its stage
    /// passed, decided already) is logged and ignored, and an early one sleeps again for what is left. A timer ahead of its
    /// instance's stage (scheduled by a step that crashed before recording it) throws, so the queue retries it once that
    /// step's own timer, which comes back, has recorded it.
    /// </summary>
    protected async Task<TState?> WakeUpAsync(TTimer timer, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var state = await ReadStateAsync(timer.CustomerId, InstanceIdOf(timer), cancellationToken).ConfigureAwait(false);
        if (state is not null && state.Generation == timer.Generation && state.Stage < timer.Stage)
        {
            throw new InvalidOperationException($"{Describe(timer)} is ahead of its instance (stage {state.Stage})");
        }

        if (state is null || !IsCurrent(state, timer))
        {
            TimerWorkflowLog.Stale(logger, Describe(timer), WhyStale(state, timer));
            return null;
        }

        if (state.WakeAt is { } dueAt && now < dueAt)
        {
            await ScheduleAsync(timer, dueAt, cancellationToken).ConfigureAwait(false);
            return null;
        }

        return state;
    }

    /// <summary>Why <paramref name="timer"/> is stale for <paramref name="state"/>.</summary>
    protected virtual string WhyStale(TState? state, TTimer timer) => state switch
    {
        null => $"{NoInstance} (never armed, expired, or erased)",
        _ when state.Generation != timer.Generation => $"superseded by generation {state.Generation}",
        _ when state.Stage != timer.Stage => $"its stage has passed (the instance is at stage {state.Stage})",
        _ => $"decided already ({state.StatusName})",
    };

    /// <summary>A message decided not to send: logged with the reason and counted. Only the step that decided it calls this.</summary>
    protected Task CountSuppressedAsync(TTimer timer, string reason, CancellationToken cancellationToken)
    {
        TimerWorkflowLog.Suppressed(logger, Describe(timer), reason);
        return services.CountSuppressedAsync(kind, cancellationToken);
    }

    /// <summary>The compose-then-outbox step for the decided message <paramref name="messageId"/> (<see cref="WorkflowServices.HandOverAsync"/>).</summary>
    protected Task HandOverAsync(TTimer timer, string messageId, DateTimeOffset now, Func<Task<string>> compose, CancellationToken cancellationToken) =>
        services.HandOverAsync(messageId, timer.CustomerId, channel, kind, now, compose, cancellationToken);
}
