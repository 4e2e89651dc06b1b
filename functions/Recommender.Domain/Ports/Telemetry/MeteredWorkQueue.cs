using Recommender.Domain.Ports;

namespace Recommender.Domain.Ports.Telemetry;

/// <summary>An <see cref="IWorkQueue"/> that counts each call it passes on (<see cref="StorageMetering"/>).</summary>
public sealed class MeteredWorkQueue : IWorkQueue, IMeteredPort, IDisposable, IAsyncDisposable
{
    private const string Port = StorageMetering.Ports.Queues;
    private readonly bool _ownsInner;

    /// <param name="inner">The adapter.</param>
    /// <param name="ownsInner">Whether disposing this disposes <paramref name="inner"/> (the container created it).</param>
    public MeteredWorkQueue(IWorkQueue inner, bool ownsInner = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        _ownsInner = ownsInner;
    }

    /// <summary>The wrapped queue.</summary>
    public IWorkQueue Inner { get; }

    public Task SendAsync(string queue, string body, TimeSpan delay = default, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "send");
        return Inner.SendAsync(queue, body, delay, cancellationToken);
    }

    public Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "receive");
        return Inner.ReceiveAsync(queue, maxMessages, lease, cancellationToken);
    }

    public Task DeleteAsync(QueueMessage message, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "delete");
        return Inner.DeleteAsync(message, cancellationToken);
    }

    public Task<long> ApproximateCountAsync(string queue, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "count");
        return Inner.ApproximateCountAsync(queue, cancellationToken);
    }

    public void Dispose() => StorageMetering.DisposeOwned(Inner, _ownsInner);

    public ValueTask DisposeAsync() => StorageMetering.DisposeOwnedAsync(Inner, _ownsInner);
}
