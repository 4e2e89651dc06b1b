using System.Text.Json;
using Recommender.Models.Algorithms;

namespace Recommender.Models.Tests.Algorithms;

/// <summary>The exported user scoring scores a history exactly as the trained model scores its users.</summary>
public class UserScoringTests
{
    private static IReadOnlyList<HistoryItem> BinaryHistory(IEnumerable<Interaction> interactions, string user) =>
        interactions.Where(i => i.User == user).Select(i => i.Item).Distinct().Select(i => new HistoryItem(i, 1.0)).ToList();

    [Fact]
    public void Ease_FullRows_ScoreAHistoryAsTheModelScoresThatUser()
    {
        var data = TestData.Synthetic();
        var ease = new EaseRecommender(new EaseOptions { Lambda = 10 });
        ease.Fit(data, new TrainingContext());
        var scorer = ease.ExportScorer(rowWidth: 1_000);

        foreach (var user in new[] { "user-000", "user-001", "user-017" })
        {
            // User scoring serves positive scores only; the model's own top-k may pad with negative ones.
            var expected = ease.Recommend(user, 10, excludeSeen: true).Where(s => s.Score > 0).ToList();
            var served = UserScoring.Top(scorer, BinaryHistory(data, user), expected.Count);
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Select(s => s.Item), served.Select(s => s.Item));
        }
    }

    [Fact]
    public void ItemWeights_KeepTheStrongestEntriesByMagnitude_NegativesIncluded()
    {
        var data = TestData.Synthetic();
        var ease = new EaseRecommender(new EaseOptions { Lambda = 10 });
        ease.Fit(data, new TrainingContext());

        var scorer = ease.ExportScorer(rowWidth: 3);
        var full = ease.ExportScorer(rowWidth: 1_000);

        Assert.Contains(full.Rows!, row => row.Weights.Any(w => w < 0)); // B's negative weights are kept
        for (var i = 0; i < scorer.Rows!.Count; i++)
        {
            var kept = scorer.Rows[i];
            Assert.Equal(kept.Columns.Order(), kept.Columns);
            Assert.Equal(Math.Min(3, full.Rows![i].Columns.Length), kept.Columns.Length);
            var weakestKept = kept.Weights.Min(Math.Abs);
            var dropped = full.Rows[i].Columns.Select((c, m) => (c, w: full.Rows[i].Weights[m])).Where(x => !kept.Columns.Contains(x.c));
            Assert.All(dropped, x => Assert.True(Math.Abs(x.w) <= weakestKept));
        }
    }

    [Fact]
    public void Als_FoldIn_OfATrainingUsersHistory_RanksItsGroupFirst_AndSurvivesJson()
    {
        var data = TestData.Synthetic();
        var als = new AlsRecommender(new AlsOptions { Factors = 8, Iterations = 10 });
        als.Fit(data, new TrainingContext());
        var scorer = JsonSerializer.Deserialize<UserScorer>(JsonSerializer.Serialize(als.ExportScorer(0)))!;

        // A brand-new user who touched three group-1 items: no retraining, scores from the item factors.
        var newcomer = new[] { new HistoryItem("item-1-0", 1), new HistoryItem("item-1-1", 1), new HistoryItem("item-1-2", 1) };
        var top = UserScoring.Top(scorer, newcomer, 4);

        Assert.Equal(UserScorer.FactorsKind, scorer.Kind);
        Assert.Equal(4, top.Count);
        Assert.All(top, s => Assert.StartsWith("item-1-", s.Item, StringComparison.Ordinal));
        Assert.DoesNotContain(top, s => newcomer.Any(h => h.Item == s.Item));
    }

    [Fact]
    public void Score_IgnoresItemsTheModelDoesNotCover()
    {
        var scorer = UserScorer.FromNeighbors(new Dictionary<string, IReadOnlyList<ScoredItem>> { ["a"] = [new("b", 0.5)] });

        Assert.Empty(UserScoring.Top(scorer, [new HistoryItem("unknown", 1)], 5));
        Assert.Equal([new ScoredItem("b", 1.0)], UserScoring.Top(scorer, [new HistoryItem("a", 2), new HistoryItem("unknown", 9)], 5));
    }

    private static readonly DateTimeOffset At = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Latest_WeighsTheRecentDistinctItemsByPosition_TimesTheirStrongestWeight()
    {
        HistoryEvent[] history =
        [
            new("a", At, 1), new("b", At.AddHours(1), 5), new("a", At.AddHours(2), 1), new("c", At.AddHours(3), 1), new("d", At.AddHours(4), 2),
        ];

        var weighted = UserScoring.Latest(history, recent: 3, decay: 0.5);

        // Newest first: d (2 · 1), c (1 · 0.5), a (its latest is 2 h: 1 · 0.25); b is the fourth latest and left out.
        Assert.Equal([new HistoryItem("d", 2), new HistoryItem("c", 0.5), new HistoryItem("a", 0.25)], weighted);
    }

    [Fact]
    public void Latest_BetweenEqualTimes_TheLaterInTheSequenceIsNewer_AndAnEarlierTimeLaterInTheListIsNot()
    {
        HistoryEvent[] history = [new("a", At, 1), new("b", At, 1), new("old", At.AddHours(-1), 1)];

        var weighted = UserScoring.Latest(history, recent: 5, decay: 0.5);

        Assert.Equal(["b", "a", "old"], weighted.Select(h => h.Item).ToArray());
    }

    [Fact]
    public void WeighFor_WeighsByPositionOnlyForAnOrderBasedScorer()
    {
        HistoryEvent[] history = [new("a", At, 1), new("b", At.AddDays(90), 1)];
        var byAge = new UserScorer { Kind = UserScorer.ItemWeights, Items = ["a", "b"], Rows = [new([], []), new([], [])] };
        var byPosition = byAge with { Recent = 1, PositionDecay = 0.5 };

        Assert.Equal(UserScoring.Weigh(history), UserScoring.WeighFor(byAge, history));
        Assert.Equal(UserScoring.Weigh(history), UserScoring.WeighFor(null, history));
        Assert.Equal([new HistoryItem("b", 1)], UserScoring.WeighFor(byPosition, history));
    }

    [Fact]
    public void AnOrderBasedScorer_KeepsItsWeightingThroughTheModelStore()
    {
        var scorer = new UserScorer { Kind = UserScorer.ItemWeights, Items = ["a"], Rows = [new([], [])], Recent = 20, PositionDecay = 0.9 };

        var read = JsonSerializer.Deserialize<UserScorer>(JsonSerializer.Serialize(scorer))!;

        Assert.Equal(20, read.Recent);
        Assert.Equal(0.9, read.PositionDecay);
    }
}
