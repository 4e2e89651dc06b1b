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
}
