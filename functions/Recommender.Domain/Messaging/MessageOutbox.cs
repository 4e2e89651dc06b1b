using System.Text.Json;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Messaging;

/// <summary>
/// The outbox: a workflow records each message it decided to send here (collection
/// <c>workflows</c>, partition = customer id, id <c>msg:{MessageId}</c>) and
/// <see cref="DeliveryService"/> delivers it from a queue message. Recording is idempotent on the
/// message id, and every attempt posts the same id as its idempotency key: a crash between deciding
/// and sending neither loses the message (the entry and its delivery message survive) nor creates a
/// second one (the provider de-duplicates on the key). That is the exactly-once contract: at least
/// once to the provider, exactly once after its de-duplication.
/// </summary>
public sealed class MessageOutbox(IDocumentStore documents, IWorkQueue queue, TimeProvider timeProvider, Privacy.TimerSeal timerSeal)
{
    public const string IdPrefix = "msg:";

    public static string DocumentId(string messageId) => IdPrefix + messageId;

    /// <summary>
    /// Records <paramref name="message"/> (pending) and queues its delivery at <see cref="OutboundMessage.NotBefore"/>.
    /// Called again with the same id it changes nothing recorded but queues the delivery again while
    /// the entry is pending (the first call may have crashed before queueing; duplicates are harmless).
    /// Returns false when the message was already there.
    /// </summary>
    public async Task<bool> EnqueueAsync(OutboundMessage message, CancellationToken cancellationToken = default)
    {
        var entry = new OutboxEntry { Message = message, Status = OutboxStatus.Pending, NextAttemptAt = message.NotBefore };
        entry.Record(timeProvider.GetUtcNow(), $"queued {message.Kind} on {message.Channel}");
        bool created;
        try
        {
            await documents.CreateAsync(Collections.Workflows, message.CustomerId, DocumentId(message.MessageId), Json.ToElement(entry), cancellationToken).ConfigureAwait(false);
            created = true;
        }
        catch (DocumentConflictException)
        {
            created = false;
            entry = await GetAsync(message.CustomerId, message.MessageId, cancellationToken).ConfigureAwait(false);
        }

        if (entry is { Status: OutboxStatus.Pending, Generation: 0 })
        {
            await ScheduleAsync(new DeliveryMessage(message.CustomerId, message.MessageId, 0), message.NotBefore, cancellationToken).ConfigureAwait(false);
        }

        return created;
    }

    public Task<OutboxEntry?> GetAsync(string customerId, string messageId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<OutboxEntry>(Collections.Workflows, customerId, DocumentId(messageId), cancellationToken);

    /// <summary>Every outbox entry of a customer (one single-partition read).</summary>
    public Task<IReadOnlyList<OutboxEntry>> ListAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.ListAsync<OutboxEntry>(Collections.Workflows, customerId, IdPrefix, cancellationToken);

    /// <summary>Deletes every outbox entry of a customer (erasure); returns how many there were.</summary>
    public async Task<int> DeleteAllAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var ids = new List<string>();
        await foreach (var document in documents.ReadPartitionAsync(Collections.Workflows, customerId, cancellationToken).ConfigureAwait(false))
        {
            if (document.Id.StartsWith(IdPrefix, StringComparison.Ordinal))
            {
                ids.Add(document.Id);
            }
        }

        foreach (var id in ids)
        {
            await documents.DeleteAsync(Collections.Workflows, customerId, id, cancellationToken).ConfigureAwait(false);
        }

        return ids.Count;
    }

    /// <summary>An operator cancels a message not yet final: it ends suppressed with the reason; false when there was nothing to cancel.</summary>
    public async Task<bool> CancelAsync(string customerId, string messageId, string reason, CancellationToken cancellationToken = default)
    {
        var cancelled = false;
        await UpdateAsync(customerId, messageId, e =>
        {
            cancelled = false;
            if (e is null || e.IsFinal)
            {
                return null;
            }

            e.Status = OutboxStatus.Suppressed;
            e.Reason = reason;
            e.NextAttemptAt = null;
            e.SendingSince = null;
            e.Record(timeProvider.GetUtcNow(), $"cancelled: {reason}");
            cancelled = true;
            return e;
        }, cancellationToken).ConfigureAwait(false);
        return cancelled;
    }

    internal Task<OutboxEntry?> UpdateAsync(string customerId, string messageId, Func<OutboxEntry?, OutboxEntry?> mutate, CancellationToken cancellationToken) =>
        documents.UpdateAsync(Collections.Workflows, customerId, DocumentId(messageId), mutate, cancellationToken);

    /// <summary>Queues a delivery message visible at <paramref name="dueAt"/> (at most one queue hop away; a longer wait re-arms on wake).</summary>
    internal Task ScheduleAsync(DeliveryMessage message, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        timerSeal.ScheduleAsync(queue, DeliveryService.Queue, message, message.CustomerId, dueAt, cancellationToken);
}
