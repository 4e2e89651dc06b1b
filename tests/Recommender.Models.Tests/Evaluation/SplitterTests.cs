using Recommender.Models.Evaluation;

namespace Recommender.Models.Tests.Evaluation;

public sealed class SplitterTests
{
    [Fact]
    public void UserFolds_HoldEachUserOutOnce_AndKeepEveryOtherUsersRowsInTraining()
    {
        var data = TestData.Synthetic(users: 40);
        var users = data.Select(i => i.User).Distinct().ToList();

        var folds = new UserFoldSplitter(folds: 4, ratio: 0.75, seed: 43).FoldsOf(data);

        Assert.Equal(4, folds.Count);
        var heldOutUsers = folds.SelectMany((fold, f) => fold.Test.Select(i => i.User).Distinct().Select(u => (u, f))).ToList();
        Assert.Equal(users.Count, heldOutUsers.Count); // every user (all have ≥ 2 rows) held out in exactly one fold
        Assert.Equal(users.Order(), heldOutUsers.Select(h => h.u).Order());
        Assert.All(folds, fold => Assert.InRange(fold.Test.Select(i => i.User).Distinct().Count(), 10, 10));
        foreach (var (fold, f) in folds.Select((fold, f) => (fold, f)))
        {
            Assert.Equal(data.Count, fold.Train.Count + fold.Test.Count);
            var held = fold.Test.Select(i => i.User).ToHashSet();
            foreach (var user in users.Where(u => !held.Contains(u)))
            {
                Assert.Equal(data.Count(i => i.User == user), fold.Train.Count(i => i.User == user)); // untouched
            }

            foreach (var user in held)
            {
                var rows = data.Count(i => i.User == user);
                Assert.Equal((int)Math.Round(0.75 * rows, MidpointRounding.ToEven), fold.Train.Count(i => i.User == user));
            }
        }

        Assert.Equal(folds.Select(f => f.Test), new UserFoldSplitter(4, 0.75, 43).FoldsOf(data).Select(f => f.Test)); // seeded
    }

    [Fact]
    public void Random_StratifiesByUser_WithPythonRounding()
    {
        // per user: n = 4 → round(3.0) = 3 train; n = 2 → round(1.5) = 2 (half to even); n = 6 → round(4.5) = 4; n = 1 → round(0.75) = 1
        var data = new List<Interaction>();
        foreach (var (user, count) in new[] { ("four", 4), ("two", 2), ("six", 6), ("one", 1) })
        {
            for (var n = 0; n < count; n++)
            {
                data.Add(TestData.At(user, $"i{n}", n));
            }
        }

        var split = new RandomSplitter(0.75, seed: 42).Split(data);

        Assert.Equal(3, split.Train.Count(i => i.User == "four"));
        Assert.Equal(1, split.Test.Count(i => i.User == "four"));
        Assert.Equal(2, split.Train.Count(i => i.User == "two"));
        Assert.Equal(4, split.Train.Count(i => i.User == "six"));
        Assert.Equal(2, split.Test.Count(i => i.User == "six"));
        Assert.Equal(1, split.Train.Count(i => i.User == "one"));
        Assert.Equal(data.Count, split.Train.Count + split.Test.Count);
    }

    [Fact]
    public void Random_SameSeed_SameSplit_OtherSeed_OtherSplit()
    {
        var data = TestData.Synthetic();
        var first = new RandomSplitter(seed: 42).Split(data);
        var again = new RandomSplitter(seed: 42).Split(TestData.Synthetic());
        var other = new RandomSplitter(seed: 43).Split(data);

        Assert.Equal(first.Test, again.Test);
        Assert.NotEqual(first.Test, other.Test);
    }

    [Fact]
    public void LeaveLast_HoldsOutEachUsersLatest_AndKeepsSingleInteractionUsersInTraining()
    {
        Interaction[] data =
        [
            TestData.At("u1", "old", 10),
            TestData.At("u1", "latest", 1),
            TestData.At("u1", "middle", 5),
            TestData.At("u2", "only", 3),
            TestData.At("u3", "first-of-tie", 2),
            TestData.At("u3", "second-of-tie", 2),
        ];

        var split = new LeaveLastSplitter().Split(data);

        Assert.Equal(["latest", "second-of-tie"], split.Test.Select(i => i.Item).ToArray());
        Assert.Contains(split.Train, i => i.Item == "only");
        Assert.Equal(4, split.Train.Count);
    }

    [Fact]
    public void Temporal_DefaultCutoff_LeavesTheLastFifthOfTheSpan_ForUsersWithHistory()
    {
        // span 100 days (t0−100d … t0): cut-off at t0−20d
        Interaction[] data =
        [
            TestData.At("u1", "a", 100),
            TestData.At("u1", "b", 21),
            TestData.At("u1", "c", 20),   // exactly at the cut-off: test
            TestData.At("u1", "d", 0),
            TestData.At("new", "e", 5),   // no training history: dropped
            TestData.At("u2", "f", 50),
        ];
        var splitter = new TemporalSplitter();

        Assert.Equal(TestData.Latest.AddDays(-20), splitter.CutoffFor(data));
        var split = splitter.Split(data);
        Assert.Equal(["a", "b", "f"], split.Train.Select(i => i.Item).ToArray());
        Assert.Equal(["c", "d"], split.Test.Select(i => i.Item).ToArray());
    }

    [Fact]
    public void EvaluationSet_RepeatsCountOnce_AndSeenRemoveDropsHeldOutItemsAlreadyInTraining()
    {
        var split = new DataSplit(
            "test",
            [TestData.At("u1", "a", 9), TestData.At("u2", "a", 9)],
            [TestData.At("u1", "a", 1), TestData.At("u1", "b", 1), TestData.At("u1", "b", 0), TestData.At("u2", "a", 0)]);

        var remove = EvaluationSet.Create(split, excludeSeen: true);
        var keep = EvaluationSet.Create(split, excludeSeen: false);

        // remove: u1 relevant {b} (a was seen); u2 has only a seen item → not evaluated
        Assert.Equal("u1", Assert.Single(remove.Users).User);
        Assert.Equal(["b"], remove.Users[0].Relevant.Order().ToArray());

        // keep: u1 {a, b} (b twice is one item), u2 {a}
        Assert.Equal(2, keep.Users.Count);
        Assert.Equal(["a", "b"], keep.Users[0].Relevant.Order().ToArray());
    }
}
