using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Azure;

/// <summary>
/// <see cref="IWorkQueue"/> over Azure Storage queues. Messages are plain text (the function app's
/// <c>host.json</c> sets the queue extension's <c>messageEncoding</c> to <c>none</c>), never expire
/// (time-to-live -1, so week-long timers survive), and become visible after the requested delay.
/// </summary>
/// <remarks>
/// <see cref="DeleteAsync"/> is a no-op when the message is already gone or was received again by
/// someone else since (its pop receipt is stale): the new holder owns the work. The queues must exist
/// (the infrastructure, or <see cref="AzureResourceInitializer"/> for emulators, creates them).
/// </remarks>
public sealed class StorageQueueWorkQueue : IWorkQueue
{
    /// <summary>Most messages one receive can take (the service's limit).</summary>
    public const int MaxMessagesPerReceive = 32;

    private static readonly TimeSpan NeverExpire = TimeSpan.FromSeconds(-1);

    private readonly QueueServiceClient _service;
    private readonly ConcurrentDictionary<string, QueueClient> _queues = new(StringComparer.Ordinal);

    /// <summary>Uses the queues of <paramref name="service"/>; create it with <see cref="QueueMessageEncoding.None"/>.</summary>
    public StorageQueueWorkQueue(QueueServiceClient service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
    }

    /// <inheritdoc />
    public async Task SendAsync(string queue, string body, TimeSpan delay = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (delay < TimeSpan.Zero || delay > IWorkQueue.MaxDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, $"The delay must be between zero and {IWorkQueue.MaxDelay}.");
        }

        await Queue(queue).SendMessageAsync(body, visibilityTimeout: WholeSeconds(delay), timeToLive: NeverExpire, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxMessagesPerReceive);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lease, IWorkQueue.MaxDelay);

        var response = await Queue(queue).ReceiveMessagesAsync(maxMessages, WholeSeconds(lease), cancellationToken);
        return response.Value
            .Select(m => new QueueMessage(queue, m.MessageId, m.PopReceipt, m.Body.ToString(), (int)m.DequeueCount))
            .ToList();
    }

    /// <inheritdoc />
    public async Task<long> ApproximateCountAsync(string queue, CancellationToken cancellationToken = default)
    {
        var properties = await Queue(queue).GetPropertiesAsync(cancellationToken);
        return properties.Value.ApproximateMessagesCountLong;
    }

    /// <inheritdoc />
    /// <remarks>No-op when the message is gone or its pop receipt is stale.</remarks>
    public async Task DeleteAsync(QueueMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            await Queue(message.Queue).DeleteMessageAsync(message.Id, message.PopReceipt, cancellationToken);
        }
        catch (RequestFailedException ex) when (StorageErrors.IsNotFound(ex) || ex.ErrorCode == "PopReceiptMismatch")
        {
            // Already deleted, or leased again by another receiver: nothing to do.
        }
    }

    /// <summary>
    /// The service counts visibility in whole seconds and truncates; rounding up keeps a message
    /// hidden at least as long as asked (a 0.5 s lease must not become no lease at all).
    /// </summary>
    private static TimeSpan WholeSeconds(TimeSpan duration) => TimeSpan.FromSeconds(Math.Ceiling(duration.TotalSeconds));

    private QueueClient Queue(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _queues.GetOrAdd(name, static (n, service) => service.GetQueueClient(n), _service);
    }
}
