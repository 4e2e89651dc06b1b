using Recommender.Models.Algorithms;

namespace Recommender.Models.Tests.Algorithms;

public sealed class Rp3BetaRecommenderTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>u1 {a, b}, u2 {a, c}, u3 {b}: a has 2 users, b 2, c 1; u1 and u2 have 2 items, u3 one.</summary>
    private static List<Interaction> Walk() =>
    [
        new("u1", "a", Start), new("u1", "b", Start),
        new("u2", "a", Start), new("u2", "c", Start),
        new("u3", "b", Start),
    ];

    private static Rp3BetaRecommender Fit(double alpha, double beta, int neighbours = 100)
    {
        var sut = new Rp3BetaRecommender(new Rp3BetaOptions { Alpha = alpha, Beta = beta, Neighbours = neighbours });
        sut.Fit(Walk(), new TrainingContext());
        return sut;
    }

    [Fact]
    public void Weights_AreTheThreeStepWalk_WithoutPenalty()
    {
        // W[i, j] = Σ over users u of i of (1/|users of i|)·(1/|items of u|), j among u's items.
        var sut = Fit(alpha: 1, beta: 0);

        Assert.Equal(0.25, sut.Weight("a", "b"), 6); // via u1: 1/2 · 1/2
        Assert.Equal(0.25, sut.Weight("a", "c"), 6); // via u2: 1/2 · 1/2
        Assert.Equal(0.25, sut.Weight("b", "a"), 6); // via u1 (u3 reaches only b itself)
        Assert.Equal(0.5, sut.Weight("c", "a"), 6);  // via u2: 1 · 1/2
        Assert.Equal(0, sut.Weight("b", "c"), 6);
        Assert.Equal(0, sut.Weight("a", "a"), 6);    // no self weight
    }

    [Fact]
    public void Beta_DividesByTheTargetsPopularity_AndAlphaSharpensTheSteps()
    {
        var penalised = Fit(alpha: 1, beta: 1);
        Assert.Equal(0.125, penalised.Weight("a", "b"), 6); // 0.25 / 2 users
        Assert.Equal(0.25, penalised.Weight("a", "c"), 6);  // 0.25 / 1 user
        Assert.Equal(0.25, penalised.Weight("c", "a"), 6);  // 0.5 / 2 users

        var sharpened = Fit(alpha: 2, beta: 0);
        Assert.Equal(0.0625, sharpened.Weight("a", "b"), 6); // (1/2)² · (1/2)²
        Assert.Equal(0.25, sharpened.Weight("c", "a"), 6);   // 1² · (1/2)²
    }

    [Fact]
    public void Recommend_SumsTheRowsOfTheUsersItems_AndPrunesEachRowToItsNeighbours()
    {
        var sut = Fit(alpha: 1, beta: 1);
        var forU3 = sut.Recommend("u3", 1, excludeSeen: true);
        Assert.Equal(new ScoredItem("a", 0.125), forU3[0]); // W[b, a]

        var forU1 = sut.Recommend("u1", 1, excludeSeen: true);
        Assert.Equal("c", forU1[0].Item);
        Assert.Equal(0.25, forU1[0].Score, 6); // W[a, c] + W[b, c] = 0.25 + 0

        var pruned = Fit(alpha: 1, beta: 1, neighbours: 1);
        Assert.Equal(0, pruned.Weight("a", "b"), 6); // a keeps only its strongest: c (0.25 > 0.125)
        Assert.Equal(0.25, pruned.Weight("a", "c"), 6);
        Assert.Equal(["c"], pruned.SimilarItems("a", 5).Select(s => s.Item));
    }

    [Fact]
    public void UnknownUser_GetsTheMostPopularItems_AndTheScorerHoldsTheRows()
    {
        var sut = Fit(alpha: 1, beta: 0);
        Assert.Equal(["a", "b"], sut.Recommend("stranger", 2, excludeSeen: true).Select(s => s.Item));

        var scorer = sut.ExportScorer(rowWidth: 10);
        var scores = UserScoring.Score(scorer, [new HistoryItem("c", 2.0)]);
        Assert.Equal(1.0, scores[scorer.Index["a"]], 6); // 2 · W[c, a]
    }

    [Fact]
    public void Fit_RefusesSettingsOutsideTheirRange()
    {
        Assert.Throws<ArgumentException>(() => new Rp3BetaRecommender(new Rp3BetaOptions { Alpha = 0 }).Fit(Walk(), new TrainingContext()));
        Assert.Throws<ArgumentException>(() => new Rp3BetaRecommender(new Rp3BetaOptions { Beta = -0.1 }).Fit(Walk(), new TrainingContext()));
        Assert.Throws<ArgumentException>(() => new Rp3BetaRecommender(new Rp3BetaOptions { Neighbours = 0 }).Fit(Walk(), new TrainingContext()));
    }
}
