using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Webhooks;

namespace Recommender.Domain.Messaging;

/// <summary>
/// Delivers one outbox entry per delivery message: the send rules run first (at send time), then
/// one signed POST. 5xx, timeouts and transport failures retry with exponential backoff and full
/// jitter; 429 retries after the provider's <c>Retry-After</c>; any other 4xx is dead-lettered at
/// once, as is a message still failing after <see cref="MessagingOptions.MaxAttempts"/> POSTs.
/// Every attempt posts the entry's message id as the idempotency key, so a crash after the POST and
/// before <see cref="OutboxStatus.Sent"/> is recorded only repeats that key: the provider
/// de-duplicates, and the customer gets the message exactly once.
/// </summary>
public sealed partial class DeliveryService(
    MessageOutbox outbox,
    SendRules rules,
    SendLedger ledger,
    WebhookSender webhooks,
    DeadLetters deadLetters,
    WorkflowStats stats,
    IOptions<MessagingOptions> options,
    TimeProvider timeProvider,
    ILogger<DeliveryService> logger,
    Attribution.AttributionStore attribution,
    Privacy.ErasureTombstones tombstones) : IQueueStep<DeliveryMessage>
{
    /// <summary>The outbox's deliveries' queue: its entry in <c>Ports/Storage/queues.json</c> (<see cref="IQueueStep{TMessage}"/>).</summary>
    public static string Queue => "message-delivery";

    bool IQueueStep<DeliveryMessage>.IsComplete(DeliveryMessage message) =>
        !string.IsNullOrEmpty(message.CustomerId) && !string.IsNullOrEmpty(message.MessageId) && message.Generation >= 0;

    Task IQueueStep<DeliveryMessage>.RunAsync(DeliveryMessage message, CancellationToken cancellationToken) => DeliverAsync(message, cancellationToken);

    /// <summary>What the logs say of a message: a keyed reference (its id names the customer), never the id itself.</summary>
    private string LogRef(string messageId) => tombstones.KeyOf("m", messageId)[..16];

    /// <summary>A delivery message this much before its entry's next attempt time counts as on time.</summary>
    private static readonly TimeSpan EarlyTolerance = TimeSpan.FromSeconds(1);

    public async Task DeliverAsync(DeliveryMessage message, CancellationToken cancellationToken = default)
    {
        var entry = await outbox.GetAsync(message.CustomerId, message.MessageId, cancellationToken).ConfigureAwait(false);
        if (entry is null || entry.IsFinal || message.Generation < entry.Generation)
        {
            LogStale(logger, message.Generation, entry switch
            {
                null => "no outbox entry (erased or expired)",
                { IsFinal: true } => $"the message is final already ({entry.Status})",
                _ => $"superseded by delivery generation {entry.Generation}",
            });
            return;
        }

        if (message.Generation > entry.Generation)
        {
            // Scheduled by a step that has not recorded it yet: let the queue bring it back.
            throw new InvalidOperationException($"delivery message {message.MessageId}#{message.Generation} is ahead of its outbox entry");
        }

        var now = timeProvider.GetUtcNow();
        if (entry.Status == OutboxStatus.Sending && now - entry.SendingSince < options.Value.SendLease)
        {
            throw new InvalidOperationException($"message {message.MessageId} is being posted by another delivery");
        }

        if (entry.NextAttemptAt is { } due && now < due - EarlyTolerance)
        {
            await outbox.ScheduleAsync(message, due, cancellationToken).ConfigureAwait(false); // a wait longer than one queue hop
            return;
        }

        var decision = await rules.EvaluateAsync(entry.Message, cancellationToken).ConfigureAwait(false);
        switch (decision.Verdict)
        {
            case SendVerdict.Suppress:
                await FinishAsync(message, OutboxStatus.Suppressed, decision.Reason!, cancellationToken).ConfigureAwait(false);
                return;
            case SendVerdict.Delay:
                await RescheduleAsync(message, decision.Until!.Value, decision.Reason!, countsAsFailure: false, cancellationToken).ConfigureAwait(false);
                return;
        }

        // The caps, atomically: a slot in the customer's send ledger, reserved by conditional replace.
        if (await ledger.TryReserveAsync(entry.Message, now, cancellationToken).ConfigureAwait(false) is { } capped)
        {
            await FinishAsync(message, OutboxStatus.Suppressed, capped, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Claim the attempt (ETag): a concurrent duplicate of this delivery message finds it taken.
        var claimed = false;
        var sending = await outbox.UpdateAsync(message.CustomerId, message.MessageId, e =>
        {
            claimed = false;
            if (e is null || e.IsFinal || e.Generation != message.Generation
                || (e.Status == OutboxStatus.Sending && now - e.SendingSince < options.Value.SendLease))
            {
                return null;
            }

            e.Status = OutboxStatus.Sending;
            e.Attempts++;
            e.SendingSince = now;
            e.Record(now, $"attempt {e.Attempts}{(decision.Reason is null ? "" : $" ({decision.Reason})")}");
            claimed = true;
            return e;
        }, cancellationToken).ConfigureAwait(false);
        if (!claimed || sending is null)
        {
            LogNotClaimed(logger, message.Generation);
            return;
        }

        var result = await webhooks.SendAsync(sending.Message.Channel, sending.Message.MessageId, sending.Message.Body, cancellationToken).ConfigureAwait(false);
        if (result.IsDelivered)
        {
            await FinishAsync(message, OutboxStatus.Sent, result.Detail, cancellationToken).ConfigureAwait(false);
            LogSent(logger, LogRef(message.MessageId), sending.Attempts);
            return;
        }

        if (result.Outcome == DeliveryOutcome.Rejected)
        {
            await DeadLetterAsync(message, sending, result.Detail, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (sending.Attempts >= options.Value.MaxAttempts)
        {
            await DeadLetterAsync(message, sending, $"gave up after {sending.Attempts} attempts: {result.Detail}", cancellationToken).ConfigureAwait(false);
            return;
        }

        var wait = result.Outcome == DeliveryOutcome.Throttled && result.RetryAfter is { } retryAfter ? retryAfter : Backoff(sending.Attempts);
        LogRetry(logger, LogRef(message.MessageId), sending.Attempts, result.Detail, wait);
        await RescheduleAsync(message, timeProvider.GetUtcNow() + wait, result.Detail, countsAsFailure: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Full jitter: uniform in [0, min(cap, base × 2^(attempt-1))].</summary>
    public TimeSpan Backoff(int attempt) => BackoffCeiling(attempt, options.Value) * Random.Shared.NextDouble();

    /// <summary>The upper bound of the wait after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public static TimeSpan BackoffCeiling(int attempt, MessagingOptions options)
    {
        var ceiling = options.BackoffBase * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return ceiling > options.BackoffCap ? options.BackoffCap : ceiling;
    }

    /// <summary>
    /// Queues the next delivery message first, then records it: a crash in between leaves the current
    /// message to be redelivered (it still matches the entry) and the new one waits until recorded.
    /// </summary>
    private async Task RescheduleAsync(DeliveryMessage message, DateTimeOffset at, string why, bool countsAsFailure, CancellationToken cancellationToken)
    {
        var next = message with { Generation = message.Generation + 1 };
        await outbox.ScheduleAsync(next, at, cancellationToken).ConfigureAwait(false);
        await outbox.UpdateAsync(message.CustomerId, message.MessageId, e =>
        {
            if (e is null || e.IsFinal || e.Generation != message.Generation)
            {
                return null;
            }

            e.Status = OutboxStatus.Pending;
            e.Generation = next.Generation;
            e.NextAttemptAt = at;
            e.SendingSince = null;
            if (countsAsFailure)
            {
                e.LastError = why;
            }

            e.Record(timeProvider.GetUtcNow(), countsAsFailure ? $"retry at {at:O}: {why}" : $"delayed to {at:O}: {why}");
            return e;
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeadLetterAsync(DeliveryMessage message, OutboxEntry entry, string reason, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        // Never the message's body (contacts, names, what they bought): its kind and channel, and the message and
        // its customer by their keyed references (the delivery logs' and the timers' own), as erasure and access find them.
        var messageRef = deadLetters.KeyedRef("m", entry.Message.MessageId);
        var payload = JsonSerializer.Serialize(new { messageRef, subjectRef = deadLetters.KeyedRef("t", entry.Message.CustomerId), channel = entry.Message.Channel, kind = entry.Message.Kind }, Json.Options);
        var letter = new DeadLetter(reason, payload, $"webhook:{entry.Message.Channel}", now, messageRef, Type: entry.Message.Kind);
        await deadLetters.WriteAsync($"message-{Sanitize(entry.Message.MessageId)}", [letter], now, cancellationToken).ConfigureAwait(false);
        await FinishAsync(message, OutboxStatus.DeadLettered, reason, cancellationToken).ConfigureAwait(false);
        await ledger.ReleaseAsync(entry.Message.CustomerId, entry.Message.MessageId, cancellationToken).ConfigureAwait(false);
        LogDeadLettered(logger, LogRef(message.MessageId), reason);
    }

    private async Task FinishAsync(DeliveryMessage message, OutboxStatus status, string why, CancellationToken cancellationToken)
    {
        var changed = false;
        var entry = await outbox.UpdateAsync(message.CustomerId, message.MessageId, e =>
        {
            changed = false;
            if (e is null || e.IsFinal || e.Generation != message.Generation)
            {
                return null;
            }

            var now = timeProvider.GetUtcNow();
            e.Status = status;
            e.SendingSince = null;
            e.NextAttemptAt = null;
            if (status == OutboxStatus.Sent)
            {
                e.SentAt = now;
            }
            else
            {
                e.Reason = why;
            }

            if (status == OutboxStatus.DeadLettered)
            {
                e.LastError = why;
            }

            e.Record(now, $"{Json.ToElement(status).GetString()}: {why}");
            changed = true;
            return e;
        }, cancellationToken).ConfigureAwait(false);
        if (changed && entry is not null)
        {
            await stats.CountAsync(entry.Message.Kind, status, cancellationToken).ConfigureAwait(false);
            if (status == OutboxStatus.Sent)
            {
                await attribution.CountSendAsync(entry.Message.Channel, entry.Message.Kind, entry.SentAt ?? timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string Sanitize(string id) => string.Concat(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-'));

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery message of generation {Generation} is stale, nothing to do: {Reason}")]
    private static partial void LogStale(ILogger logger, int generation, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery message of generation {Generation}: already final, superseded or being sent under another lease; nothing to do")]
    private static partial void LogNotClaimed(ILogger logger, int generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageRef} sent on attempt {Attempt}")]
    private static partial void LogSent(ILogger logger, string messageRef, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageRef} attempt {Attempt} failed ({Detail}); retrying in {Wait}")]
    private static partial void LogRetry(ILogger logger, string messageRef, int attempt, string detail, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageRef} dead-lettered: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string messageRef, string reason);
}
