using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Domain.Tests.Telemetry;

/// <summary>
/// The storage calls the aggregates make, as the metering decorators count them where they are made
/// (<see cref="StorageCallTally"/>): the methods return no hand count of their own any more.
/// </summary>
public class StoreCallsMadeTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task IncrementOrCreate_CreatesTheDocumentTheFirstTime_ThenOnlyIncrements()
    {
        var inner = new RecordingDocumentStore();
        IDocumentStore store = new MeteredDocumentStore(inner);
        var increments = new Dictionary<string, double> { ["views"] = 1 };

        Assert.Equal(2, await CallsAsync(() => store.IncrementOrCreateAsync("items", "p1", "p1", increments, () => new { views = 1 })));
        Assert.Equal(["increment", "create"], inner.Calls);
        Assert.NotNull(await inner.ReadAsync("items", "p1", "p1"));

        inner.Calls.Clear();
        Assert.Equal(1, await CallsAsync(() => store.IncrementOrCreateAsync("items", "p1", "p1", increments, () => new { views = 1 })));
        Assert.Equal(["increment"], inner.Calls);

        inner.Calls.Clear();
        Assert.Equal(0, await CallsAsync(() => store.IncrementOrCreateAsync("items", "p1", "p1", new Dictionary<string, double>(), () => new { views = 0 })));
        Assert.Empty(inner.Calls);
    }

    [Fact]
    public async Task IncrementOrCreate_LosingTheRaceToCreate_IncrementsTheWinnersDocument()
    {
        var inner = new RecordingDocumentStore();
        IDocumentStore store = new MeteredDocumentStore(inner);
        var created = 0;

        // The first increment finds nothing; a concurrent creator writes the document before this create.
        var calls = await CallsAsync(() => store.IncrementOrCreateAsync("items", "p1", "p1", new Dictionary<string, double> { ["views"] = 1 }, () =>
        {
            if (created++ == 0)
            {
                ((IDocumentStore)inner).UpsertAsync("items", "p1", "p1", JsonSerializer.SerializeToElement(new { views = 1 })).GetAwaiter().GetResult();
            }

            return new { views = 1 };
        }));

        Assert.Equal(["increment", "upsert", "create", "increment"], inner.Calls); // the upsert is the other creator's, not counted
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Trending_ReadsAndWritesEachHourBucketOnce_PerBatch()
    {
        var inner = new RecordingDocumentStore();
        var trending = new TrendingStore(new MeteredDocumentStore(inner), new FakeTimeProvider(Now));
        (string, DateTimeOffset, double)[] interactions = [("p1", Now.AddMinutes(-5), 1), ("p2", Now.AddMinutes(-10), 2), ("p1", Now.AddHours(-2), 1)];

        Assert.Equal(4, await CallsAsync(() => trending.AddAsync(interactions)));
        Assert.Equal(["read", "create", "read", "create"], inner.Calls);

        inner.Calls.Clear();
        Assert.Equal(4, await CallsAsync(() => trending.AddAsync(interactions)));
        Assert.Equal(["read", "replace", "read", "replace"], inner.Calls);

        inner.Calls.Clear();
        Assert.Equal(0, await CallsAsync(() => trending.AddAsync([("p1", Now.AddDays(-400), 1)]))); // beyond the longest window: no bucket
        Assert.Empty(inner.Calls);
        Assert.Equal(["p1", "p2"], (await trending.TopAsync(TimeSpan.FromDays(1), 10)).Select(t => t.ProductId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Bandit_CountsEachArmInItsTotalsAndOnItsDay_CreatingEachCounterOnce()
    {
        var inner = new RecordingDocumentStore();
        var bandit = new BanditPolicy(new MeteredDocumentStore(inner), Options.Create(new BanditOptions()), new FakeTimeProvider(Now));
        var popular = BanditPolicy.RecommendationIdOf("home", "known", "popular", Guid.NewGuid());
        var trending = BanditPolicy.RecommendationIdOf("home", "known", "trending", Guid.NewGuid());
        BanditEvent[] feedback =
        [
            new(popular, BanditFeedback.Impression, Now.AddMinutes(-3)), new(popular, BanditFeedback.Click, Now.AddMinutes(-2)),
            new(trending, BanditFeedback.Impression, Now.AddMinutes(-1)), new("not-a-recommendation", BanditFeedback.Impression, Now),
        ];

        // Two arms, each in its totals and on the day: four counters, created the first time.
        Assert.Equal(8, await CallsAsync(() => bandit.RecordAsync(feedback)));
        Assert.Equal(4, inner.Calls.Count(c => c == "create"));

        inner.Calls.Clear();
        Assert.Equal(4, await CallsAsync(() => bandit.RecordAsync(feedback)));
        Assert.Equal(["increment", "increment", "increment", "increment"], inner.Calls);

        inner.Calls.Clear();
        Assert.Equal(0, await CallsAsync(() => bandit.RecordAsync([new("not-a-recommendation", BanditFeedback.Click, Now)])));
    }

    private static async Task<long> CallsAsync(Func<Task> work)
    {
        using var tally = StorageCallTally.Start();
        await work();
        return tally.Calls;
    }
}
