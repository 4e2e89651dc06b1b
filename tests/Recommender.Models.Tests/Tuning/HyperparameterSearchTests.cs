using Recommender.Models.Evaluation;
using Recommender.Models.Tuning;

namespace Recommender.Models.Tests.Tuning;

public class HyperparameterSearchTests
{
    private static readonly TrainingContext Context = new(Seed: 42);

    [Fact]
    public void Search_StartsFromTheDefaults_AndChoosesTheBestValidationTrial()
    {
        var data = TestData.Synthetic(users: 90);

        var result = HyperparameterSearch.Search("ease", data, new LatestFractionSplitter(), 5, excludeSeen: true, Context, TimeSpan.FromMinutes(10));

        Assert.Equal(SearchSpace.For("ease").Defaults, result.Trials[0].Settings);
        Assert.Equal(result.Trials.Max(t => t.Ndcg), result.Ndcg);
        Assert.Equal(result.Trials.First(t => t.Ndcg == result.Ndcg).Settings, result.Settings);
        Assert.False(result.BudgetExhausted);
        // Every λ of the grid was tried with the default dropout, every dropout with the chosen λ.
        Assert.True(result.Trials.Count >= SearchSpace.For("ease").Parameters.Sum(p => p.Values.Count) - 1);
        Assert.True(result.ValidationUsers > 0);
    }

    [Fact]
    public void RandomProtocol_ValidatesOnUserFolds_EveryUserOnce()
    {
        var data = TestData.Synthetic(users: 48);

        var splitter = HyperparameterSearch.ValidationSplitter("random");
        var result = HyperparameterSearch.Search("sar", data, splitter, 5, true, Context, TimeSpan.FromMinutes(10));

        Assert.IsType<UserFoldSplitter>(splitter);
        var folds = ((UserFoldSplitter)splitter).FoldsOf(data).Select(f => EvaluationSet.Create(f, true)).ToList();
        Assert.Equal(folds.Sum(set => set.Users.Count), result.ValidationUsers); // every fold's users, each user in one fold only
        Assert.True(result.ValidationUsers > 36, $"{result.ValidationUsers} of 48 users validated");
        var byFold = folds.Select(set => Evaluator.Evaluate(SearchSpace.For("sar").Create(result.Settings), set, 5, Context)).ToList();
        Assert.Equal(Math.Round(byFold.Sum(e => e.Ndcg * e.Users) / byFold.Sum(e => e.Users), 6), result.Ndcg);
    }

    [Fact]
    public void JointParameters_AreTriedInEveryCombination_SoAnOptimumNoSingleMoveReachesIsFound()
    {
        // EASE's timeline share is searched with λ: (λ 50, share 0.9) is best, but from the defaults
        // (λ 250, share 0) a change of λ alone leads to λ 1000 and a change of the share alone never pays.
        var space = SearchSpace.For("ease");
        static TrialScore Objective(IReadOnlyDictionary<string, double> s) => new(
            (s["lambda"], s["sequence"]) switch
            {
                (50, 0.9) => 0.6,
                (1000, 0) => 0.5,
                (_, 0) => 0.4,
                _ => 0.3,
            }, 0);

        var result = HyperparameterSearch.Search(space, Objective, TimeSpan.FromMinutes(10));

        Assert.Equal(["lambda", "sequence"], space.Groups[0].Select(p => p.Name));
        Assert.Equal(50, result.Settings["lambda"]);
        Assert.Equal(0.9, result.Settings["sequence"]);
        foreach (var lambda in space.Parameters.Single(p => p.Name == "lambda").Values)
        {
            foreach (var share in space.Parameters.Single(p => p.Name == "sequence").Values)
            {
                Assert.Contains(result.Trials, t => t.Settings["lambda"] == lambda && t.Settings["sequence"] == share);
            }
        }
    }

    [Fact]
    public void Search_IsDeterministic()
    {
        var data = TestData.Synthetic(users: 60);

        var first = HyperparameterSearch.Search("itemknn-cosine", data, new LatestFractionSplitter(), 5, true, Context, TimeSpan.FromMinutes(10));
        var second = HyperparameterSearch.Search("itemknn-cosine", data, new LatestFractionSplitter(), 5, true, Context, TimeSpan.FromMinutes(10));

        Assert.Equal(first.Settings, second.Settings);
        Assert.Equal(first.Trials.Select(t => t.Ndcg), second.Trials.Select(t => t.Ndcg));
    }

    [Fact]
    public void SpentBudget_StopsTheSearchAfterTheDefaults()
    {
        // Every reading of the clock moves it a minute on: the budget of one minute is gone after the first trial.
        var result = HyperparameterSearch.Search("ease", TestData.Synthetic(), new LatestFractionSplitter(), 5, true, Context, TimeSpan.FromMinutes(1), new SteppingClock(TimeSpan.FromMinutes(1)));

        Assert.True(result.BudgetExhausted);
        Assert.Single(result.Trials);
        Assert.Equal(SearchSpace.For("ease").Defaults, result.Settings);
    }

    [Fact]
    public void ChangingTheHeldOutTestData_DoesNotChangeTheChosenSettings()
    {
        // The caller hands the search the training part only: whatever the test part holds cannot matter.
        var data = TestData.Synthetic(users: 90);
        var split = new LatestFractionSplitter().Split(data);
        var poisoned = split.Test.Select(i => i with { Item = "poison-" + i.Item }).ToList();

        var clean = HyperparameterSearch.Search("sar", split.Train, HyperparameterSearch.ValidationSplitter("latest"), 5, true, Context, TimeSpan.FromMinutes(10));
        var withPoison = HyperparameterSearch.Search("sar", split.Train, HyperparameterSearch.ValidationSplitter("latest"), 5, true, Context, TimeSpan.FromMinutes(10));

        Assert.NotEqual(split.Test, poisoned);
        Assert.Equal(clean.Settings, withPoison.Settings);
    }

    [Fact]
    public void SearchSpace_DefaultsBuildTheRegisteredAlgorithm_AndUnknownParametersAreRefused()
    {
        var data = TestData.Synthetic();
        var set = EvaluationSet.Create(new LatestFractionSplitter().Split(data), true);
        foreach (var name in new[] { "ease", "sar", "itemknn-cosine", "rp3beta" })
        {
            var tuned = Evaluator.Evaluate(SearchSpace.For(name).Create(), set, 5, Context);
            var registered = Evaluator.Evaluate(AlgorithmRegistry.Default.Create(name), set, 5, Context);
            Assert.Equal(registered.Ndcg, tuned.Ndcg);
        }

        Assert.Throws<ArgumentException>(() => SearchSpace.For("ease").Create(new Dictionary<string, double> { ["neighbours"] = 5 }));
        Assert.Empty(SearchSpace.For("popularity").Parameters);
        Assert.Throws<UnknownAlgorithmException>(() => SearchSpace.For("deep-magic").Create());
    }

    private sealed class SteppingClock(TimeSpan step) : TimeProvider
    {
        private DateTimeOffset _now = TestData.Latest;

        public override DateTimeOffset GetUtcNow()
        {
            _now += step;
            return _now;
        }
    }
}
