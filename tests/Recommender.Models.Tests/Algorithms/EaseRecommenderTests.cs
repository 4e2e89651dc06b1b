using Recommender.Models.Algorithms;

namespace Recommender.Models.Tests.Algorithms;

public sealed class EaseRecommenderTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>u1 {A, B}, u2 {A, B, C}, u3 {B, C}, u4 {A}: X is 4 × 3.</summary>
    private static List<Interaction> ThreeItems() =>
    [
        new("u1", "A", Start), new("u1", "B", Start),
        new("u2", "A", Start), new("u2", "B", Start), new("u2", "C", Start),
        new("u3", "B", Start), new("u3", "C", Start),
        new("u4", "A", Start),
    ];

    [Fact]
    public void Weights_MatchTheClosedFormComputedByGaussJordan()
    {
        const double lambda = 1.0;
        var sut = new EaseRecommender(new EaseOptions { Lambda = lambda });
        sut.Fit(ThreeItems(), new TrainingContext());

        // XᵀX by hand (A, B, C): diag = item counts (3, 3, 2); A·B = 2, A·C = 1, B·C = 2.
        double[,] gram = { { 3 + lambda, 2, 1 }, { 2, 3 + lambda, 2 }, { 1, 2, 2 + lambda } };
        var p = GaussJordanInverse(gram);
        string[] items = ["A", "B", "C"];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                var expected = i == j ? 0 : -p[i, j] / p[j, j];
                Assert.Equal(expected, sut.Weight(items[i], items[j]), 12);
            }
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void WeightShare_FillsXWithOneMinusSharePlusShareTimesWeightOverMeanWeight(double share)
    {
        // Weights 1 … 5 (ratings), mean 24 / 8 = 3: x = (1 − s) + s·w / 3.
        List<Interaction> data =
        [
            new("u1", "A", Start, 1), new("u1", "B", Start, 5),
            new("u2", "A", Start, 3), new("u2", "B", Start, 2), new("u2", "C", Start, 4),
            new("u3", "B", Start, 5), new("u3", "C", Start, 1),
            new("u4", "A", Start, 3),
        ];
        const double lambda = 1.0;
        var sut = new EaseRecommender(new EaseOptions { Lambda = lambda, WeightShare = share });
        sut.Fit(data, new TrainingContext());

        string[] items = ["A", "B", "C"];
        var gram = new double[3, 3];
        foreach (var user in data.GroupBy(i => i.User))
        {
            foreach (var a in user)
            {
                foreach (var b in user)
                {
                    gram[Array.IndexOf(items, a.Item), Array.IndexOf(items, b.Item)] += ((1 - share) + (share * a.Weight / 3)) * ((1 - share) + (share * b.Weight / 3));
                }
            }
        }

        for (var i = 0; i < 3; i++)
        {
            gram[i, i] += lambda;
        }

        // The matrix stores x as float: equal to 6 digits.
        var p = GaussJordanInverse(gram);
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(i == j ? 0 : -p[i, j] / p[j, j], sut.Weight(items[i], items[j]), 6);
            }
        }

        // u3 scores A by its own x: x(B) = (1 − s) + 5s/3, x(C) = (1 − s) + s/3.
        var expected = (((1 - share) + (share * 5 / 3)) * sut.Weight("B", "A")) + (((1 - share) + (share / 3)) * sut.Weight("C", "A"));
        Assert.Equal(expected, sut.Recommend("u3", 1, excludeSeen: true).Single().Score, 5);

        // Share 0 is the binary EASE, whatever the weights; a share outside [0, 1] is refused.
        var binary = new EaseRecommender(new EaseOptions { Lambda = lambda });
        var zero = new EaseRecommender(new EaseOptions { Lambda = lambda, WeightShare = 0 });
        binary.Fit(ThreeItems(), new TrainingContext());
        zero.Fit(data, new TrainingContext());
        Assert.Equal(binary.Weight("B", "C"), zero.Weight("B", "C"), 12);
        Assert.NotEqual(binary.Weight("B", "C"), sut.Weight("B", "C"), 6);
        Assert.Throws<ArgumentException>(() => new EaseRecommender(new EaseOptions { WeightShare = 1.5 }).Fit(data, new TrainingContext()));
    }

    [Fact]
    public void SequenceWeight_WeighsEachPairByItsDistanceInTheUsersTimeline()
    {
        // u1: A, B; u2: A, C, B; u3: B, C (same instant: ranks by item index); u4: A — ranks in time order.
        var at = Start;
        List<Interaction> data =
        [
            new("u1", "A", at), new("u1", "B", at.AddHours(1)),
            new("u2", "A", at), new("u2", "B", at.AddHours(2)), new("u2", "C", at.AddHours(1)),
            new("u3", "C", at), new("u3", "B", at),
            new("u4", "A", at),
        ];
        const double lambda = 1.0;
        var sut = new EaseRecommender(new EaseOptions { Lambda = lambda, SequenceWeight = 0.5, SequenceWindow = 1 });
        sut.Fit(data, new TrainingContext());

        // A pair d ranks apart adds 0.5 + 0.5·e^(−d); the diagonal keeps the item counts (3, 3, 2).
        static double K(int d) => 0.5 + (0.5 * Math.Exp(-d));
        var ab = K(1) + K(2); // u1 (A0, B1), u2 (A0, B2)
        var ac = K(1);        // u2 (A0, C1)
        var bc = K(1) + K(1); // u2 (C1, B2), u3 (B0, C1)
        double[,] gram = { { 3 + lambda, ab, ac }, { ab, 3 + lambda, bc }, { ac, bc, 2 + lambda } };
        var p = GaussJordanInverse(gram);
        string[] items = ["A", "B", "C"];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(i == j ? 0 : -p[i, j] / p[j, j], sut.Weight(items[i], items[j]), 12);
            }
        }
    }

    [Fact]
    public void SequenceWeightZero_IsPlainEase_AndOutOfRangeSettingsAreRefused()
    {
        var plain = new EaseRecommender(new EaseOptions { Lambda = 1 });
        plain.Fit(ThreeItems(), new TrainingContext());
        var ordered = new EaseRecommender(new EaseOptions { Lambda = 1, SequenceWeight = 0, SequenceWindow = 3 });
        ordered.Fit(ThreeItems(), new TrainingContext());
        Assert.Equal(plain.Weight("A", "C"), ordered.Weight("A", "C"));

        Assert.Throws<ArgumentException>(() => new EaseRecommender(new EaseOptions { SequenceWeight = 1.5 }).Fit(ThreeItems(), new TrainingContext()));
        Assert.Throws<ArgumentException>(() => new EaseRecommender(new EaseOptions { SequenceWeight = 0.5, SequenceWindow = 0 }).Fit(ThreeItems(), new TrainingContext()));
    }

    [Theory]
    [InlineData(0.0, false, 0.0, 0.0)]
    [InlineData(0.33, false, 0.0, 0.0)]
    [InlineData(0.33, true, 0.0, 0.0)]
    [InlineData(0.33, false, 0.5, 0.2)]
    [InlineData(0.5, true, 1.0, 0.3)]
    [InlineData(0.0, false, 0.0, 0.25)]
    [InlineData(0.33, false, 0.5, 0.2, 0.5)]
    [InlineData(0.0, true, 0.0, 0.0, 1.0)]
    public void UserSideSolve_GivesTheItemSideWeightsAndScores(double dropout, bool useWeights, double relaxation, double normalization, double weightShare = 0)
    {
        // 12 users over 30 items (more items than users: Auto picks the user side).
        var random = new Random(5);
        var data = new List<Interaction>();
        for (var u = 0; u < 12; u++)
        {
            for (var n = 0; n < 6; n++)
            {
                data.Add(new($"u{u}", $"i{random.Next(30):D2}", Start, 1 + random.Next(5)));
            }
        }

        var options = new EaseOptions { Lambda = 2, Dropout = dropout, UseWeights = useWeights, DiagonalRelaxation = relaxation, PopularityNormalization = normalization, WeightShare = weightShare };
        var items = new EaseRecommender(options with { Solver = EaseSolver.Items });
        var users = new EaseRecommender(options);
        items.Fit(data, new TrainingContext());
        users.Fit(data, new TrainingContext());

        var ids = data.Select(i => i.Item).Distinct().Order(StringComparer.Ordinal).ToArray();
        foreach (var i in ids)
        {
            foreach (var j in ids)
            {
                Assert.Equal(items.Weight(i, j), users.Weight(i, j), 9);
            }
        }

        foreach (var user in new[] { "u0", "u5", "u11" })
        {
            foreach (var excludeSeen in new[] { true, false })
            {
                var expected = items.Recommend(user, ids.Length, excludeSeen);
                var actual = users.Recommend(user, ids.Length, excludeSeen);
                Assert.Equal(expected.Count, actual.Count);
                for (var r = 0; r < expected.Count; r++)
                {
                    Assert.Equal(expected[r].Score, actual[r].Score, 4);
                }
            }
        }

        var exported = users.ExportScorer(rowWidth: 100);
        var history = new[] { new HistoryItem(ids[0], 1.0), new HistoryItem(ids[3], 2.0) };
        var scores = UserScoring.Score(exported, history);
        foreach (var j in ids)
        {
            Assert.Equal((1.0 * items.Weight(ids[0], j)) + (2.0 * items.Weight(ids[3], j)), scores[exported.Index[j]], 5);
        }
    }

    [Fact]
    public void TimelineOnACatalogWiderThanMaxTimelineItems_IsIgnored_AndTheUserSideSolvesPlainEase()
    {
        // 4 users over 5 items (fewer users than items: the user side is available); MaxTimelineItems 2 makes the catalog "wide".
        var data = ThreeItems();
        data.Add(new("u4", "D", Start.AddHours(1)));
        data.Add(new("u3", "E", Start.AddHours(2)));
        var plain = new EaseRecommender(new EaseOptions { Lambda = 1, Solver = EaseSolver.Items });
        var wide = new EaseRecommender(new EaseOptions { Lambda = 1, SequenceWeight = 0.9, SequenceWindow = 1, MaxTimelineItems = 2 });
        var narrow = new EaseRecommender(new EaseOptions { Lambda = 1, SequenceWeight = 0.9, SequenceWindow = 1 });
        var lines = new List<string>();
        plain.Fit(data, new TrainingContext());
        wide.Fit(data, new TrainingContext(Progress: new Collect(lines)));
        narrow.Fit(data, new TrainingContext());

        Assert.Equal(plain.Weight("A", "B"), wide.Weight("A", "B"), 9);
        Assert.NotEqual(plain.Weight("A", "B"), narrow.Weight("A", "B"), 6);
        Assert.Contains(lines, l => l.Contains("timeline order ignored", StringComparison.Ordinal));
    }

    private sealed class Collect(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }

    [Fact]
    public void UserSideSolve_IsRefusedWithTheTimelineGram()
    {
        var sut = new EaseRecommender(new EaseOptions { SequenceWeight = 0.5, Solver = EaseSolver.Users });
        Assert.Throws<InvalidOperationException>(() => sut.Fit(ThreeItems(), new TrainingContext()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(69)]
    [InlineData(150)] // three 64-row blocks, the last one partial, and a last tile of 2 rows
    public void Inverse_MatchesGaussJordan_AcrossBlocksAndTiles(int n)
    {
        var random = new Random(3);
        var m = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                m[i, j] = random.NextDouble() - 0.5;
            }
        }

        var spd = new double[n, n];
        var flat = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = i == j ? n : 0;
                for (var k = 0; k < n; k++)
                {
                    sum += m[k, i] * m[k, j];
                }

                spd[i, j] = sum;
                flat[(i * n) + j] = sum;
            }
        }

        EaseLinearAlgebra.InvertSymmetricPositiveDefinite(flat, n);

        var expected = GaussJordanInverse(spd);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                Assert.Equal(expected[i, j], flat[(i * n) + j], 10);
            }
        }
    }

    [Fact]
    public void Recommend_SeenExcluded_CoOccurringItemFirst()
    {
        var sut = new EaseRecommender(new EaseOptions { Lambda = 1 });
        sut.Fit(ThreeItems(), new TrainingContext());

        // u4 has only A; B co-occurs with A twice, C once.
        var result = sut.Recommend("u4", 3, excludeSeen: true);

        Assert.Equal(["B", "C"], result.Select(r => r.Item).ToArray());
        Assert.True(result[0].Score > result[1].Score);
    }

    [Fact]
    public void Recommend_UnknownUser_GetsPopularItems()
    {
        var sut = new EaseRecommender();
        sut.Fit(ThreeItems(), new TrainingContext());

        var result = sut.Recommend("stranger", 2, excludeSeen: true);

        Assert.Equal(["A", "B"], result.Select(r => r.Item).ToArray());
    }

    [Fact]
    public void Fit_MoreItemsThanMaxItems_RefusesWithAClearMessage()
    {
        var sut = new EaseRecommender(new EaseOptions { MaxItems = 2 });

        var error = Assert.Throws<InvalidOperationException>(() => sut.Fit(ThreeItems(), new TrainingContext()));

        Assert.Contains("MaxItems", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A naive Gauss-Jordan inversion with partial pivoting, independent of the code under test.</summary>
    private static double[,] GaussJordanInverse(double[,] source)
    {
        var n = source.GetLength(0);
        var a = (double[,])source.Clone();
        var inverse = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            inverse[i, i] = 1;
        }

        for (var column = 0; column < n; column++)
        {
            var pivot = column;
            for (var row = column + 1; row < n; row++)
            {
                if (Math.Abs(a[row, column]) > Math.Abs(a[pivot, column]))
                {
                    pivot = row;
                }
            }

            for (var k = 0; k < n; k++)
            {
                (a[column, k], a[pivot, k]) = (a[pivot, k], a[column, k]);
                (inverse[column, k], inverse[pivot, k]) = (inverse[pivot, k], inverse[column, k]);
            }

            var scale = a[column, column];
            for (var k = 0; k < n; k++)
            {
                a[column, k] /= scale;
                inverse[column, k] /= scale;
            }

            for (var row = 0; row < n; row++)
            {
                if (row == column)
                {
                    continue;
                }

                var factor = a[row, column];
                for (var k = 0; k < n; k++)
                {
                    a[row, k] -= factor * a[column, k];
                    inverse[row, k] -= factor * inverse[column, k];
                }
            }
        }

        return inverse;
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void DiagonalRelaxation_ScalesEachColumnByMaxOfOneMinusXiAndLambdaP_AndAtOneIsDlae(double relaxation)
    {
        const double lambda = 1.0;
        var sut = new EaseRecommender(new EaseOptions { Lambda = lambda, Dropout = 0.5, DiagonalRelaxation = relaxation });
        sut.Fit(ThreeItems(), new TrainingContext());

        // Dropout 0.5: Λⱼ = λ + Gⱼⱼ = (4, 4, 3); P = (G + Λ)⁻¹ with G's diagonal (3, 3, 2), so the diagonal is (7, 7, 5).
        double[] penalty = [lambda + 3, lambda + 3, lambda + 2];
        double[,] gram = { { 3 + penalty[0], 2, 1 }, { 2, 3 + penalty[1], 2 }, { 1, 2, 2 + penalty[2] } };
        var p = GaussJordanInverse(gram);
        string[] items = ["A", "B", "C"];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                var column = Math.Max(1 - relaxation, penalty[j] * p[j, j]);
                Assert.Equal(i == j ? 0 : -p[i, j] / p[j, j] * column, sut.Weight(items[i], items[j]), 12);
                if (relaxation == 1)
                {
                    // DLAE (Steck 2020): B = I − PΛ, off the diagonal −Pᵢⱼ·Λⱼ.
                    Assert.Equal(i == j ? 0 : -p[i, j] * penalty[j], sut.Weight(items[i], items[j]), 12);
                }
            }
        }

        // Relaxed, the weights differ from EASE's (ξ = 0: every column factor is 1).
        var ease = new EaseRecommender(new EaseOptions { Lambda = lambda, Dropout = 0.5 });
        ease.Fit(ThreeItems(), new TrainingContext());
        Assert.NotEqual(ease.Weight("B", "C"), sut.Weight("B", "C"), 6);
        Assert.Throws<ArgumentException>(() => new EaseRecommender(new EaseOptions { DiagonalRelaxation = 1.5 }).Fit(ThreeItems(), new TrainingContext()));
    }

    [Fact]
    public void PopularityNormalization_WeighsByTheRatioOfTheItemsUserCounts()
    {
        const double gamma = 0.3;
        var plain = new EaseRecommender(new EaseOptions { Lambda = 1 });
        var normalised = new EaseRecommender(new EaseOptions { Lambda = 1, PopularityNormalization = gamma });
        plain.Fit(ThreeItems(), new TrainingContext());
        normalised.Fit(ThreeItems(), new TrainingContext());

        // W = D^γ·B·D^−γ with D the user counts (A 3, B 3, C 2): W[i, j] = B[i, j]·(nᵢ/nⱼ)^γ.
        var count = new Dictionary<string, double> { ["A"] = 3, ["B"] = 3, ["C"] = 2 };
        foreach (var i in count.Keys)
        {
            foreach (var j in count.Keys)
            {
                Assert.Equal(plain.Weight(i, j) * Math.Pow(count[i] / count[j], gamma), normalised.Weight(i, j), 12);
            }
        }

        Assert.NotEqual(plain.Weight("B", "C"), normalised.Weight("B", "C"), 6);
        Assert.Equal(plain.Weight("A", "B"), normalised.Weight("A", "B"), 12);
        Assert.Throws<ArgumentException>(() => new EaseRecommender(new EaseOptions { PopularityNormalization = -0.1 }).Fit(ThreeItems(), new TrainingContext()));
    }

    [Fact]
    public void Dropout_PenalisesPopularItemsHarder_AndOutOfRangeIsRefused()
    {
        var plain = new EaseRecommender(new EaseOptions { Lambda = 1 });
        var denoised = new EaseRecommender(new EaseOptions { Lambda = 1, Dropout = 0.5 });
        plain.Fit(ThreeItems(), new TrainingContext());
        denoised.Fit(ThreeItems(), new TrainingContext());

        // A and B (3 users each) get λ + 3 on the diagonal, C (2 users) λ + 2: every weight shrinks, none is unchanged.
        foreach (var (from, to) in new[] { ("A", "B"), ("B", "C"), ("C", "B") })
        {
            Assert.True(Math.Abs(denoised.Weight(from, to)) < Math.Abs(plain.Weight(from, to)));
        }

        Assert.Equal(0, denoised.Weight("A", "A"));
        Assert.Throws<ArgumentException>(() => new EaseRecommender(new EaseOptions { Dropout = 1 }).Fit(ThreeItems(), new TrainingContext()));
    }
}
