using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Contracts;

/// <summary>
/// What every <see cref="IWorkQueue"/> must do. Subclasses supply a queue (empty, unique to the
/// test), the delay and lease lengths they can afford, and a way to let time pass: the embedded
/// queue advances a fake clock, the Azure queue really waits (Azurite keeps real time).
/// </summary>
public abstract class WorkQueueContract : IAsyncLifetime
{
    private IWorkQueue? _queue;

    protected IWorkQueue Queue => _queue ?? throw new InvalidOperationException("The queue was not created.");

    /// <summary>The name of an existing, empty queue for this test.</summary>
    protected abstract string QueueName { get; }

    /// <summary>A visibility delay the test can wait out.</summary>
    protected abstract TimeSpan Delay { get; }

    /// <summary>A lease the test can wait out.</summary>
    protected abstract TimeSpan Lease { get; }

    protected abstract Task<IWorkQueue> CreateQueueAsync();

    /// <summary>Lets at least <paramref name="duration"/> pass for the queue.</summary>
    protected abstract Task ElapseAsync(TimeSpan duration);

    protected virtual Task DisposeQueueAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => _queue = await CreateQueueAsync();

    public Task DisposeAsync() => DisposeQueueAsync();

    [Fact]
    public async Task Send_ThenReceive_DeliversBodyOnce()
    {
        const string Body = """{"workflow":"cart-abandonment","customer":"c-1","text":"<ü & \"quotes\">"}""";
        await Queue.SendAsync(QueueName, Body);

        var message = Assert.Single(await Queue.ReceiveAsync(QueueName, 10, Lease));

        Assert.Equal(QueueName, message.Queue);
        Assert.Equal(Body, message.Body);
        Assert.Equal(1, message.DequeueCount);
        Assert.False(string.IsNullOrEmpty(message.Id));
        Assert.False(string.IsNullOrEmpty(message.PopReceipt));
        Assert.Empty(await Queue.ReceiveAsync(QueueName, 10, Lease)); // leased: invisible to others
    }

    [Fact]
    public async Task ApproximateCount_CountsDelayedLeasedAndVisibleMessages_AndDropsWithDeletes()
    {
        Assert.Equal(0, await Queue.ApproximateCountAsync(QueueName));
        await Queue.SendAsync(QueueName, "visible");
        await Queue.SendAsync(QueueName, "delayed", Delay);
        var leased = Assert.Single(await Queue.ReceiveAsync(QueueName, 1, Lease));

        Assert.Equal(2, await Queue.ApproximateCountAsync(QueueName));
        await Queue.DeleteAsync(leased);
        Assert.Equal(1, await Queue.ApproximateCountAsync(QueueName));
    }

    [Fact]
    public async Task Receive_Empty_ReturnsNothing()
    {
        Assert.Empty(await Queue.ReceiveAsync(QueueName, 32, Lease));
    }

    [Fact]
    public async Task Receive_TakesAtMostMaxMessages()
    {
        foreach (var body in new[] { "1", "2", "3" })
        {
            await Queue.SendAsync(QueueName, body);
        }

        var first = await Queue.ReceiveAsync(QueueName, 2, Lease);
        var rest = await Queue.ReceiveAsync(QueueName, 32, Lease);

        Assert.Equal(2, first.Count);
        Assert.Single(rest);
        Assert.Equal(["1", "2", "3"], first.Concat(rest).Select(m => m.Body).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Delayed_StaysInvisibleUntilTheDelayPasses()
    {
        await Queue.SendAsync(QueueName, "later", Delay);

        Assert.Empty(await Queue.ReceiveAsync(QueueName, 10, Lease));
        await ElapseAsync(Delay / 2);
        Assert.Empty(await Queue.ReceiveAsync(QueueName, 10, Lease));
        await ElapseAsync(Delay);
        Assert.Equal("later", Assert.Single(await Queue.ReceiveAsync(QueueName, 10, Lease)).Body);
    }

    [Fact]
    public async Task Send_WithDelayBeyondMax_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.SendAsync(QueueName, "x", IWorkQueue.MaxDelay + TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.SendAsync(QueueName, "x", TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Send_WithMaxDelay_IsAccepted()
    {
        await Queue.SendAsync(QueueName, "a week from now", IWorkQueue.MaxDelay);

        Assert.Empty(await Queue.ReceiveAsync(QueueName, 10, Lease));
    }

    [Fact]
    public async Task LeaseExpiry_MakesMessageVisibleAgain_WithDequeueCountIncremented()
    {
        await Queue.SendAsync(QueueName, "retry me");
        var first = Assert.Single(await Queue.ReceiveAsync(QueueName, 1, Lease));

        await ElapseAsync(Lease);
        var second = Assert.Single(await Queue.ReceiveAsync(QueueName, 1, Lease));

        Assert.Equal(first.Id, second.Id);
        Assert.Equal("retry me", second.Body);
        Assert.Equal(2, second.DequeueCount);
        Assert.NotEqual(first.PopReceipt, second.PopReceipt);
    }

    [Fact]
    public async Task Delete_RemovesTheMessageForGood()
    {
        await Queue.SendAsync(QueueName, "done");
        var message = Assert.Single(await Queue.ReceiveAsync(QueueName, 1, Lease));

        await Queue.DeleteAsync(message);
        await ElapseAsync(Lease);

        Assert.Empty(await Queue.ReceiveAsync(QueueName, 10, Lease));
        await Queue.DeleteAsync(message); // deleting again is a no-op
    }

    [Fact]
    public async Task Delete_WithStalePopReceipt_IsANoOp_AndKeepsTheMessage()
    {
        await Queue.SendAsync(QueueName, "contested");
        var stale = Assert.Single(await Queue.ReceiveAsync(QueueName, 1, Lease));
        await ElapseAsync(Lease);
        var current = Assert.Single(await Queue.ReceiveAsync(QueueName, 1, Lease)); // re-leased by someone else

        await Queue.DeleteAsync(stale);

        await ElapseAsync(Lease);
        var again = Assert.Single(await Queue.ReceiveAsync(QueueName, 1, Lease));
        Assert.Equal(current.Id, again.Id);
        Assert.Equal(3, again.DequeueCount);
        await Queue.DeleteAsync(again);
    }
}
