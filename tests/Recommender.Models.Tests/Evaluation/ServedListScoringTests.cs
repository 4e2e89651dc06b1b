using Recommender.Models.Evaluation;

namespace Recommender.Models.Tests.Evaluation;

public class ServedListScoringTests
{
    [Fact]
    public void Score_UsesTheEvaluatorsMetricsAndUsers_AndCountsAMissingListAsZero()
    {
        var data = TestData.Synthetic(users: 60);
        var set = EvaluationSet.Create(new LatestFractionSplitter().Split(data), excludeSeen: true);
        var sar = AlgorithmRegistry.Default.Create("sar");
        var offline = Evaluator.Evaluate(sar, set, 5, new TrainingContext());
        var lists = set.Users.ToDictionary(u => u.User, u => (IReadOnlyList<string>)sar.Recommend(u.User, 5, true).Select(s => s.Item).ToList());

        var served = ServedListScoring.Score(lists, set, 5);

        Assert.Equal(offline.Ndcg, served.Ndcg, 12);
        Assert.Equal(offline.MapAtK, served.MapAtK, 12);
        Assert.Equal(set.Users.Count, served.Users);
        Assert.Equal(0, served.Missing);

        var perfectButOne = set.Users.Skip(1).ToDictionary(u => u.User, u => (IReadOnlyList<string>)u.Relevant.Order(StringComparer.Ordinal).ToList());
        var score = ServedListScoring.Score(perfectButOne, set, 5);
        Assert.Equal(1, score.Missing);
        Assert.Equal((set.Users.Count - 1) / (double)set.Users.Count, score.Ndcg, 12);
    }

    [Fact]
    public void ScoreBy_ScoresEachGroupOnItsOwnUsers_AndTheGroupsAddUpToTheWhole()
    {
        var data = TestData.Synthetic(users: 60);
        var set = EvaluationSet.Create(new LatestFractionSplitter().Split(data), excludeSeen: true);
        var users = set.Users.ToList();
        var perfect = users.Where((_, n) => n % 3 == 0).ToList();
        var lists = users.ToDictionary(
            u => u.User,
            u => perfect.Contains(u) ? (IReadOnlyList<string>)u.Relevant.Order(StringComparer.Ordinal).ToList() : ["not-an-item"]);
        var groupOf = users.ToDictionary(u => u.User, u => perfect.Contains(u) ? "model" : "explored", StringComparer.Ordinal);

        var groups = ServedListScoring.ScoreBy(lists, groupOf, set, 5);

        Assert.Equal(perfect.Count, groups["model"].Users);
        Assert.Equal(1.0, groups["model"].Ndcg, 12);
        Assert.Equal(users.Count - perfect.Count, groups["explored"].Users);
        Assert.Equal(0.0, groups["explored"].Ndcg, 12);
        var whole = ServedListScoring.Score(lists, set, 5);
        Assert.Equal(whole.Ndcg * users.Count, groups.Values.Sum(g => g.Ndcg * g.Users), 9);
    }

    [Fact]
    public void Rescale_KeepsTheOrderAndTheEnds()
    {
        var data = new[] { TestData.At("a", "x", 200), TestData.At("a", "y", 100), TestData.At("b", "x", 100), TestData.At("b", "z", 0) };
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var moved = ServedListScoring.Rescale(data, from, from.AddDays(20));

        Assert.Equal(from, moved[0].At);
        Assert.Equal(from.AddDays(10), moved[1].At);
        Assert.Equal(moved[1].At, moved[2].At);
        Assert.Equal(from.AddDays(20), moved[3].At);
        Assert.Equal(data.Select(i => (i.User, i.Item)), moved.Select(i => (i.User, i.Item)));
    }

    [Fact]
    public void SplitByTime_CutsAtTheShareByTime_KeepsEqualTimesTogetherAndTheOrder()
    {
        // Days before the latest: a at 5, 3, 1; b at 4, 3, 0. By time: 5, 4, 3, 3, 1, 0.
        var data = new[]
        {
            TestData.At("a", "x", 5), TestData.At("a", "y", 3), TestData.At("a", "z", 1),
            TestData.At("b", "x", 4), TestData.At("b", "y", 3), TestData.At("b", "w", 0),
        };

        var (earlier, later) = ServedListScoring.SplitByTime(data, 0.5);

        // Half is 3 interactions; the third by time ties with the fourth, so both go to the earlier part.
        Assert.Equal(["a:x", "a:y", "b:x", "b:y"], earlier.Select(i => $"{i.User}:{i.Item}"));
        Assert.Equal(["a:z", "b:w"], later.Select(i => $"{i.User}:{i.Item}"));
        Assert.True(earlier.Max(i => i.At) < later.Min(i => i.At));

        Assert.Empty(ServedListScoring.SplitByTime(data, 0).Earlier);
        Assert.Empty(ServedListScoring.SplitByTime(data, 1).Later);
        Assert.Throws<ArgumentOutOfRangeException>(() => ServedListScoring.SplitByTime(data, 1.5));
    }
}
