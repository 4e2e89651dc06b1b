using Recommender.Models.Evaluation;

namespace Recommender.Models.Tests.Evaluation;

public class GateStatisticsTests
{
    [Fact]
    public void LatestFraction_HoldsOutEachUsersLatestQuarter_AndKeepsSingleInteractionUsersInTraining()
    {
        var data = new List<Interaction>();
        for (var d = 0; d < 8; d++)
        {
            data.Add(TestData.At("many", $"m{d}", 10 - d));
        }

        data.Add(TestData.At("two", "a", 5));
        data.Add(TestData.At("two", "b", 1));
        data.Add(TestData.At("one", "z", 3));

        var split = new LatestFractionSplitter().Split(data);

        Assert.Equal(["m6", "m7"], split.Test.Where(i => i.User == "many").Select(i => i.Item).Order(StringComparer.Ordinal));
        Assert.Equal(["b"], split.Test.Where(i => i.User == "two").Select(i => i.Item));
        Assert.DoesNotContain(split.Test, i => i.User == "one");
        Assert.Equal(data.Count, split.Train.Count + split.Test.Count);
    }

    [Fact]
    public void Bootstrap_NoiseOnlyDifference_IncludesZero()
    {
        var random = new Random(3);
        var baseline = Enumerable.Range(0, 400).Select(_ => random.NextDouble()).ToArray();
        // The candidate wins on some users and loses on as many others: a mean difference of noise.
        var candidate = baseline.Select((b, u) => Math.Clamp(b + (u % 2 == 0 ? 0.05 : -0.05) + ((random.NextDouble() - 0.5) * 0.02), 0, 1)).ToArray();

        var interval = PairedBootstrap.Interval(candidate, baseline);

        Assert.False(interval.IsAboveZero);
        Assert.True(interval.Lower < 0 && interval.Upper > 0);
        Assert.Equal(400, interval.Users);
    }

    [Fact]
    public void Bootstrap_ClearlyBetterCandidate_IsAboveZero_AndTheIntervalIsRepeatable()
    {
        var random = new Random(4);
        var baseline = Enumerable.Range(0, 200).Select(_ => random.NextDouble() * 0.5).ToArray();
        var candidate = baseline.Select(b => b + 0.05 + (random.NextDouble() * 0.1) - 0.05).ToArray();

        var first = PairedBootstrap.Interval(candidate, baseline);
        var second = PairedBootstrap.Interval(candidate, baseline);

        Assert.True(first.IsAboveZero);
        Assert.True(first.Lower <= first.Mean && first.Mean <= first.Upper);
        Assert.Equal(first, second);
    }
}
