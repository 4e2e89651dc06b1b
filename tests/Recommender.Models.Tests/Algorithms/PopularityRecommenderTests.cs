using Recommender.Models.Algorithms;

namespace Recommender.Models.Tests.Algorithms;

public sealed class PopularityRecommenderTests
{
    [Fact]
    public void Popularity_CountsDistinctUsers()
    {
        var sut = new PopularityRecommender();
        sut.Fit(TestData.HandCase(), new TrainingContext());

        // A: u1 (twice, once counted), u2, u4 = 3; B: u1, u3 = 2; C: u2, u3 = 2 (tie → item order)
        var result = sut.Recommend("stranger", 3, excludeSeen: true);
        Assert.Equal(["A", "B", "C"], result.Select(r => r.Item).ToArray());
        Assert.Equal([3.0, 2.0, 2.0], result.Select(r => r.Score).ToArray());
    }

    [Fact]
    public void Popularity_WithHalfLife_DecaysEachUsersLatestInteraction()
    {
        var sut = new PopularityRecommender("trending", TimeSpan.FromDays(30));
        sut.Fit(TestData.HandCase(), new TrainingContext());

        // A: u1 latest t0 → 1, u2 t0−30d → 0.5, u4 t0 → 1 = 2.5; B: 0.5 + 1 = 1.5; C: 1 + 0.5 = 1.5
        var result = sut.Recommend("stranger", 3, excludeSeen: true);
        Assert.Equal([2.5, 1.5, 1.5], result.Select(r => r.Score).ToArray());
    }

    [Fact]
    public void Popularity_SeenRemovedOrKept()
    {
        var sut = new PopularityRecommender();
        sut.Fit(TestData.HandCase(), new TrainingContext());

        Assert.Equal(["C"], sut.Recommend("u1", 3, excludeSeen: true).Select(r => r.Item).ToArray());

        // keep (no half-life: each own item weighs 1): A = 3/3 + 1 = 2; B = 2/3 + 1 = 1.6667; C = 2/3
        var kept = sut.Recommend("u1", 3, excludeSeen: false);
        Assert.Equal(["A", "B", "C"], kept.Select(r => r.Item).ToArray());
        Assert.Equal([2.0, 1.666667, 0.666667], kept.Select(r => Math.Round(r.Score, 6)).ToArray());
    }
}
