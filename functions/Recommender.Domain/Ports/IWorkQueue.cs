namespace Recommender.Domain.Ports;

/// <summary>A message taken from a queue; invisible to others until deleted or its lease expires.</summary>
public sealed record QueueMessage(string Queue, string Id, string PopReceipt, string Body, int DequeueCount);

/// <summary>
/// Storage-queue semantics: at-least-once delivery, delayed visibility (the workflows' timers),
/// and a lease while a message is processed. In Azure the Functions host receives messages and
/// invokes the handler; <see cref="ReceiveAsync"/> serves the local pump and tests.
/// </summary>
public interface IWorkQueue
{
    /// <summary>Longest delay one message can carry (Azure Storage queues: 7 days).</summary>
    static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);

    /// <summary>Sends <paramref name="body"/>; it becomes visible after <paramref name="delay"/> (at most <see cref="MaxDelay"/>).</summary>
    Task SendAsync(string queue, string body, TimeSpan delay = default, CancellationToken cancellationToken = default);

    /// <summary>Takes up to <paramref name="maxMessages"/> visible messages, hiding them for <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Removes a received message for good.</summary>
    Task DeleteAsync(QueueMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// About how many messages <paramref name="queue"/> holds, visible or not (the service's approximate
    /// count). Reads only: the readiness probe. Throws when the queue service cannot be reached.
    /// </summary>
    Task<long> ApproximateCountAsync(string queue, CancellationToken cancellationToken = default);
}
