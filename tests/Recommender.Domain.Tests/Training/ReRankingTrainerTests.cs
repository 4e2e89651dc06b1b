using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;
using Recommender.Models.Algorithms;
using Xunit.Abstractions;

namespace Recommender.Domain.Tests.Training;

/// <summary>The LightGBM LambdaRank re-ranker as a training candidate (issue 12, deliverable 2).</summary>
public class ReRankingTrainerTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReRankOptions Options = new() { Trees = 60, Leaves = 7, MinimumRowsPerLeaf = 5, MinimumQueries = 1 };
    private static readonly UserScoringOptions Scoring = new();

    /// <summary>
    /// A store where the category is what matters: each customer has a favourite category; of their
    /// first ten purchases every other one is in it (any item), the rest are popular items from
    /// anywhere; their last three purchases are always in the favourite category. Co-occurrence sees
    /// the popular items as much as the category; the category-affinity feature sees the category.
    /// </summary>
    internal static (List<ClickstreamEvent> Events, Dictionary<string, Product> Catalog) CategoryStore(int customers = 240, int seed = 11)
    {
        const int categories = 4, perCategory = 25;
        var random = new Random(seed);
        var catalog = new Dictionary<string, Product>(StringComparer.Ordinal);
        for (var c = 0; c < categories; c++)
        {
            for (var i = 0; i < perCategory; i++)
            {
                catalog[Id(c, i)] = new Product(Id(c, i), $"Item {c}-{i}", $"cat-{c}", 10m + (10 * c));
            }
        }

        var events = new List<ClickstreamEvent>();
        for (var u = 0; u < customers; u++)
        {
            var customer = $"u{u:D3}";
            var favourite = u % categories;
            var at = T0.AddDays(random.Next(20));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var n = 0; n < 13; n++)
            {
                string item;
                do
                {
                    item = n >= 10 || n % 2 == 0
                        ? Id(favourite, random.Next(perCategory))
                        : Id(random.Next(categories), (int)(Math.Pow(random.NextDouble(), 3) * perCategory));
                }
                while (!seen.Add(item));

                at = at.AddHours(1 + random.Next(30));
                events.Add(new ClickstreamEvent
                {
                    Id = $"{customer}-{n}", Type = EventType.Purchase, CustomerId = customer, OrderId = $"o-{customer}-{n}", OccurredAt = at,
                    Lines = [new OrderLine(item, 1, 10m)],
                });
            }
        }

        return (events, catalog);

        static string Id(int category, int item) => $"c{category}-i{item:D2}";
    }

    private static ReRankingTrainer Trainer(IReadOnlyDictionary<string, Product> catalog, LambdaRankFit? fit = null) =>
        new(new AlgorithmTrainer("ease"), Options, Scoring, _ => Task.FromResult(catalog), fit);

    [Fact]
    public async Task FeatureVector_ForACustomerAndItem_IsTheSameInTrainingAndServing()
    {
        var (events, catalog) = CategoryStore();
        var trainer = Trainer(catalog);
        await trainer.PrepareAsync();
        var model = trainer.Train(events, "v1", T0.AddDays(60));
        var table = model.ReRanker!.Table;

        foreach (var customer in new[] { "u005", "u042", "u199", "u006" })
        {
            var own = events.Where(e => e.CustomerId == customer).ToList();
            // Training: the archived events as the gate's split hands them over (newest first).
            var training = trainer.FeaturesOf(new CustomerHistory(customer, own.OrderByDescending(e => e.OccurredAt).ToList()), model, table);
            // Serving: the profile the same purchases build, through the cache refresh's own call.
            var profile = new CustomerProfile { CustomerId = customer };
            ProfileUpdater.Apply(profile, [Consent(customer), .. own], catalog, T0.AddDays(60));
            var serving = RecommendationEngine.ReRankCandidatesFor(profile, model, table, catalog, options: Scoring);

            Assert.Equal(Options.Candidates, training.Count);
            Assert.Equal(training.Select(t => t.Item.ProductId), serving.Select(s => s.Item.ProductId));
            for (var i = 0; i < training.Count; i++)
            {
                Assert.Equal(training[i].Features, serving[i].Features);
            }

            // The vectors carry the customer's side, not just the item's.
            var affinity = ReRankFeatures.Names.ToList().IndexOf("category_affinity");
            Assert.Contains(training, t => t.Features[affinity] > 0.3f);
            // And the served list is those rows re-ranked (with no taste blended in, and no new product in the catalog).
            Assert.Equal(RecommendationEngine.ReRank(model.ReRanker, serving, 10).Select(i => i.ProductId),
                RecommendationEngine.ForCustomer(profile, model, catalog, 10, new UserScoringOptions { ProfileWeight = 0, NewItemWeight = 0 }).Select(i => i.ProductId));
        }
    }

    [Fact]
    public async Task ReRankedList_KeepsNewProductsByContent_AndTheProfilesTaste()
    {
        var (events, catalog) = CategoryStore();
        var trainer = Trainer(catalog);
        await trainer.PrepareAsync();
        var model = trainer.Train(events, "v1", T0.AddDays(60));
        Assert.NotNull(model.ReRanker);
        var customer = "u005"; // favourite category cat-1
        var profile = new CustomerProfile { CustomerId = customer };
        ProfileUpdater.Apply(profile, [Consent(customer), .. events.Where(e => e.CustomerId == customer)], catalog, T0.AddDays(60));
        var history = RecommendationEngine.HistoryOf(profile);
        var exclude = RecommendationEngine.ExclusionsFor(profile);
        var contentOnly = new UserScoringOptions { ProfileWeight = 0, NewItemWeight = 1 };

        // A product launched after training, like the customer's purchases: the model and the re-ranker never saw it.
        var launched = new Dictionary<string, Product>(catalog) { ["c1-new"] = new Product("c1-new", "New in 1", "cat-1", 20m) };
        var before = RecommendationEngine.ForHistory(history, model, catalog, exclude, 10, contentOnly);
        var after = RecommendationEngine.ForHistory(history, model, launched, exclude, 10, contentOnly);

        var entry = Assert.Single(after, i => i.ProductId == "c1-new");
        Assert.StartsWith("content:", entry.ReasonCode, StringComparison.Ordinal);
        Assert.DoesNotContain(before, i => i.ProductId == "c1-new");
        Assert.Equal(before.Where(i => i.ProductId != "c1-new").Select(i => i.ProductId).Take(9), after.Where(i => i.ProductId != "c1-new").Select(i => i.ProductId));
        Assert.Equal(after.Select(i => i.Score).OrderDescending(), after.Select(i => i.Score)); // still in serving order

        // A stated taste for another category lifts that category in the re-ranked list, as it does in a plain one.
        var taste = new ProfileSignal(new Dictionary<string, double> { ["cat-3"] = 1 }, new Dictionary<string, double>());
        var untouched = RecommendationEngine.ForHistory(history, model, catalog, exclude, 10, new UserScoringOptions { ProfileWeight = 0, NewItemWeight = 0 }, taste);
        var blended = RecommendationEngine.ForHistory(history, model, catalog, exclude, 10, new UserScoringOptions { ProfileWeight = 1, NewItemWeight = 0 }, taste);
        int InCategory3(IReadOnlyList<RecommendedItem> list) => list.Count(i => catalog[i.ProductId].Category == "cat-3");
        output.WriteLine($"cat-3 items: {InCategory3(untouched)} without the taste, {InCategory3(blended)} with it");
        Assert.True(InCategory3(blended) > InCategory3(untouched), $"{InCategory3(blended)} vs {InCategory3(untouched)}");
        Assert.Equal(RecommendationEngine.ReRank(model.ReRanker!, RecommendationEngine.ReRankCandidates(history, model, model.ReRanker!.Table, catalog, exclude, 10, contentOnly), 10)
            .Select(i => i.ProductId), untouched.Select(i => i.ProductId));
    }

    [Fact]
    public async Task Labels_AreTheInteractionsTheGateHoldsOut_LatestOrDrawnAtRandom()
    {
        var (events, catalog) = CategoryStore();
        var latest = Trainer(catalog);
        var random = new ReRankingTrainer(new AlgorithmTrainer("ease"), Options, Scoring, _ => Task.FromResult<IReadOnlyDictionary<string, Product>>(catalog), holdout: HoldoutOrder.Random);
        await latest.PrepareAsync();
        await random.PrepareAsync();

        var byLatest = latest.Queries(events, "q", T0, null);
        var byRandom = random.Queries(events, "q", T0, null);
        // Each query is labelled by what its customer's held-out part holds: the same rule as the gate's, so the two differ.
        static string Labels(IReadOnlyList<RankingQuery> queries) => string.Join('|', queries.Select(q => string.Concat(q.Labels.Select(l => l > 0 ? '1' : '0'))));

        Assert.NotEmpty(byLatest);
        Assert.NotEmpty(byRandom);
        Assert.NotEqual(Labels(byLatest), Labels(byRandom));
        Assert.Equal(Labels(byRandom), Labels(random.Queries(events, "q", T0, null)));
    }

    [Fact]
    public async Task ReRanker_BeatsItsBaseOnTheGatesHoldout_InAStoreWhereCategoryMatters()
    {
        var (events, catalog) = CategoryStore();
        var split = HoldoutEvaluator.Split(events);
        var scorer = new ServedHistoryScorer();
        var trainer = Trainer(catalog);
        await trainer.PrepareAsync();

        var baseline = HoldoutEvaluator.Evaluate(new AlgorithmTrainer("ease").Train(split.Train, "base", T0), split, scorer).Metrics["ndcg@10"];
        var reRanked = HoldoutEvaluator.Evaluate(trainer.Train(split.Train, "ltr", T0), split, scorer).Metrics["ndcg@10"];

        output.WriteLine($"ease {baseline:0.0000}, ease+ltr {reRanked:0.0000} ({trainer.LastTraining.Queries} queries)");
        Assert.True(reRanked > baseline * 1.1, $"ease+ltr {reRanked} vs ease {baseline}");
    }

    [Fact]
    public async Task TreesSettings_GoToLambdaRank_AndEveryOtherSettingToTheBase()
    {
        var (events, catalog) = CategoryStore(customers: 120);
        LambdaRankSettings? fitted = null;
        var trainer = Trainer(catalog, (queries, settings) =>
        {
            fitted = settings;
            return LambdaRankTrainer.Train(queries, settings);
        });
        await trainer.PrepareAsync();
        var settings = new Dictionary<string, double> { ["lambda"] = 50, ["trees"] = 7, ["leaves"] = 3 };

        var model = trainer.TrainWith(events, "v1", T0.AddDays(60), settings);
        var plain = new AlgorithmTrainer("ease").TrainWith(events, "v1", T0.AddDays(60), new Dictionary<string, double> { ["lambda"] = 50 });

        Assert.Equal(["trees", "leaves"], trainer.Space!.Parameters.Select(p => p.Name));
        Assert.Equal((7, 3), (fitted!.Trees, fitted.Leaves));
        Assert.Equal(plain.Neighbors.Keys.Order(), model.Neighbors.Keys.Order());
        Assert.All(plain.Neighbors, kv => Assert.Equal(kv.Value, model.Neighbors[kv.Key])); // the base trained with λ 50, not the trees' names
        Assert.Equal(new Dictionary<string, double> { ["lambda"] = 50 }, ReRankingTrainer.BaseSettings(settings));
    }

    [Fact]
    public async Task Tuning_SearchesTheTreesOverTheBasesSettings_AndKeepsThem()
    {
        var (events, catalog) = CategoryStore(customers: 120);
        var trainer = Trainer(catalog);
        await trainer.PrepareAsync();
        var baseSettings = new Dictionary<string, double> { ["lambda"] = 50, ["dropout"] = 0.33, ["sequence"] = 0, ["window"] = 30 };

        var (settings, record) = CandidateTuner.Tune(trainer, events, new ServedHistoryScorer(), new TrainingOptions { TuningBudget = TimeSpan.FromMinutes(30) },
            T0.AddDays(60), TimeProvider.System, baseSettings);

        Assert.NotNull(record);
        Assert.True(record!.Trials.Count >= 5, $"{record.Trials.Count} trials"); // every trees value {50, 100, 200} and every leaves value {7, 15, 31}
        Assert.Equal([50.0, 100, 200], record.Trials.Select(t => t.Settings["trees"]).Distinct().Order());
        Assert.Equal([7.0, 15, 31], record.Trials.Select(t => t.Settings["leaves"]).Distinct().Order());
        Assert.All(record.Trials, t => Assert.Equal(baseSettings, ReRankingTrainer.BaseSettings(t.Settings)));
        Assert.Equal(record.Trials.MaxBy(t => t.Ndcg)!.Settings, settings);
        Assert.Equal(baseSettings, ReRankingTrainer.BaseSettings(settings));
        Assert.Contains("trees", settings!.Keys);
        Assert.Equal(CandidateTuner.Tune(trainer, events, new ServedHistoryScorer(), new TrainingOptions { Tune = false }, T0.AddDays(60), TimeProvider.System, baseSettings),
            (baseSettings, null)); // untuned: the base's settings as they are
    }

    [Fact]
    public async Task NativeLibraryMissing_SkipsTheCandidateWithTheReason_NeverCrashes()
    {
        var (events, catalog) = CategoryStore(customers: 60);
        var trainer = Trainer(catalog, (_, _) => throw new TypeInitializationException("LightGbmInterfaceUtils", new DllNotFoundException("Unable to load shared library 'lib_lightgbm'")));
        await trainer.PrepareAsync();

        var skipped = Assert.Throws<CandidateSkippedException>(() => trainer.Train(events, "v1", T0));

        Assert.Contains("ease+ltr", skipped.Message, StringComparison.Ordinal);
        Assert.Contains("lib_lightgbm", skipped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TinyStore_EitherTrainsOrSkipsTheCandidate_NeverFailsTheRun()
    {
        var events = new List<ClickstreamEvent>();
        for (var i = 0; i < 10; i++)
        {
            foreach (var (product, minutes) in new[] { ("A", 10), (i < 5 ? "C" : "B", 5), ("B", 4), ("OUT", 3) })
            {
                events.Add(new ClickstreamEvent { Id = $"{product}{i}-{minutes}", Type = EventType.View, CustomerId = $"fan-{i}", ProductId = product, OccurredAt = T0.AddMinutes(-minutes) });
            }
        }

        var trainer = Trainer(new Dictionary<string, Product>());
        await trainer.PrepareAsync();

        try
        {
            var model = trainer.Train(events, "v1", T0);
            Assert.NotNull(model.ReRanker);
        }
        catch (CandidateSkippedException skipped)
        {
            output.WriteLine(skipped.Message);
        }
    }

    [Fact]
    public async Task LightGbmRefusingTheData_SkipsTheCandidateWithTheError()
    {
        var (events, catalog) = CategoryStore(customers: 60);
        var trainer = Trainer(catalog, (_, _) => throw new ArgumentNullException("items"));
        await trainer.PrepareAsync();

        var skipped = Assert.Throws<CandidateSkippedException>(() => trainer.Train(events, "v1", T0));

        Assert.Contains("LambdaRank training failed: ArgumentNullException", skipped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gate_NeverChoosesASkippedCandidate()
    {
        var options = new TrainingOptions();
        var candidates = new List<CandidateResult>
        {
            new("ease+ltr", new Dictionary<string, double>()) { Skipped = "ease+ltr: LightGBM native library unavailable" },
            new("ease", new Dictionary<string, double> { ["ndcg@10"] = 0.2, ["users"] = 50 }),
        };

        var decision = Gate.Decide(candidates, servedAlgorithm: null, options);

        Assert.Equal("ease", decision.Chosen!.Algorithm);
    }

    private static ClickstreamEvent Consent(string customer) => new()
    {
        Id = $"consent-{customer}",
        Type = EventType.Consent,
        CustomerId = customer,
        Channel = "analytics",
        Granted = true,
        PolicyVersion = "2026-01",
        Source = "test",
        OccurredAt = T0.AddDays(-1),
    };
}
