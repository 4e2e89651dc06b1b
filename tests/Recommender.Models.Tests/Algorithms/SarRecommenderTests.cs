using Recommender.Models.Algorithms;

namespace Recommender.Models.Tests.Algorithms;

public sealed class SarRecommenderTests
{
    private static SarRecommender CreateSut()
    {
        var sut = new SarRecommender();
        sut.Fit(TestData.HandCase(), new TrainingContext());
        return sut;
    }

    [Fact]
    public void Affinity_SumsWeightTimesHalfLifeDecay_FromTheLatestTimestamp()
    {
        var sut = CreateSut();

        // u1·A = 1 · 2^0 + 2 · 2^(−60/30) = 1 + 0.5 = 1.5; u1·B = 1 · 2^(−30/30) = 0.5
        Assert.Equal(1.5, sut.Affinity("u1", "A"), 12);
        Assert.Equal(0.5, sut.Affinity("u1", "B"), 12);
        Assert.Equal(0.0, sut.Affinity("u1", "C"));
    }

    [Fact]
    public void Similarity_IsJaccardOfDistinctUserCooccurrence()
    {
        var sut = CreateSut();

        // J(A,B) = 1 / (3 + 2 − 1) = 0.25; J(A,C) = 0.25; J(B,C) = 1 / (2 + 2 − 1) = 1/3; J(i,i) = 1
        Assert.Equal(0.25, sut.Similarity("A", "B"), 12);
        Assert.Equal(0.25, sut.Similarity("C", "A"), 12);
        Assert.Equal(1.0 / 3.0, sut.Similarity("B", "C"), 12);
        Assert.Equal(1.0, sut.Similarity("A", "A"), 12);
    }

    [Fact]
    public void Recommend_SeenRemoved_ScoresAffinityTimesSimilarity()
    {
        var sut = CreateSut();

        // C = 1.5 · J(A,C) + 0.5 · J(B,C) = 0.375 + 0.166667 = 0.541667; A and B are seen
        var result = Assert.Single(sut.Recommend("u1", 3, excludeSeen: true));
        Assert.Equal("C", result.Item);
        Assert.Equal(0.541667, result.Score, 6);
    }

    [Fact]
    public void Recommend_SeenKept_ReturnsSeenItemsThroughSelfSimilarity()
    {
        var sut = CreateSut();

        // A = 1.5 · 1 + 0.5 · 0.25 = 1.625; B = 1.5 · 0.25 + 0.5 · 1 = 0.875; C = 0.541667
        var result = sut.Recommend("u1", 3, excludeSeen: false);
        Assert.Equal(["A", "B", "C"], result.Select(r => r.Item).ToArray());
        Assert.Equal([1.625, 0.875, 0.541667], result.Select(r => Math.Round(r.Score, 6)).ToArray());
    }

    [Fact]
    public void Recommend_UnknownUser_GetsMostFrequentItems()
    {
        var result = CreateSut().Recommend("stranger", 2, excludeSeen: true);

        // A has 3 users; B and C 2 each, tie broken by item order
        Assert.Equal(["A", "B"], result.Select(r => r.Item).ToArray());
    }

    [Fact]
    public void Fit_IsDeterministic()
    {
        var data = TestData.Synthetic();
        var first = new SarRecommender();
        var second = new SarRecommender();
        first.Fit(data, new TrainingContext());
        second.Fit([.. data], new TrainingContext());

        foreach (var user in data.Select(i => i.User).Distinct())
        {
            Assert.Equal(first.Recommend(user, 10, true), second.Recommend(user, 10, true));
        }
    }

    [Fact]
    public void SparseAndDenseSimilarity_GiveTheSameScores()
    {
        var data = TestData.Synthetic();
        var training = TrainingData.Create(data, TimeSpan.FromDays(30));
        var dense = ItemSimilarityMatrix.Build(training, SimilarityKind.Jaccard, dense: true);
        var sparse = ItemSimilarityMatrix.Build(training, SimilarityKind.Jaccard, dense: false);

        var a = new double[training.ItemCount];
        var b = new double[training.ItemCount];
        for (var i = 0; i < training.ItemCount; i++)
        {
            dense.AddRow(i, 0.5 + i, a);
            sparse.AddRow(i, 0.5 + i, b);
        }

        Assert.Equal(a.Select(x => Math.Round(x, 9)), b.Select(x => Math.Round(x, 9)));
    }
}
