using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;
using Recommender.Models;
using Recommender.Models.Tuning;

namespace Recommender.Domain.Tests.Recommendations;

/// <summary>Home and email lists are the promoted model's own user scoring of the whole, recency-weighted history (issue 12).</summary>
public class UserScoringServingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly UserScoringOptions ModelOnly = new() { ProfileWeight = 0, NewItemWeight = 0 };

    /// <summary>
    /// 12 pairs: 8 other customers each buy p{i} and its partner q{i} together (plus some noise
    /// inside the pair's group), so q{i} relates to p{i} only.
    /// </summary>
    private static List<ClickstreamEvent> PairedEvents(int pairs = 12)
    {
        var events = new List<ClickstreamEvent>();
        var n = 0;
        for (var i = 0; i < pairs; i++)
        {
            for (var c = 0; c < 8; c++)
            {
                var customer = $"buyer-{i}-{c}";
                events.Add(Event(ref n, customer, $"p{i:00}", EventType.Purchase, T0.AddHours(n)));
                events.Add(Event(ref n, customer, $"q{i:00}", EventType.Purchase, T0.AddHours(n)));
            }
        }

        return events;
    }

    private static ClickstreamEvent Event(ref int n, string customer, string product, EventType type, DateTimeOffset at) =>
        new() { Id = $"e{n++}", Type = type, CustomerId = customer, ProductId = product, OccurredAt = at };

    private static Dictionary<string, Product> CatalogOf(IEnumerable<ClickstreamEvent> events, params Product[] more) =>
        events.Select(e => e.ProductId!).Distinct().Select(id => new Product(id, $"Product {id}", "general", 10m))
            .Concat(more).ToDictionary(p => p.Id);

    /// <summary>A customer who bought p00 … p11, one a day, p00 first (the oldest).</summary>
    private static CustomerProfile TwelvePurchases(int days = 1) => new()
    {
        CustomerId = "loyal",
        Purchased = Enumerable.Range(0, 12).ToDictionary(i => $"p{i:00}", i => T0.AddDays(30 + (i * days))),
    };

    [Theory]
    [InlineData("ease")]
    [InlineData("sar")]
    [InlineData("itemknn-cosine")]
    [InlineData("als")]
    public void HomeList_IsTheModelsUserScoringOfTheWholeWeightedHistory(string algorithm)
    {
        var events = PairedEvents();
        var model = new AlgorithmTrainer(algorithm).Train(events, "v1", T0);
        var profile = TwelvePurchases();

        var served = RecommendationEngine.ForCustomer(profile, model, CatalogOf(events), 12, ModelOnly);

        var history = UserScoring.Weigh(RecommendationEngine.HistoryOf(profile).Select(h => new HistoryEvent(h.ProductId, h.At, h.Weight)));
        var scored = UserScoring.Top(model.Scorer!, history, 12);
        Assert.NotNull(model.Scorer);
        Assert.Equal(scored.Select(s => s.Item), served.Take(scored.Count).Select(s => s.ProductId));
        // The partner of the OLDEST purchase is served: seeding by the 10 latest purchases never reached it.
        var oldest = Assert.Single(served, i => i.ProductId == "q00");
        Assert.Equal("purchased:p00", oldest.ReasonCode);
    }

    [Fact]
    public void HomeList_RanksWhatGoesWithRecentItemsAboveWhatGoesWithOldOnes()
    {
        var events = PairedEvents();
        var model = new AlgorithmTrainer("ease").Train(events, "v1", T0);
        var profile = TwelvePurchases(days: 10); // p11 bought 110 days after p00

        var served = RecommendationEngine.ForCustomer(profile, model, CatalogOf(events), 12, ModelOnly).Select(i => i.ProductId).ToList();

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"q{11 - i:00}"), served);
    }

    [Fact]
    public void Weigh_HalvesTheWeightPerHalfLifeBeforeTheLatestInteraction()
    {
        var weighted = UserScoring.Weigh(
            [new HistoryEvent("old", T0, 5), new HistoryEvent("new", T0.AddDays(30), 1), new HistoryEvent("old", T0.AddDays(30), 1)],
            TimeSpan.FromDays(30));

        Assert.Equal(["old", "new"], weighted.Select(w => w.Item));
        Assert.Equal(3.5, weighted[0].Weight, 9); // 5 × ½ + 1
        Assert.Equal(1.0, weighted[1].Weight, 9);
    }

    [Fact]
    public void Als_FoldsInABrandNewCustomerWithoutRetraining()
    {
        // Two groups of customers, each touching only its own group's products.
        var events = new List<ClickstreamEvent>();
        var random = new Random(11);
        var n = 0;
        for (var c = 0; c < 60; c++)
        {
            var group = c % 2 == 0 ? "a" : "b";
            for (var v = 0; v < 5; v++)
            {
                events.Add(Event(ref n, $"c{c}", $"{group}{random.Next(8)}", EventType.View, T0.AddMinutes(n)));
            }
        }

        var model = new AlgorithmTrainer("als").Train(events, "v1", T0);
        var newcomer = new CustomerProfile { CustomerId = "newcomer", RecentViews = [new RecentItem("b1", T0.AddDays(1)), new RecentItem("b2", T0.AddDays(1))] };

        var served = RecommendationEngine.ForCustomer(newcomer, model, CatalogOf(events), 6, ModelOnly);

        Assert.Equal(UserScorer.FactorsKind, model.Scorer!.Kind);
        Assert.DoesNotContain("newcomer", events.Select(e => e.CustomerId));
        Assert.Equal(6, served.Count);
        Assert.All(served, i => Assert.StartsWith("b", i.ProductId, StringComparison.Ordinal));
        Assert.All(served, i => Assert.NotEqual("popular", i.ReasonCode));
    }

    [Fact]
    public void DenseModel_CoversTheMostActiveItems_TheRestFallBackToNeighbours()
    {
        var events = PairedEvents();
        var n = events.Count;
        // A rarely bought pair: two customers buy "rare" with "rare-partner".
        events.Add(Event(ref n, "r1", "rare", EventType.Purchase, T0));
        events.Add(Event(ref n, "r1", "rare-partner", EventType.Purchase, T0));
        events.Add(Event(ref n, "r2", "rare", EventType.Purchase, T0));
        events.Add(Event(ref n, "r2", "rare-partner", EventType.Purchase, T0));
        var model = new AlgorithmTrainer("ease", new UserScoringOptions { MaxModelItems = 24 }).Train(events, "v1", T0);
        var profile = new CustomerProfile { CustomerId = "rare-buyer", Purchased = new() { ["rare"] = T0.AddDays(1), ["p00"] = T0.AddDays(1) } };

        var served = RecommendationEngine.ForCustomer(profile, model, CatalogOf(events), 5, ModelOnly);

        Assert.Equal(24, model.Scorer!.Items.Count);
        Assert.False(model.Scorer.Covers("rare"));
        Assert.Contains(model.Neighbors["rare"], s => s.ProductId == "rare-partner");
        Assert.Equal("purchased:rare", Assert.Single(served, i => i.ProductId == "rare-partner").ReasonCode);
        Assert.Equal("purchased:p00", Assert.Single(served, i => i.ProductId == "q00").ReasonCode);
    }

    [Fact]
    public void NewProduct_EntersTheListByCatalogAttributes_UntilItHasInteractions()
    {
        var events = PairedEvents();
        var catalog = CatalogOf(events, new Product("new-boot", "New Boot", "boots", 80m, Brand: "Acme"));
        catalog["p00"] = catalog["p00"] with { Category = "boots", Brand = "Acme", Price = 90m };
        var model = new AlgorithmTrainer("sar").Train(events, "v1", T0);
        var profile = new CustomerProfile { CustomerId = "boot-fan", Purchased = new() { ["p00"] = T0.AddDays(1) } };

        var served = RecommendationEngine.ForCustomer(profile, model, catalog, 5);

        var boot = Assert.Single(served, i => i.ProductId == "new-boot");
        Assert.Equal("content:p00", boot.ReasonCode);
        Assert.Equal("q00", served[0].ProductId); // what the model learned still leads
    }

    /// <summary>The paired catalog with boots, a hat and a scarf of two brands, and a sensitive boot that must never be served.</summary>
    private static Dictionary<string, Product> TasteCatalog(IEnumerable<ClickstreamEvent> events) => CatalogOf(events,
        new Product("boot-1", "Boot", "boots", 80m, Brand: "Acme"),
        new Product("boot-2", "Boot 2", "boots", 70m, Brand: "Other"),
        new Product("hat", "Hat", "hats", 20m, Brand: "Acme"),
        new Product("scarf", "Scarf", "scarves", 20m, Brand: "Other"),
        new Product("sensitive-boot", "Orthopaedic Boot", "boots", 80m, Brand: "Acme") { Sensitive = true });

    [Fact]
    public void InferredTastesOnly_GetContentResultsInThoseCategoriesAndBrands()
    {
        var events = PairedEvents();
        var catalog = TasteCatalog(events);
        var model = new AlgorithmTrainer("ease").Train(events, "v1", T0);
        var profile = new CustomerProfile
        {
            CustomerId = "stated",
            CategoryAffinities = new() { ["boots"] = 1.0 },
            BrandAffinities = new() { ["acme"] = 1.0 }, // kept lower-cased, as ProfileUpdater keeps them; the catalog says "Acme"
        };

        var served = RecommendationEngine.ForCustomer(profile, model, catalog, 3);

        Assert.Equal(["boot-1", "boot-2", "hat"], served.Select(i => i.ProductId));
        Assert.All(served, i => Assert.Equal("interests", i.ReasonCode));
    }

    [Fact]
    public void WhatTheCustomerSaidTheyLike_CountsAsMuchAsTheStrongestInferredTaste_AndAloneGivesContentResults()
    {
        var events = PairedEvents();
        var catalog = TasteCatalog(events);
        var model = new AlgorithmTrainer("ease").Train(events, "v1", T0);
        var statedOnly = new CustomerProfile { CustomerId = "stated", StatedCategories = ["boots"], StatedBrands = ["Acme"] };

        var served = RecommendationEngine.ForCustomer(statedOnly, model, catalog, 3);

        Assert.Equal(["boot-1", "boot-2", "hat"], served.Select(i => i.ProductId));
        Assert.All(served, i => Assert.Equal("interests", i.ReasonCode));

        // Inferred scarves (3.0) and stated boots: the stated category is lifted to 3.0, level with the strongest.
        var both = new CustomerProfile { CustomerId = "both", CategoryAffinities = new() { ["scarves"] = 3.0, ["hats"] = 1.0 }, StatedCategories = ["boots"] };
        var signal = ProfileSignal.Of(both);
        Assert.Equal(3.0, signal.Categories["boots"]);
        Assert.Equal(1.0, signal.Categories["hats"]);
        Assert.Equal(2, both.CategoryAffinities.Count); // the inferred affinities themselves are untouched
        var ranked = RecommendationEngine.ForCustomer(both, model, catalog, 3).Select(i => i.ProductId).ToList();
        Assert.Equal(["boot-1", "boot-2", "scarf"], ranked);
    }

    [Fact]
    public void SensitiveHistory_NeverSeedsTheUserScoring()
    {
        var events = PairedEvents();
        var catalog = CatalogOf(events);
        catalog["p00"] = catalog["p00"] with { Sensitive = true };
        var model = new AlgorithmTrainer("ease").Train(events, "v1", T0);
        var profile = new CustomerProfile { CustomerId = "c", Purchased = new() { ["p00"] = T0.AddDays(2), ["p01"] = T0.AddDays(1) } };

        var served = RecommendationEngine.ForCustomer(profile, model, catalog, 10, ModelOnly);

        Assert.DoesNotContain(served, i => i.ReasonCode.EndsWith(":p00", StringComparison.Ordinal));
        Assert.Equal("q01", served[0].ProductId);
    }

    [Fact]
    public void ModelStore_RoundTripsTheUserScoring()
    {
        var model = new AlgorithmTrainer("als").Train(PairedEvents(), "v1", T0);

        var copy = Json.FromUtf8<ItemSimilarityModel>(Json.ToUtf8(model));

        var history = new[] { new HistoryItem("p03", 5) };
        Assert.Equal(UserScoring.Top(model.Scorer!, history, 5), UserScoring.Top(copy.Scorer!, history, 5));
    }

    [Fact]
    public void RelaxedAndNormalisedEase_ServesTheWeightsOfItsClosedForm()
    {
        // Tuned settings with the relaxed diagonal (DLAE at 1) and the popularity normalisation reach the served
        // scorer: its rows are the Models' weights for the same interactions, and they differ from plain EASE's.
        var events = PairedEvents();
        events.Add(new ClickstreamEvent { Id = "x1", Type = EventType.Purchase, CustomerId = "buyer-0-0", ProductId = "p01", OccurredAt = T0.AddHours(500) });
        events.Add(new ClickstreamEvent { Id = "x2", Type = EventType.Purchase, CustomerId = "buyer-1-0", ProductId = "p00", OccurredAt = T0.AddHours(501) });
        var settings = new Dictionary<string, double> { ["lambda"] = 2, ["dropout"] = 0.33, ["relax"] = 1, ["normalize"] = 0.3 };
        var model = new AlgorithmTrainer("ease").TrainWith(events, "v1", T0, settings);
        var plain = new AlgorithmTrainer("ease").TrainWith(events, "v1", T0, new Dictionary<string, double> { ["lambda"] = 2, ["dropout"] = 0.33 });

        var signals = TrainingSignals.Of(events, EventWeights.Default);
        var reference = SearchSpace.For("ease").Create(settings);
        reference.Fit(signals.Interactions.Select(i => new Interaction(i.Subject, i.ProductId, i.At, i.Weight)).ToList(), new TrainingContext());
        var served = UserScoring.Score(model.Scorer!, [new HistoryItem("p00", 1.0)]);
        var before = UserScoring.Score(plain.Scorer!, [new HistoryItem("p00", 1.0)]);
        var exported = ((IUserScorable)reference).ExportScorer(rowWidth: 100);
        var expected = UserScoring.Score(exported, [new HistoryItem("p00", 1.0)]);
        Assert.Equal(exported.Index.Count, model.Scorer!.Index.Count);
        foreach (var (item, index) in model.Scorer.Index)
        {
            Assert.Equal(expected[exported.Index[item]], served[index], 9);
        }

        Assert.NotEqual(before[plain.Scorer!.Index["q00"]], served[model.Scorer.Index["q00"]], 6);
    }

    [Theory]
    [InlineData("ease")]
    [InlineData("sar")]
    [InlineData("als")]
    [InlineData("sequential")]
    [InlineData("sequential", 0.3)]
    public void TheGatesScorer_ListsWhatTheCacheRefreshServesForTheSameHistory(string algorithm, double historyShare = 0)
    {
        // The training gate must judge what is served: its scorer over a customer's events equals the
        // served user scoring over the profile those events build (the old neighbour-sum rule did not).
        // Sequential rules with a history share score two weightings (whole history by age, the latest by position).
        var events = PairedEvents();
        var model = historyShare > 0
            ? new AlgorithmTrainer(algorithm).TrainWith(events, "v1", T0, new Dictionary<string, double> { ["history"] = historyShare })
            : new AlgorithmTrainer(algorithm).Train(events, "v1", T0);
        Assert.Equal(historyShare > 0, model.Scorer!.HistoryRows is not null);
        var profile = TwelvePurchases();
        var history = new CustomerHistory("loyal", profile.Purchased
            .OrderByDescending(p => p.Value)
            .Select((p, n) => new ClickstreamEvent { Id = $"h{n}", Type = EventType.Purchase, CustomerId = "loyal", ProductId = p.Key, OccurredAt = p.Value })
            .ToList());
        var options = new ServingOptions();

        var gate = new ServedHistoryScorer(Microsoft.Extensions.Options.Options.Create(options), EventWeights.Default).Recommend(model, history, 10);
        var served = RecommendationEngine.ForCustomer(profile, model, new Dictionary<string, Product>(), 10, options.UserScoring);

        Assert.Equal(10, gate.Count);
        Assert.Equal(served.Select(i => i.ProductId), gate);
        Assert.DoesNotContain(gate, profile.Purchased.ContainsKey);
    }

    [Fact]
    public void SequentialRules_ServeWhatFollowsTheLatestPurchases_TellingEqualTimesApartByOrder_InTheCacheAndTheGateAlike()
    {
        // Every buyer takes p{i}, then q{i}; the customer bought p00 … p11 in that order, all in the same second.
        var events = PairedEvents();
        var model = new AlgorithmTrainer("sequential").Train(events, "v1", T0);
        var profile = new CustomerProfile
        {
            CustomerId = "batch",
            Purchased = Enumerable.Range(0, 12).ToDictionary(i => $"p{i:00}", _ => T0.AddDays(30)),
        };
        // The archive as the gate holds it: newest first, so between equal times the last bought comes first.
        var history = new CustomerHistory("batch", Enumerable.Range(0, 12).Reverse()
            .Select(i => new ClickstreamEvent { Id = $"h{i}", Type = EventType.Purchase, CustomerId = "batch", ProductId = $"p{i:00}", OccurredAt = T0.AddDays(30) })
            .ToList());
        var options = new ServingOptions();

        var served = RecommendationEngine.ForCustomer(profile, model, CatalogOf(events), 10, ModelOnly);
        var gate = new ServedHistoryScorer(Microsoft.Extensions.Options.Options.Create(options), EventWeights.Default).Recommend(model, history, 10);

        Assert.Equal(UserScorer.ItemWeights, model.Scorer!.Kind);
        Assert.Equal(20, model.Scorer.Recent);
        // What follows the last purchase first, then what follows the one before, and so on.
        Assert.Equal(Enumerable.Range(2, 10).Reverse().Select(i => $"q{i:00}"), served.Select(i => i.ProductId));
        Assert.Equal("purchased:p11", served[0].ReasonCode);
        Assert.Equal(served.Select(i => i.ProductId), gate);
    }

    [Fact]
    public void SequentialRules_TakeTheFirstOfTheProfilesViews_NewestFirst_AsTheLatest_BetweenEqualTimes()
    {
        var events = PairedEvents();
        var model = new AlgorithmTrainer("sequential").Train(events, "v1", T0);
        // The profile keeps views newest first: p07 was viewed after p03, in the same second.
        var profile = new CustomerProfile { CustomerId = "browser", RecentViews = [new RecentItem("p07", T0.AddDays(30)), new RecentItem("p03", T0.AddDays(30))] };

        var served = RecommendationEngine.ForCustomer(profile, model, CatalogOf(events), 2, ModelOnly, viewedExcluded: _ => true);

        Assert.Equal(["q07", "q03"], served.Select(i => i.ProductId).ToArray());
    }

    [Fact]
    public void TheGatesHistorySignals_AreOldestFirst_AsAProfileListsPurchases()
    {
        var events = new[] { "c", "b", "a" }.Select((p, n) => new ClickstreamEvent
        {
            Id = $"h{n}", Type = EventType.Purchase, CustomerId = "x", ProductId = p, OccurredAt = T0.AddHours(-n),
        }).ToList();

        Assert.Equal(["a", "b", "c"], ServedHistoryScorer.SignalsOf(events, EventWeights.Default).Select(s => s.ProductId).ToArray());
    }
}
