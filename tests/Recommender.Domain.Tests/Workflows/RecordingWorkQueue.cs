using Recommender.Domain.Ports;

namespace Recommender.Domain.Tests.Workflows;

/// <summary>An <see cref="IWorkQueue"/> that keeps what was sent (queue, body, delay) and delivers nothing.</summary>
public sealed class RecordingWorkQueue : IWorkQueue
{
    public List<(string Queue, string Body, TimeSpan Delay)> Sent { get; } = [];

    public Task SendAsync(string queue, string body, TimeSpan delay = default, CancellationToken cancellationToken = default)
    {
        lock (Sent)
        {
            Sent.Add((queue, body, delay));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<QueueMessage>>([]);

    public Task DeleteAsync(QueueMessage message, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<long> ApproximateCountAsync(string queue, CancellationToken cancellationToken = default) => Task.FromResult((long)Sent.Count(s => s.Queue == queue));
}
