using Recommender.Models.Algorithms;

namespace Recommender.Models.Tests.Algorithms;

public sealed class ItemKnnRecommenderTests
{
    private static ItemKnnRecommender CreateSut(SimilarityKind kind, int neighbours = 50)
    {
        var sut = new ItemKnnRecommender($"itemknn-{kind}", kind, neighbours);
        sut.Fit(TestData.HandCase(), new TrainingContext());
        return sut;
    }

    [Theory]
    // frequencies A = 3, B = 2, C = 2; co-occurrence 1 for every pair
    [InlineData(SimilarityKind.Jaccard, "A", "B", 0.25)]               // 1 / (3 + 2 − 1)
    [InlineData(SimilarityKind.Jaccard, "B", "C", 1.0 / 3.0)]          // 1 / (2 + 2 − 1)
    [InlineData(SimilarityKind.Lift, "A", "B", 1.0 / 6.0)]             // 1 / (3 · 2)
    [InlineData(SimilarityKind.Lift, "B", "C", 0.25)]                  // 1 / (2 · 2)
    [InlineData(SimilarityKind.Cosine, "A", "B", 0.408248290463863)]   // 1 / √6
    [InlineData(SimilarityKind.Cosine, "B", "C", 0.5)]                 // 1 / √4
    [InlineData(SimilarityKind.Cosine, "A", "A", 0.0)]                 // self-similarity zeroed
    public void Similarity_Variants(SimilarityKind kind, string i, string j, double expected) =>
        Assert.Equal(expected, CreateSut(kind).Similarity(i, j), 12);

    [Fact]
    public void Neighbours_KeepOnlyTheStrongest_TiesToTheLowerItem()
    {
        var sut = CreateSut(SimilarityKind.Jaccard, neighbours: 1);

        // A's neighbours B and C tie at 0.25: B is kept. B's best is C (1/3 over 0.25).
        Assert.Equal(0.25, sut.Similarity("A", "B"), 12);
        Assert.Equal(0.0, sut.Similarity("A", "C"));
        Assert.Equal(1.0 / 3.0, sut.Similarity("B", "C"), 12);
        Assert.Equal(0.0, sut.Similarity("B", "A"));
    }

    [Fact]
    public void Recommend_SeenRemoved_WeighsEachItemOnceByRecency()
    {
        // u1's recency weights: A last at t0 → 1 (the older weight-2 repeat does not add); B at t0−30d → 0.5
        // C = 1 · J(A,C) + 0.5 · J(B,C) = 0.25 + 0.166667 = 0.416667
        var result = Assert.Single(CreateSut(SimilarityKind.Jaccard).Recommend("u1", 5, excludeSeen: true));
        Assert.Equal("C", result.Item);
        Assert.Equal(0.416667, result.Score, 6);
    }

    [Fact]
    public void Recommend_SeenKept_BlendsOwnHistory_AndCanReturnASeenItemFirst()
    {
        // collaborative: A = 0.5 · J(B,A) = 0.125, B = 1 · J(A,B) = 0.25, C = 0.416667 → ÷ max: A 0.3, B 0.6, C 1
        // history ÷ max: A 1, B 0.5 → A 1.3, B 1.1, C 1.0
        var result = CreateSut(SimilarityKind.Jaccard).Recommend("u1", 3, excludeSeen: false);

        Assert.Equal(["A", "B", "C"], result.Select(r => r.Item).ToArray());
        Assert.Equal([1.3, 1.1, 1.0], result.Select(r => Math.Round(r.Score, 6)).ToArray());
    }
}
