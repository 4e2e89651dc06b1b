using Recommender.Models.Algorithms;
using Xunit.Abstractions;

namespace Recommender.Models.Tests.Algorithms;

public sealed class RankingReRankerTests(ITestOutputHelper output)
{
    private const int Categories = 6;
    private const int ItemsPerCategory = 30;
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A store where the category is what matters: each user has a favourite category; half of their
    /// early interactions are popular items from anywhere, half are from the favourite category, and
    /// their last two interactions are always in the favourite category. Popularity alone cannot see
    /// that; the category-affinity feature can.
    /// </summary>
    private static (List<Interaction> Train, Dictionary<string, string> Test, List<ItemAttributes> Catalog) Store(int users = 240, int seed = 11)
    {
        var random = new Random(seed);
        var catalog = new List<ItemAttributes>();
        for (var c = 0; c < Categories; c++)
        {
            for (var i = 0; i < ItemsPerCategory; i++)
            {
                catalog.Add(new ItemAttributes(Id(c, i), new Dictionary<string, string> { ["category"] = $"cat-{c}" }));
            }
        }

        var train = new List<Interaction>();
        var test = new Dictionary<string, string>();
        for (var u = 0; u < users; u++)
        {
            var user = $"user-{u:D3}";
            var favourite = u % Categories;
            var at = Start.AddDays(random.Next(30));
            var seen = new HashSet<string>();
            string Next(bool inFavourite)
            {
                while (true)
                {
                    // skewed popularity: low indices are popular in every category
                    var index = (int)(Math.Pow(random.NextDouble(), 2.5) * ItemsPerCategory);
                    var item = inFavourite ? Id(favourite, random.Next(ItemsPerCategory)) : Id(random.Next(Categories), index);
                    if (seen.Add(item))
                    {
                        return item;
                    }
                }
            }

            for (var n = 0; n < 10; n++)
            {
                at = at.AddHours(1 + random.Next(48));
                train.Add(new Interaction(user, Next(inFavourite: n % 2 == 0), at));
            }

            at = at.AddHours(5);
            train.Add(new Interaction(user, Next(inFavourite: true), at));
            test[user] = Next(inFavourite: true);
        }

        return (train, test, catalog);
    }

    private static string Id(int category, int index) => $"item-{category}-{index:D2}";

    private static double HitRate(IRecommenderAlgorithm algorithm, Dictionary<string, string> test, int k) =>
        test.Average(p => algorithm.Recommend(p.Key, k, excludeSeen: true).Any(r => r.Item == p.Value) ? 1.0 : 0.0);

    private static RankingReRanker CreateSut(IRecommenderAlgorithm candidates) =>
        new(candidates, options: new RankingOptions { Iterations = 60 });

    [Fact]
    public void Fit_OnAnInformativeFeature_BeatsItsBase()
    {
        var (train, test, catalog) = Store();
        var context = new TrainingContext(Seed: 5, Catalog: catalog);
        var baseline = new PopularityRecommender();
        baseline.Fit(train, context);
        var sut = CreateSut(new PopularityRecommender());

        sut.Fit(train, context);

        var baseHits = HitRate(baseline, test, 10);
        var rerankedHits = HitRate(sut, test, 10);
        output.WriteLine($"hit rate @10 on {test.Count} held-out items: popularity {baseHits:F3}, ltr over popularity {rerankedHits:F3}; trained on {sut.TrainingSummary}");
        Assert.NotNull(sut.TrainingSummary);
        Assert.True(sut.TrainingSummary.Queries > 0);
        Assert.True(rerankedHits > baseHits + 0.1, $"ltr {rerankedHits} vs base {baseHits}");
    }

    [Fact]
    public void Fit_SameSeed_SameRankings()
    {
        var (train, test, catalog) = Store(users: 120);
        var first = CreateSut(new PopularityRecommender());
        var second = CreateSut(new PopularityRecommender());

        first.Fit(train, new TrainingContext(Seed: 8, Catalog: catalog));
        second.Fit(train, new TrainingContext(Seed: 8, Catalog: catalog));

        foreach (var user in test.Keys.Take(30))
        {
            Assert.Equal(first.Recommend(user, 10, excludeSeen: true), second.Recommend(user, 10, excludeSeen: true));
        }
    }

    [Fact]
    public void Recommend_ReturnsOnlyCandidates_SeenExcluded()
    {
        var (train, _, catalog) = Store(users: 120);
        var sut = CreateSut(new AlsRecommender(new AlsOptions { Factors = 8, Iterations = 5 }));
        sut.Fit(train, new TrainingContext(Seed: 2, Catalog: catalog));

        var seen = train.Where(i => i.User == "user-007").Select(i => i.Item).ToHashSet();
        var result = sut.Recommend("user-007", 10, excludeSeen: true);

        Assert.Equal(10, result.Count);
        Assert.DoesNotContain(result, r => seen.Contains(r.Item));
        Assert.Equal(result.OrderByDescending(r => r.Score).Select(r => r.Item), result.Select(r => r.Item));
    }

    [Fact]
    public void Fit_NextTask_LearnsFromEachUsersLatestInteraction()
    {
        var (train, _, catalog) = Store(users: 120);
        var sut = CreateSut(new PopularityRecommender());

        sut.Fit(train, new TrainingContext(Seed: 4, Catalog: catalog, Task: PredictionTask.Next));

        // one held-out interaction per user: a query has at most one positive
        Assert.NotNull(sut.TrainingSummary);
        Assert.True(sut.TrainingSummary.Queries > 0);
        Assert.Equal(sut.TrainingSummary.Queries, sut.TrainingSummary.Positives);
    }

    [Fact]
    public void Fit_HeldOutItemsTask_LearnsFromARandomShareOfEachUsersItems()
    {
        var (train, _, catalog) = Store(users: 120);
        var sut = CreateSut(new PopularityRecommender());

        sut.Fit(train, new TrainingContext(Seed: 4, Catalog: catalog, Task: PredictionTask.HeldOutItems));

        // 11 items a user, a quarter held out: three labels a user, several of them among the candidates
        Assert.NotNull(sut.TrainingSummary);
        Assert.True(sut.TrainingSummary.Queries > 0);
        Assert.True(sut.TrainingSummary.Positives > sut.TrainingSummary.Queries, sut.TrainingSummary.ToString());
    }

    [Fact]
    public void Fit_TooLittleData_ServesTheBaseOrder()
    {
        List<Interaction> tiny = [new("u", "a", Start), new("v", "b", Start)];
        var baseline = new PopularityRecommender();
        baseline.Fit(tiny, new TrainingContext());
        var sut = CreateSut(new PopularityRecommender());

        sut.Fit(tiny, new TrainingContext());

        Assert.Equal(0, sut.TrainingSummary?.Queries);
        Assert.Equal(
            baseline.Recommend("w", 2, excludeSeen: true).Select(r => r.Item),
            sut.Recommend("w", 2, excludeSeen: true).Select(r => r.Item));
    }
}
