using Recommender.Models.Evaluation;

namespace Recommender.Models.Tests.Evaluation;

public sealed class RankingMetricsTests
{
    // Recommended a b c d e; relevant {a, c, x}: hits at ranks 1 and 3.
    private static readonly string[] Recommended = ["a", "b", "c", "d", "e"];
    private static readonly HashSet<string> Relevant = ["a", "c", "x"];

    [Fact]
    public void AveragePrecision_DividesByRelevantCount_AsRecommendersMap()
    {
        // precision at the hits: 1/1 and 2/3 → sum 1.6667; ÷ |relevant| 3 = 0.5556
        Assert.Equal((1.0 + (2.0 / 3.0)) / 3.0, RankingMetrics.AveragePrecision(Recommended, Relevant, k: 5), 12);
        Assert.Equal(0.555556, RankingMetrics.AveragePrecision(Recommended, Relevant, k: 5), 6);
    }

    [Fact]
    public void AveragePrecision_AtTwo_OnlyCountsTheTopTwo_AndCapsTheDenominatorForMapAtK()
    {
        // k = 2: only the hit at rank 1 counts → 1/1 = 1.
        // map: 1 ÷ 3 = 0.3333; map_at_k: 1 ÷ min(3, 2) = 0.5
        Assert.Equal(1.0 / 3.0, RankingMetrics.AveragePrecision(Recommended, Relevant, k: 2), 12);
        Assert.Equal(0.5, RankingMetrics.AveragePrecision(Recommended, Relevant, k: 2, capAtK: true), 12);
    }

    [Fact]
    public void Ndcg_BinaryRelevance_IdealPutsMinOfRelevantAndKFirst()
    {
        // DCG = 1/ln 2 + 1/ln 4 = 1.442695 + 0.721348 = 2.164043
        // IDCG (3 relevant, k = 5) = 1/ln 2 + 1/ln 3 + 1/ln 4 = 1.442695 + 0.910239 + 0.721348 = 3.074282
        // nDCG = 2.164043 / 3.074282 = 0.703918
        Assert.Equal(0.703918, RankingMetrics.Ndcg(Recommended, Relevant, k: 5), 6);

        // k = 2: DCG = 1/ln 2; IDCG = 1/ln 2 + 1/ln 3 = 2.352934 → 1.442695 / 2.352934 = 0.613147
        Assert.Equal(0.613147, RankingMetrics.Ndcg(Recommended, Relevant, k: 2), 6);
    }

    [Fact]
    public void PrecisionRecallHit_CountHitsInTheTopK()
    {
        Assert.Equal(2.0 / 5.0, RankingMetrics.Precision(Recommended, Relevant, 5), 12); // 2 hits / k 5
        Assert.Equal(2.0 / 3.0, RankingMetrics.Recall(Recommended, Relevant, 5), 12);    // 2 hits / 3 relevant
        Assert.Equal(1.0, RankingMetrics.Hit(Recommended, Relevant, 5));
        Assert.Equal(0.0, RankingMetrics.Hit(["b", "d"], Relevant, 5));
    }

    [Fact]
    public void Precision_ShortList_StillDividesByK()
    {
        // one recommendation, one hit, k = 10 → 1/10 (Spark's definition, as Recommenders)
        Assert.Equal(0.1, RankingMetrics.Precision(["a"], new HashSet<string> { "a" }, 10), 12);
    }

    [Fact]
    public void Metrics_NoHit_AreZero()
    {
        string[] misses = ["b", "d", "e"];
        Assert.Equal(0.0, RankingMetrics.AveragePrecision(misses, Relevant, 3));
        Assert.Equal(0.0, RankingMetrics.Ndcg(misses, Relevant, 3));
        Assert.Equal(0.0, RankingMetrics.Precision(misses, Relevant, 3));
        Assert.Equal(0.0, RankingMetrics.Recall(misses, Relevant, 3));
    }

    [Fact]
    public void Metrics_ItemRecommendedTwice_CountsOnce()
    {
        // [a, a, c]: the duplicate is dropped → ranks a=1, c=2; relevant {a, c}
        // AP = (1/1 + 2/2) / 2 = 1
        Assert.Equal(1.0, RankingMetrics.AveragePrecision(["a", "a", "c"], new HashSet<string> { "a", "c" }, 3), 12);
    }
}
