using Recommender.Domain.Ports;

namespace Recommender.Benchmarks;

/// <summary>
/// Sends the app's queue traffic to queues named <c>{prefix}{queue}</c>. The app's queue names are
/// fixed and Azurite is shared with the tests, so a benchmark run on the Azure adapters uses queues of
/// its own (same operations, same cost) and deletes them afterwards.
/// </summary>
public sealed class PrefixedWorkQueue(IWorkQueue inner, string prefix) : IWorkQueue
{
    public Task SendAsync(string queue, string body, TimeSpan delay = default, CancellationToken cancellationToken = default) =>
        inner.SendAsync(prefix + queue, body, delay, cancellationToken);

    public Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default) =>
        inner.ReceiveAsync(prefix + queue, maxMessages, lease, cancellationToken);

    public Task DeleteAsync(QueueMessage message, CancellationToken cancellationToken = default) => inner.DeleteAsync(message, cancellationToken);

    public Task<long> ApproximateCountAsync(string queue, CancellationToken cancellationToken = default) => inner.ApproximateCountAsync(prefix + queue, cancellationToken);
}
