using Recommender.Models.Algorithms;

namespace Recommender.Models.Tests.Algorithms;

public sealed class SequentialRulesRecommenderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IEnumerable<Interaction> Sequence(string user, params string[] items) =>
        items.Select((item, n) => new Interaction(user, item, T0.AddMinutes(n)));

    private static SequentialRulesRecommender Fit(SequentialRulesOptions options, params Interaction[] interactions)
    {
        var sut = new SequentialRulesRecommender(options);
        sut.Fit(interactions, new TrainingContext());
        return sut;
    }

    [Fact]
    public void Rules_RunForwardInTime_NotBackward()
    {
        var sut = Fit(new SequentialRulesOptions { Normalization = 0 }, [.. Sequence("u1", "A", "B"), .. Sequence("u2", "A", "B")]);

        Assert.Equal(2, sut.Rule("A", "B"));
        Assert.Equal(0, sut.Rule("B", "A"));
    }

    [Fact]
    public void Rules_LinkOnlyTheFollowersWithinTheWindow_AndNeverAnItemToItself()
    {
        var sut = Fit(new SequentialRulesOptions { Window = 2, Normalization = 0 }, [.. Sequence("u1", "A", "B", "A", "C", "D")]);

        Assert.Equal(1, sut.Rule("A", "B")); // A(0) → B(1); A(2) → B is backward
        Assert.Equal(1, sut.Rule("A", "C")); // A(2) → C(3); A(0) → C(3) is 3 steps
        Assert.Equal(1, sut.Rule("A", "D")); // A(2) → D(4)
        Assert.Equal(0, sut.Rule("A", "A"));
        Assert.Equal(0, sut.Rule("B", "D")); // 3 steps
    }

    [Fact]
    public void Normalization_DividesEachRowByItsTotalToTheGamma()
    {
        Interaction[] data = [.. Sequence("u1", "A", "B"), .. Sequence("u2", "A", "B"), .. Sequence("u3", "A", "C"), .. Sequence("u4", "A", "B")];
        var counts = Fit(new SequentialRulesOptions { Normalization = 0 }, data);
        var shares = Fit(new SequentialRulesOptions { Normalization = 1 }, data);
        var root = Fit(new SequentialRulesOptions { Normalization = 0.5 }, data);

        Assert.Equal(3, counts.Rule("A", "B"));
        Assert.Equal(0.75, shares.Rule("A", "B"), 12);
        Assert.Equal(0.25, shares.Rule("A", "C"), 12);
        Assert.Equal(1.5, root.Rule("A", "B"), 12);
    }

    [Fact]
    public void EqualTimes_AreOrderedAsGiven()
    {
        Interaction[] data = [new("u1", "A", T0), new("u1", "B", T0), new("u2", "A", T0), new("u2", "B", T0)];
        var sut = Fit(new SequentialRulesOptions { Normalization = 0 }, data);

        Assert.Equal(2, sut.Rule("A", "B"));
        Assert.Equal(0, sut.Rule("B", "A"));
    }

    [Fact]
    public void Recommend_TheLatestItemsWeighMost()
    {
        // X is followed by C, A by B, equally often; u9 took X long ago and A last.
        Interaction[] data =
        [
            .. Sequence("u1", "X", "C"), .. Sequence("u2", "X", "C"), .. Sequence("u3", "A", "B"), .. Sequence("u4", "A", "B"),
            .. Sequence("u9", "X", "A"),
        ];
        var sut = Fit(new SequentialRulesOptions { Normalization = 0, PositionDecay = 0.5 }, data);

        var list = sut.Recommend("u9", 2, excludeSeen: true);

        Assert.Equal(["B", "C"], list.Select(s => s.Item).ToArray());
        Assert.Equal(2.0, list[0].Score, 12); // A weighs 1: R[A, B] = 2
        Assert.Equal(1.0, list[1].Score, 12); // X weighs 0.5: 0.5 · R[X, C] = 0.5 · 2
    }

    [Fact]
    public void Recommend_OnlyTheRecentItemsScore()
    {
        Interaction[] data = [.. Sequence("u1", "X", "C"), .. Sequence("u2", "A", "B"), .. Sequence("u9", "X", "A")];
        var sut = Fit(new SequentialRulesOptions { Normalization = 0, Recent = 1 }, data);

        // Only A (the latest) scores; the list is filled with the rest at 0, as every algorithm's is.
        var list = sut.Recommend("u9", 5, excludeSeen: true);
        Assert.Equal(["B"], list.Where(s => s.Score > 0).Select(s => s.Item).ToArray());
        Assert.Equal(0, list.Single(s => s.Item == "C").Score);
    }

    [Fact]
    public void ExportedScorer_WeighsByPosition_AndServesWhatRecommendReturns()
    {
        Interaction[] data =
        [
            .. Sequence("u1", "A", "B", "C", "D"), .. Sequence("u2", "B", "C", "E"), .. Sequence("u3", "C", "D", "A"),
            .. Sequence("u4", "E", "A", "B"), .. Sequence("u9", "E", "B"),
        ];
        var options = new SequentialRulesOptions { Window = 2, Recent = 2, PositionDecay = 0.5 };
        var sut = Fit(options, data);
        var scorer = sut.ExportScorer(rowWidth: 100);

        Assert.Equal(2, scorer.Recent);
        Assert.Equal(0.5, scorer.PositionDecay);
        var history = Sequence("u9", "E", "B").Select(i => new HistoryEvent(i.Item, i.At, i.Weight));
        var served = UserScoring.Top(scorer, UserScoring.WeighFor(scorer, history), 3);
        var offline = sut.Recommend("u9", 3, excludeSeen: true);
        Assert.Equal(offline.Select(s => s.Item), served.Select(s => s.Item));
        Assert.Equal(offline.Select(s => Math.Round(s.Score, 5)), served.Select(s => Math.Round(s.Score, 5)));
    }

    [Fact]
    public void SimilarItems_AreWhatFollows()
    {
        var sut = Fit(new SequentialRulesOptions(), [.. Sequence("u1", "A", "B"), .. Sequence("u2", "A", "B"), .. Sequence("u3", "A", "C")]);

        Assert.Equal(["B", "C"], sut.SimilarItems("A", 5).Select(s => s.Item).ToArray());
        Assert.Empty(sut.SimilarItems("B", 5));
        Assert.Empty(sut.SimilarItems("unknown", 5));
    }

    [Fact]
    public void Recommend_UnknownUser_GetsTheMostFrequentItems()
    {
        var sut = Fit(new SequentialRulesOptions(), [.. Sequence("u1", "A", "B"), .. Sequence("u2", "C", "B")]);

        Assert.Equal("B", sut.Recommend("nobody", 1, excludeSeen: true)[0].Item);
    }

    [Fact]
    public void EaseShare_AddsWhatBelongsWithAnItem_BesidesWhatFollowsIt()
    {
        // B always comes before A, so no rule leads from A to B; but A and B belong together.
        Interaction[] data =
        [
            .. Sequence("u1", "B", "A"), .. Sequence("u2", "B", "A"), .. Sequence("u3", "B", "A", "C"), .. Sequence("u4", "C", "D"),
            .. Sequence("u5", "D", "C"), .. Sequence("u6", "B", "A"),
        ];
        var rules = Fit(new SequentialRulesOptions(), data);
        var blended = Fit(new SequentialRulesOptions { EaseShare = 1 }, data);

        Assert.Equal(0, rules.Rule("A", "B"));
        Assert.True(blended.Rule("A", "B") > 0);
        Assert.True(blended.Rule("B", "A") > rules.Rule("B", "A"));
        // β = 1 gives EASE's weights (what was added) the rules' total magnitude.
        var items = new[] { "A", "B", "C", "D" };
        var added = items.Sum(i => items.Sum(j => Math.Abs(blended.Rule(i, j) - rules.Rule(i, j))));
        Assert.Equal(items.Sum(i => items.Sum(j => Math.Abs(rules.Rule(i, j)))), added, 9);
    }

    [Fact]
    public void EaseShare_IsLeftOut_OnACatalogWiderThanEaseTakes()
    {
        var items = Enumerable.Range(0, new EaseOptions().MaxItems + 1).Select(i => $"i{i:00000}").ToArray();
        Interaction[] data = [.. Sequence("u1", items), .. Sequence("u2", items[..3])];

        var rules = Fit(new SequentialRulesOptions(), data);
        var blended = Fit(new SequentialRulesOptions { EaseShare = 1 }, data);

        Assert.Equal(rules.Rule("i00000", "i00001"), blended.Rule("i00000", "i00001"));
        Assert.Equal(0, blended.Rule("i00001", "i00000"));
    }

    [Fact]
    public void HistoryShare_ScoresTheWholeHistoryWithEase_BesidesTheRulesOfTheLatest_AndTheScorerServesTheSame()
    {
        // u9's first item, A, is outside its one latest item; only the whole-history part can bring in what belongs with A (X).
        Interaction[] data =
        [
            .. Sequence("u1", "A", "X"), .. Sequence("u2", "X", "A"), .. Sequence("u3", "A", "X", "B"), .. Sequence("u4", "C", "D"),
            .. Sequence("u5", "D", "C"), .. Sequence("u6", "B", "C"), .. Sequence("u9", "A", "C", "B"),
        ];
        var rulesOnly = Fit(new SequentialRulesOptions { Recent = 1 }, data);
        var both = Fit(new SequentialRulesOptions { Recent = 1, HistoryShare = 1 }, data);

        Assert.Equal(0, rulesOnly.Recommend("u9", 5, excludeSeen: true).SingleOrDefault(s => s.Item == "X").Score);
        Assert.True(both.Recommend("u9", 5, excludeSeen: true).Single(s => s.Item == "X").Score > 0);
        Assert.Equal(rulesOnly.Rule("B", "C"), both.Rule("B", "C")); // the rules themselves are unchanged

        var scorer = both.ExportScorer(rowWidth: 100);
        Assert.NotNull(scorer.HistoryRows);
        Assert.Null(rulesOnly.ExportScorer(rowWidth: 100).HistoryRows);
        var history = Sequence("u9", "A", "C", "B").Select(i => new HistoryEvent(i.Item, i.At, i.Weight)).ToList();
        var weighed = UserScoring.WeighFor(scorer, history);
        Assert.Equal(["A", "B", "C"], weighed.Select(h => h.Item).Order(StringComparer.Ordinal)); // the whole history ...
        Assert.Equal(["B"], weighed.Where(h => h.Recent > 0).Select(h => h.Item)); // ... and the one latest item by position
        var served = UserScoring.Top(scorer, weighed, 3);
        var offline = both.Recommend("u9", 3, excludeSeen: true).Where(s => s.Score > 0).ToList();
        Assert.Equal(offline.Select(s => s.Item), served.Select(s => s.Item));
        Assert.Equal(offline.Select(s => Math.Round(s.Score, 5)), served.Select(s => Math.Round(s.Score, 5)));

        // The explanation of X is A (whole history), not B (the latest).
        Assert.True(UserScoring.Contribution(scorer, "A", weighed.Single(h => h.Item == "A").Weight, "X") > 0);
        var json = System.Text.Json.JsonSerializer.Serialize(scorer);
        var back = System.Text.Json.JsonSerializer.Deserialize<UserScorer>(json)!;
        Assert.Equal(UserScoring.Score(scorer, weighed), UserScoring.Score(back, UserScoring.WeighFor(back, history)));
    }

    [Fact]
    public void HistoryShare_IsLeftOut_OnACatalogWiderThanEaseTakes()
    {
        var items = Enumerable.Range(0, new EaseOptions().MaxItems + 1).Select(i => $"i{i:00000}").ToArray();
        var both = Fit(new SequentialRulesOptions { HistoryShare = 1 }, [.. Sequence("u1", items), .. Sequence("u2", items[..3])]);

        Assert.Null(both.ExportScorer(rowWidth: 10).HistoryRows);
    }

    [Theory]
    [InlineData(0, 0.75, 20, 0.9)]
    [InlineData(10, -0.1, 20, 0.9)]
    [InlineData(10, 0.75, 0, 0.9)]
    [InlineData(10, 0.75, 20, 0)]
    [InlineData(10, 0.75, 20, 1.5)]
    [InlineData(10, 0.75, 20, 0.9, -0.1)]
    [InlineData(10, 0.75, 20, 0.9, 101)]
    public void InvalidOptions_AreRefused(int window, double normalization, int recent, double decay, double history = 0) =>
        Assert.Throws<ArgumentException>(() => new SequentialRulesRecommender(new SequentialRulesOptions
        {
            Window = window, Normalization = normalization, Recent = recent, PositionDecay = decay, HistoryShare = history,
        }));
}
