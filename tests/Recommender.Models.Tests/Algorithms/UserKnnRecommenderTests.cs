using Recommender.Models.Algorithms;

namespace Recommender.Models.Tests.Algorithms;

public sealed class UserKnnRecommenderTests
{
    /// <summary>
    /// Every interaction at t0 (no decay): u1 {A 1, B 1}; u2 {A 1, B 1, C 1}; u3 {A 1, D 1 + 1 = 2 (a repeat adds up)}; u4 {E 1}.
    /// u1's neighbours: u2 and u3 share A (u2 also B); u4 shares nothing; u1's own row holds nothing new.
    /// </summary>
    private static IReadOnlyList<Interaction> Hand() =>
    [
        TestData.At("u1", "A", 0),
        TestData.At("u1", "B", 0),
        TestData.At("u2", "A", 0),
        TestData.At("u2", "B", 0),
        TestData.At("u2", "C", 0),
        TestData.At("u3", "A", 0),
        TestData.At("u3", "D", 0),
        TestData.At("u3", "D", 0),
        TestData.At("u4", "E", 0),
    ];

    private static UserKnnRecommender CreateSut(SimilarityKind kind, int neighbours = 50)
    {
        var sut = new UserKnnRecommender($"userknn-{kind}", kind, neighbours);
        sut.Fit(Hand(), new TrainingContext());
        return sut;
    }

    private static readonly HistoryItem[] U1 = [new("A", 1), new("B", 1)];

    [Fact]
    public void Neighbours_WeightedJaccard_AreExact_AndSkipCustomersWithNothingNew()
    {
        // u2: Σmin 2 / (‖h‖₁ 2 + ‖u2‖₁ 3 − 2) = 2/3; u3: Σmin 1 / (2 + 3 − 1) = 1/4; u1 itself holds nothing new; u4 shares nothing.
        var neighbours = CreateSut(SimilarityKind.Jaccard).NeighboursOf(U1);

        Assert.Equal(["u2", "u3"], neighbours.Select(n => n.User));
        Assert.Equal(2.0 / 3.0, neighbours[0].Similarity, 12);
        Assert.Equal(1.0 / 4.0, neighbours[1].Similarity, 12);
    }

    [Fact]
    public void Neighbours_Cosine_AreExact()
    {
        // u2: 2 / (√2 · √3); u3: 1 / (√2 · √5) — u3's D counts 2 (both purchases), so ‖u3‖₂ = √5.
        var neighbours = CreateSut(SimilarityKind.Cosine).NeighboursOf(U1);

        Assert.Equal(["u2", "u3"], neighbours.Select(n => n.User));
        Assert.Equal(2 / Math.Sqrt(6), neighbours[0].Similarity, 12);
        Assert.Equal(1 / Math.Sqrt(10), neighbours[1].Similarity, 12);
    }

    [Fact]
    public void Neighbours_KeepOnlyTheKMostSimilar()
    {
        var sut = CreateSut(SimilarityKind.Jaccard, neighbours: 1);

        Assert.Equal(["u2"], sut.NeighboursOf(U1).Select(n => n.User));
        // With one neighbour, its affinity alone: C = (2/3 · 1) / (2/3) = 1; D is u3's and is not reached (0, a filler).
        var result = sut.Recommend("u1", 2, excludeSeen: true);
        Assert.Equal([new ScoredItem("C", 1.0), new ScoredItem("D", 0)], result);
    }

    [Fact]
    public void Recommend_SeenRemoved_IsTheNeighboursSimilarityWeightedAffinity()
    {
        // Σ sim = 2/3 + 1/4 = 11/12; C = (2/3 · 1) / (11/12) = 8/11; D = (1/4 · 2) / (11/12) = 6/11.
        var result = CreateSut(SimilarityKind.Jaccard).Recommend("u1", 3, excludeSeen: true);

        Assert.Equal(["C", "D", "E"], result.Select(r => r.Item));
        Assert.Equal(0, result[2].Score); // no neighbour holds E: filler, as every algorithm fills to k
        Assert.Equal(8.0 / 11.0, result[0].Score, 6);
        Assert.Equal(6.0 / 11.0, result[1].Score, 6);
    }

    [Fact]
    public void Recommend_Cosine_WeighsByCosineSimilarity()
    {
        double s2 = 2 / Math.Sqrt(6), s3 = 1 / Math.Sqrt(10);

        var result = CreateSut(SimilarityKind.Cosine).Recommend("u1", 2, excludeSeen: true);

        Assert.Equal(["C", "D"], result.Select(r => r.Item));
        Assert.Equal(s2 / (s2 + s3), result[0].Score, 6);
        Assert.Equal(2 * s3 / (s2 + s3), result[1].Score, 6);
    }

    [Fact]
    public void Recommend_SeenKept_BlendsOwnHistory()
    {
        // Neighbours: A = (2/3 + 1/4) / (11/12) = 1, B = 8/11, C = 8/11, D = 6/11 (max 1, unchanged);
        // own history ÷ max: A 1, B 1 → A 2, B 19/11, C 8/11, D 6/11.
        var result = CreateSut(SimilarityKind.Jaccard).Recommend("u1", 4, excludeSeen: false);

        Assert.Equal(["A", "B", "C", "D"], result.Select(r => r.Item));
        Assert.Equal([2, 19.0 / 11.0, 8.0 / 11.0, 6.0 / 11.0], result.Select(r => Math.Round(r.Score, 9)), new ToleranceComparer(1e-6));
    }

    [Fact]
    public void NewCustomer_IsFoldedInFromTheirHistory_AgainstTheTrainedCustomers()
    {
        var sut = CreateSut(SimilarityKind.Jaccard);
        var scorer = sut.ExportScorer(rowWidth: 100);
        // Not a training customer: D (and an item the model never saw, which is ignored).
        HistoryItem[] history = [new("D", 1), new("unknown", 5)];

        // Only u3 holds D: Σmin 1 / (1 + 3 − 1) = 1/3; it lends A (1); D itself is the history.
        var neighbour = Assert.Single(sut.NeighboursOf(history));
        Assert.Equal("u3", neighbour.User);
        Assert.Equal(1.0 / 3.0, neighbour.Similarity, 12);
        Assert.Equal([new ScoredItem("A", 1.0)], UserScoring.Top(scorer, history, 5));
        // No per-item contribution to explain by: the list is explained by the customers.
        Assert.Equal(0, UserScoring.Contribution(scorer, "D", 1, "A"));
    }

    [Fact]
    public void MaxUsers_KeepsTheMostActiveAsNeighbours_AndFoldsTheOthersIn()
    {
        // Distinct items: u2 3, u1 2, u3 2, u4 1 → kept: u2, then u1 (tie with u3 by id).
        var sut = new UserKnnRecommender("userknn-jaccard", SimilarityKind.Jaccard, maxUsers: 2);
        sut.Fit(Hand(), new TrainingContext());

        Assert.Equal(2, sut.ExportScorer(100).UserRows!.Count);
        Assert.Equal(["u2"], sut.NeighboursOf(U1).Select(n => n.User));
        // u3 {A 1, D 2} is not kept but still scored from its history: u1 Σmin 1 / (3 + 2 − 1) = 1/4, u2 1 / (3 + 3 − 1) = 1/5;
        // B = (1/4 + 1/5) / (9/20) = 1, C = (1/5) / (9/20) = 4/9.
        var result = sut.Recommend("u3", 2, excludeSeen: true);
        Assert.Equal(["B", "C"], result.Select(r => r.Item));
        Assert.Equal(1.0, result[0].Score, 6);
        Assert.Equal(4.0 / 9.0, result[1].Score, 6);
    }

    [Fact]
    public void UnknownUser_GetsPopularity()
    {
        // Distinct customers: A 3, B 2, C 1, D 1, E 1 (ties by the lower item).
        var result = CreateSut(SimilarityKind.Cosine).Recommend("nobody", 5, excludeSeen: true);

        Assert.Equal(["A", "B", "C", "D", "E"], result.Select(r => r.Item));
    }

    [Fact]
    public void ExportScorer_KeepsEachCustomersHeaviestEntries_Sparse()
    {
        var scorer = CreateSut(SimilarityKind.Jaccard).ExportScorer(rowWidth: 1);

        Assert.Equal(UserScorer.UsersKind, scorer.Kind);
        Assert.Equal(4, scorer.UserRows!.Count);
        // u3 keeps D (2) over A (1); u1 and u2 keep A (ties by id).
        var d = scorer.Index["D"];
        Assert.Equal([d], scorer.UserRows[2].Columns);
        Assert.Equal([2f], scorer.UserRows[2].Weights);
        Assert.Equal(4 * (sizeof(int) + sizeof(float)), scorer.PayloadBytes);
    }

    [Fact]
    public void History_IsWeighedAsServingWeighsIt()
    {
        // Half-life 90 days before the customer's latest interaction: B 90 days older counts 0.5, a weight-5 purchase 5.
        var sut = new UserKnnRecommender("userknn-cosine", SimilarityKind.Cosine);
        sut.Fit([TestData.At("u", "A", 0), TestData.At("u", "B", 90), TestData.At("u", "C", 10, weight: 5), TestData.At("v", "A", 400)], new TrainingContext());

        var history = sut.HistoryOf("u");

        var expected = UserScoring.Weigh([new("A", TestData.Latest, 1), new("B", TestData.Latest.AddDays(-90), 1), new("C", TestData.Latest.AddDays(-10), 5)]);
        Assert.Equal(expected.Select(h => (h.Item, Math.Round(h.Weight, 5))), history.Select(h => (h.Item, Math.Round(h.Weight, 5))));
        Assert.Equal(0.5, history.Single(h => h.Item == "B").Weight, 6);
    }

    [Fact]
    public void ModelStoreRoundTrip_ScoresTheSame()
    {
        var scorer = CreateSut(SimilarityKind.Cosine).ExportScorer(100);

        var copy = System.Text.Json.JsonSerializer.Deserialize<UserScorer>(System.Text.Json.JsonSerializer.Serialize(scorer))!;

        Assert.Equal(UserScoring.Top(scorer, U1, 5), UserScoring.Top(copy, U1, 5));
        Assert.Equal(2, UserScoring.Top(copy, U1, 5).Count);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
