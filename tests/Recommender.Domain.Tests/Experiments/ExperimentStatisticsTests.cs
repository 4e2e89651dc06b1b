using Recommender.Domain.Experiments;

namespace Recommender.Domain.Tests.Experiments;

public class ExperimentStatisticsTests
{
    [Theory]
    [InlineData(3.841458820694124, 1, 0.05)]
    [InlineData(10.827566170662733, 1, 0.001)]
    [InlineData(5.991464547107979, 2, 0.05)]
    [InlineData(1.0, 3, 0.8012519569012008)]
    [InlineData(20.0, 10, 0.029252688076961075)]
    [InlineData(0.0, 4, 1.0)]
    public void ChiSquareSurvival_MatchesKnownValues(double x, int df, double expected) =>
        Assert.Equal(expected, ExperimentStatistics.ChiSquareSurvival(x, df), 1e-9);

    [Theory]
    [InlineData(3.84, 1, 0.05)]
    [InlineData(10.83, 1, 0.001)]
    [InlineData(5.99, 2, 0.05)]
    public void ChiSquareSurvival_AtTheTabledCriticalValues_IsTheSignificanceLevel(double x, int df, double alpha) =>
        Assert.Equal(alpha, ExperimentStatistics.ChiSquareSurvival(x, df), alpha / 50);

    [Theory]
    [InlineData(0.5)]
    [InlineData(3.0)]
    [InlineData(40.0)]
    public void ChiSquareSurvival_WithTwoDegrees_IsTheExponentialTail(double x) =>
        Assert.Equal(Math.Exp(-x / 2), ExperimentStatistics.ChiSquareSurvival(x, 2), 1e-12);

    [Fact]
    public void ChiSquareSurvival_FarInTheTail_StaysPositiveAndTiny()
    {
        var p = ExperimentStatistics.ChiSquareSurvival(200, 1);
        Assert.InRange(p, 0, 1e-40);
    }

    [Theory]
    [InlineData(0.5, 0.5723649429247001)]
    [InlineData(1.0, 0.0)]
    [InlineData(10.0, 12.801827480081469)]
    [InlineData(0.1, 2.252712651734206)]
    public void LogGamma_MatchesKnownValues(double x, double expected) =>
        Assert.Equal(expected, ExperimentStatistics.LogGamma(x), 1e-12);

    [Fact]
    public void Wilson_MatchesKnownInterval()
    {
        var interval = ExperimentStatistics.Wilson(10, 100);
        Assert.Equal(0.0552291, interval.Low, 1e-6);
        Assert.Equal(0.1743657, interval.High, 1e-6);
    }

    [Fact]
    public void Wilson_AtTheEdges_StaysWithinZeroAndOne()
    {
        Assert.Equal(0, ExperimentStatistics.Wilson(0, 20).Low);
        Assert.Equal(0.16112, ExperimentStatistics.Wilson(0, 20).High, 1e-4);
        Assert.Equal(1, ExperimentStatistics.Wilson(20, 20).High);
        Assert.Equal(new Interval(0, 1), ExperimentStatistics.Wilson(0, 0));
    }

    [Fact]
    public void TwoProportionPValue_IsTheTwoSidedNormalTail()
    {
        // 60/500 vs 40/500: pooled 0.1, se = sqrt(0.1 * 0.9 * 2 / 500) = 0.018974, z = 2.10819
        var p = ExperimentStatistics.TwoProportionPValue(60, 500, 40, 500);
        Assert.Equal(0.035015, p!.Value, 1e-5);
        Assert.Null(ExperimentStatistics.TwoProportionPValue(0, 100, 0, 100));
        Assert.Null(ExperimentStatistics.TwoProportionPValue(1, 0, 0, 100));
    }

    [Fact]
    public void NormalMean_IsMeanPlusMinusZTimesStandardError()
    {
        var variance = ExperimentStatistics.Variance(4, 10, 30); // values 1, 2, 3, 4: variance 5/3
        Assert.Equal(5.0 / 3, variance, 12);
        var interval = ExperimentStatistics.NormalMean(2.5, variance, 4)!.Value;
        Assert.Equal(2.5 - (1.959963984540054 * Math.Sqrt(5.0 / 12)), interval.Low, 12);
        Assert.Null(ExperimentStatistics.NormalMean(3, 0, 1));
    }

    [Fact]
    public void GoodnessOfFit_UsesTheWeightsAsExpectedShares()
    {
        var (chiSquare, df, p) = ExperimentStatistics.GoodnessOfFit([700, 300], [7, 3]);
        Assert.Equal(0, chiSquare, 12);
        Assert.Equal(1, df);
        Assert.Equal(1, p, 12);

        (chiSquare, df, _) = ExperimentStatistics.GoodnessOfFit([5000, 4500], [1, 1]);
        Assert.Equal(2 * 250.0 * 250 / 4750, chiSquare, 9);
        Assert.Equal(1, df);
    }
}
