using Recommender.Domain.Ports;

namespace Recommender.Functions.Tests.Faults;

/// <summary>An <see cref="IWorkQueue"/> that dies when <see cref="FaultInjector"/> says so (receiving is the host's, not a step: never counted).</summary>
public sealed class FaultInjectingWorkQueue(IWorkQueue inner, FaultInjector faults) : IWorkQueue
{
    public Task SendAsync(string queue, string body, TimeSpan delay = default, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"send {queue} {body}", () => inner.SendAsync(queue, body, delay, cancellationToken));

    public Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfDown();
        return inner.ReceiveAsync(queue, maxMessages, lease, cancellationToken);
    }

    public Task<long> ApproximateCountAsync(string queue, CancellationToken cancellationToken = default) => inner.ApproximateCountAsync(queue, cancellationToken);

    public Task DeleteAsync(QueueMessage message, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"complete {message.Queue} {message.Body}", () => inner.DeleteAsync(message, cancellationToken));
}
