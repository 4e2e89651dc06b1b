using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;
using Recommender.Models;

namespace Recommender.Domain.Tests.Recommendations;

/// <summary>User-user collaborative filtering (issue 15 item 5) served, gated and explained as "customers like you".</summary>
public class UserUserServingTests
{
    private const string Algorithm = "userknn-cosine";
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly UserScoringOptions ModelOnly = new() { ProfileWeight = 0, NewItemWeight = 0 };

    /// <summary>6 pairs: 8 customers each buy p{i} and q{i}.</summary>
    private static List<ClickstreamEvent> PairedEvents()
    {
        var events = new List<ClickstreamEvent>();
        var n = 0;
        for (var i = 0; i < 6; i++)
        {
            for (var c = 0; c < 8; c++)
            {
                foreach (var product in new[] { $"p{i:00}", $"q{i:00}" })
                {
                    events.Add(new ClickstreamEvent { Id = $"e{n}", Type = EventType.Purchase, CustomerId = $"buyer-{i}-{c}", ProductId = product, OccurredAt = T0.AddHours(n++) });
                }
            }
        }

        return events;
    }

    /// <summary>60 customers in three taste groups (g0, g1, g2), 8 views each of ten products of their group.</summary>
    private static List<ClickstreamEvent> GroupEvents()
    {
        var random = new Random(9);
        var events = new List<ClickstreamEvent>();
        for (var c = 0; c < 60; c++)
        {
            for (var v = 0; v < 8; v++)
            {
                events.Add(new ClickstreamEvent
                {
                    Id = $"e{c}-{v}", Type = EventType.View, CustomerId = $"c{c:D2}", ProductId = $"g{c % 3}-p{random.Next(10)}", OccurredAt = T0.AddHours(v).AddMinutes(c),
                });
            }
        }

        return events;
    }

    [Fact]
    public void HomeList_OfAUserUserModel_IsWhatSimilarCustomersBought_ExplainedByThem()
    {
        var events = PairedEvents();
        var model = new AlgorithmTrainer(Algorithm).Train(events, "v1", T0);
        var catalog = events.Select(e => e.ProductId!).Distinct().ToDictionary(id => id, id => new Product(id, $"Product {id}", "general", 10m));
        var profile = new CustomerProfile { CustomerId = "new-buyer", Purchased = new Dictionary<string, DateTimeOffset> { ["p03"] = T0.AddDays(40) } };

        var served = RecommendationEngine.ForCustomer(profile, model, catalog, 5, ModelOnly);

        Assert.Equal(UserScorer.UsersKind, model.Scorer!.Kind);
        // Everyone who bought p03 also bought q03: the new customer's neighbours all hold it.
        var first = served[0];
        Assert.Equal("q03", first.ProductId);
        Assert.Equal(RecommendationEngine.CustomersLikeYou, first.ReasonCode);
        Assert.Equal("Popular with customers like you", first.Reason);
        // Nothing else is held by a neighbour: the rest is popular filler, explained as such.
        Assert.All(served.Skip(1), i => Assert.Equal("popular", i.ReasonCode));
    }

    [Fact]
    public void ProductPages_OfAUserUserModel_KeepTheItemItemJaccardNeighbours()
    {
        var events = PairedEvents();

        var model = new AlgorithmTrainer(Algorithm).Train(events, "v1", T0);

        var jaccard = new JaccardItemTrainer().Train(events, "v1", T0);
        Assert.Equal(jaccard.Neighbors.Keys.Order(), model.Neighbors.Keys.Order());
        Assert.Equal(jaccard.NeighborsOf("p02"), model.NeighborsOf("p02"));
        Assert.Equal("q02", model.NeighborsOf("p02")[0].ProductId);
    }

    [Fact]
    public void TheGatesScorer_ListsWhatTheCacheRefreshServes_FromTheCustomersTasteGroup()
    {
        var split = HoldoutEvaluator.Split(GroupEvents());
        var model = new AlgorithmTrainer(Algorithm).Train(split.Train, "v1", T0);
        var scorer = new ServedHistoryScorer();

        var evaluation = HoldoutEvaluator.Evaluate(model, split, scorer);

        Assert.True(evaluation.Metrics["ndcg@10"] > 0.2, $"nDCG@10 {evaluation.Metrics["ndcg@10"]}");
        foreach (var history in split.Customers)
        {
            // The nearest customers are the customer's own group: every product they lend is of it.
            var group = history.Events[0].ProductId![..2];
            var gate = scorer.Recommend(model, history, 3);
            Assert.All(gate, p => Assert.StartsWith(group, p, StringComparison.Ordinal));
            var profile = new CustomerProfile
            {
                CustomerId = history.CustomerId,
                RecentViews = history.Events.Select(e => new RecentItem(e.ProductId!, e.OccurredAt)).ToList(),
            };
            var served = RecommendationEngine.ForCustomer(profile, model, new Dictionary<string, Product>(), 3, new ServingOptions().UserScoring);
            Assert.Equal(served.Select(i => i.ProductId), gate);
        }
    }

    [Theory]
    [InlineData("userknn-cosine")]
    [InlineData("userknn-jaccard")]
    public void TheTrainingWorkflow_TrainsAndTunesItAsACandidate(string algorithm)
    {
        Assert.Contains(algorithm, AlgorithmTrainer.Candidates);
        var trainer = new AlgorithmTrainer(algorithm);
        var split = HoldoutEvaluator.Split(GroupEvents());

        var (settings, record) = CandidateTuner.Tune(trainer, split.Train, new ServedHistoryScorer(), new TrainingOptions(), T0, TimeProvider.System);

        Assert.NotNull(trainer.Space);
        Assert.Equal(["neighbours", "halfLifeDays"], trainer.Space!.Parameters.Select(p => p.Name));
        Assert.NotNull(settings);
        Assert.True(record!.Trials.Count > 1);
    }
}
