using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;

namespace Recommender.Domain.Workflows;

/// <summary>
/// What a workflow's steps run on, the way an orchestration runs on its context: the state documents,
/// timers (sealed queue messages), the clock, and where a decided message goes (the outbox and its
/// counters). One injected object, so a workflow's constructor names only what is its own.
/// </summary>
public sealed class WorkflowServices(IDocumentStore documents, IWorkQueue queue, TimerSeal timerSeal, MessageOutbox outbox, WorkflowStats stats,
    TimeProvider timeProvider)
{
    public IDocumentStore Documents => documents;
    public IWorkQueue Queue => queue;
    public MessageOutbox Outbox => outbox;
    public TimeProvider TimeProvider => timeProvider;

    /// <summary>Schedules a timer message on <paramref name="queueName"/> for <paramref name="dueAt"/>, sealed for its customer (<see cref="TimerSeal"/>).</summary>
    public Task ScheduleAsync<T>(string queueName, T message, string customerId, DateTimeOffset dueAt, CancellationToken cancellationToken = default) =>
        timerSeal.ScheduleAsync(queue, queueName, message, customerId, dueAt, cancellationToken);

    /// <summary>
    /// Counts one message of <paramref name="kind"/> decided not to send. Only the step that made the decision
    /// calls it, so a redelivered message, which finds the decision made, does not count it again.
    /// </summary>
    public Task CountSuppressedAsync(string kind, CancellationToken cancellationToken = default) =>
        stats.CountAsync(kind, OutboxStatus.Suppressed, cancellationToken);

    /// <summary>
    /// The compose-then-outbox step: composes the body of the decided message and hands it to the outbox, which
    /// keeps the first message per id (a step run again hands the same message over, never a second one) and
    /// runs the send rules (consent, suppression, caps, quiet hours) at send time.
    /// </summary>
    public async Task HandOverAsync(string messageId, string customerId, string channel, string kind, DateTimeOffset now,
        Func<Task<string>> compose, CancellationToken cancellationToken = default)
    {
        var body = await compose().ConfigureAwait(false);
        await outbox.EnqueueAsync(new OutboundMessage(messageId, customerId, channel, kind, body, now, now), cancellationToken).ConfigureAwait(false);
    }
}
