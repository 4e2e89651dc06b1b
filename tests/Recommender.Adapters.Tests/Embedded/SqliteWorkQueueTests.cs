using Microsoft.Extensions.Time.Testing;
using Recommender.Adapters.Embedded;
using Recommender.Adapters.Tests.Contracts;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Embedded;

public sealed class SqliteWorkQueueTests : WorkQueueContract
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2024-03-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    protected override string QueueName => "test-queue";

    protected override TimeSpan Delay => TimeSpan.FromMinutes(10);

    protected override TimeSpan Lease => TimeSpan.FromSeconds(30);

    protected override Task<IWorkQueue> CreateQueueAsync() =>
        Task.FromResult<IWorkQueue>(new SqliteWorkQueue(Path.Combine(_directory.Path, "test.db"), _time));

    protected override Task ElapseAsync(TimeSpan duration)
    {
        _time.Advance(duration);
        return Task.CompletedTask;
    }

    protected override Task DisposeQueueAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Delayed_BecomesVisibleExactlyAtTheDelay()
    {
        await Queue.SendAsync(QueueName, "timer", TimeSpan.FromDays(7));

        _time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromTicks(1));
        Assert.Empty(await Queue.ReceiveAsync(QueueName, 1, Lease));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Single(await Queue.ReceiveAsync(QueueName, 1, Lease));
    }

    [Fact]
    public async Task Queues_AreIndependent()
    {
        await Queue.SendAsync("a", "for a");
        await Queue.SendAsync("b", "for b");

        Assert.Equal("for b", Assert.Single(await Queue.ReceiveAsync("b", 32, Lease)).Body);
        Assert.Equal("for a", Assert.Single(await Queue.ReceiveAsync("a", 32, Lease)).Body);
    }

    [Fact]
    public async Task ConcurrentReceivers_NeverGetTheSameMessage()
    {
        for (var i = 0; i < 100; i++)
        {
            await Queue.SendAsync(QueueName, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        async Task<List<string>> DrainAsync()
        {
            var bodies = new List<string>();
            while (true)
            {
                var batch = await Queue.ReceiveAsync(QueueName, 3, Lease);
                if (batch.Count == 0)
                {
                    return bodies;
                }

                bodies.AddRange(batch.Select(m => m.Body));
            }
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(DrainAsync)));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(100, all.Count);
        Assert.Equal(100, all.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Receive_RejectsOutOfRangeArguments()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.ReceiveAsync(QueueName, 0, Lease));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.ReceiveAsync(QueueName, 33, Lease));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.ReceiveAsync(QueueName, 1, TimeSpan.Zero));
    }
}
