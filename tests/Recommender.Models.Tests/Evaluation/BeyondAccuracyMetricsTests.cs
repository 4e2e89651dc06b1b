using Recommender.Models.Evaluation;

namespace Recommender.Models.Tests.Evaluation;

public sealed class BeyondAccuracyMetricsTests
{
    // Training: u1 {a, b}, u2 {a, c}, u3 {a, a (repeat)} → distinct users a = 3, b = 1, c = 1; 5 distinct pairs.
    private static readonly TrainingStatistics Train = new(
    [
        TestData.At("u1", "a", 1), TestData.At("u1", "b", 1),
        TestData.At("u2", "a", 1), TestData.At("u2", "c", 1),
        TestData.At("u3", "a", 1), TestData.At("u3", "a", 2),
    ]);

    [Fact]
    public void CooccurrenceCosine_IsSharedUsersOverRootOfFrequencies()
    {
        Assert.Equal(1 / Math.Sqrt(3), Train.CooccurrenceCosine("a", "b"), 12); // 1 shared user / √(3·1)
        Assert.Equal(0.0, Train.CooccurrenceCosine("b", "c"));                  // never together
    }

    [Fact]
    public void Diversity_IsOneMinusMeanPairwiseCosine_AveragedOverUsers()
    {
        // [a, b]: 1 − 0.577350 = 0.422650; [b, c]: 1 − 0 = 1; [a] has no pair and is left out
        // mean = (0.422650 + 1) / 2 = 0.711325
        Assert.Equal(0.711325, BeyondAccuracyMetrics.Diversity([["a", "b"], ["b", "c"], ["a"]], Train), 6);
    }

    [Fact]
    public void Novelty_IsMeanMinusLog2OfChoiceProbability()
    {
        // p(a) = 3/5 → 0.736966; p(b) = p(c) = 1/5 → 2.321928
        // recommendations a, b, b, c → (0.736966 + 3 · 2.321928) / 4 = 7.702750 / 4 = 1.925687
        Assert.Equal(1.925687, BeyondAccuracyMetrics.Novelty([["a", "b"], ["b", "c"]], Train), 6);
    }

    [Fact]
    public void CatalogCoverage_IsDistinctRecommendedOverDistinctTrainingItems()
    {
        Assert.Equal(2.0 / 3.0, BeyondAccuracyMetrics.CatalogCoverage([["a", "b"], ["b"]], Train), 12);
    }
}
