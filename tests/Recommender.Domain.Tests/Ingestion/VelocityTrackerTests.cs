using Microsoft.Extensions.Time.Testing;
using Recommender.Domain.Ingestion;

namespace Recommender.Domain.Tests.Ingestion;

public class VelocityTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Record_CatchesASourceSpreadOverManySmallBatches()
    {
        var tracker = new VelocityTracker();
        var flagged = new HashSet<string>();

        // 130 events in 52 seconds, 10 per batch: no single batch looks fast.
        for (var batch = 0; batch < 13; batch++)
        {
            var events = Enumerable.Range(0, 10).Select(i => ("scraper", T0.AddMilliseconds((batch * 10 + i) * 400)));
            Assert.Empty(BotDetector.TooFast(events));
            flagged.UnionWith(tracker.Record(events));
        }

        Assert.Equal(["scraper"], flagged);
    }

    [Fact]
    public void Record_LetsAPersonBrowseAllDay()
    {
        var tracker = new VelocityTracker();

        var flagged = tracker.Record(Enumerable.Range(0, 2000).Select(i => ("person", T0.AddSeconds(i * 3))));

        Assert.Empty(flagged);
    }

    [Fact]
    public void Record_SlidesAcrossTheMinuteBoundary()
    {
        var tracker = new VelocityTracker();
        // 100 events in the last 10 s of one minute, 60 in the first 10 s of the next. The window is an
        // estimate (the previous minute is taken as evenly spread): 60 + 100 × 50/60 = 143 > 120.
        var late = Enumerable.Range(0, 100).Select(i => ("s", T0.AddSeconds(50 + i * 0.1)));
        var early = Enumerable.Range(0, 60).Select(i => ("s", T0.AddSeconds(60 + i * 0.15)));

        Assert.Empty(tracker.Record(late));
        Assert.Equal(["s"], tracker.Record(early));
    }

    private static IEnumerable<(string, DateTimeOffset)> OneEventEach(int from, int count, DateTimeOffset at) =>
        Enumerable.Range(from, count).Select(i => ($"visitor-{i}", at));

    [Fact]
    public void IdleSources_AreForgotten_OnceIdleForLongerThanTheIdleTime()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = new VelocityTracker(clock);
        tracker.Record(OneEventEach(0, 5000, T0));
        Assert.Equal(5000, tracker.Sources);

        clock.Advance(VelocityTracker.IdleAfter - TimeSpan.FromSeconds(1));
        tracker.Record(OneEventEach(5000, 1, clock.GetUtcNow()));
        Assert.Equal(5001, tracker.Sources); // not idle long enough yet

        // Forgotten at the first sweep after the idle time: sweeps run at most once every SweepEvery.
        clock.Advance(VelocityTracker.SweepEvery + TimeSpan.FromSeconds(1));
        tracker.Record(OneEventEach(5001, 1, clock.GetUtcNow()));
        Assert.Equal(2, tracker.Sources); // the 5,000 are gone; the two recent ones stay
    }

    [Fact]
    public void ASourceThatKeepsSending_IsKept_AndStillCaught_WhileOthersAreSwept()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = new VelocityTracker(clock);
        var flagged = new HashSet<string>();
        tracker.Record(OneEventEach(0, 1000, T0));

        // 13 batches of 10 events 4 s apart in event time: 130 events in 52 s. Delivered 20 s apart (slow ingestion),
        // the clock passes the idle time of the 1,000 plus a sweep meanwhile.
        for (var batch = 0; batch < 13; batch++)
        {
            clock.Advance(TimeSpan.FromSeconds(20));
            var events = Enumerable.Range(0, 10).Select(i => ("scraper", T0.AddMilliseconds((batch * 10 + i) * 400)));
            flagged.UnionWith(tracker.Record(events));
        }

        Assert.Equal(["scraper"], flagged);
        Assert.Equal(1, tracker.Sources);
    }

    [Fact]
    public void ManyNewSources_AtOnce_StayWithinTheCapacity_AndTheBusiestAreKept()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = new VelocityTracker(clock, maxSources: 1000);
        tracker.Record(Enumerable.Range(0, 50).Select(i => ("busy", T0.AddSeconds(i))));

        for (var batch = 0; batch < 100; batch++)
        {
            tracker.Record(OneEventEach(batch * 100, 100, T0.AddSeconds(50))); // 10,000 sources in the same minute, the clock standing still
            Assert.InRange(tracker.Sources, 1, 1000);
        }

        // The busy source was kept: 80 more events in the same minute make it 130 > 120.
        Assert.Equal(["busy"], tracker.Record(Enumerable.Range(0, 80).Select(i => ("busy", T0.AddSeconds(55)))));
    }
}
