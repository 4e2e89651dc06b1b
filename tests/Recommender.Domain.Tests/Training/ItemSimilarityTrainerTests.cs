using Recommender.Domain.Events;
using Recommender.Domain.Training;

namespace Recommender.Domain.Tests.Training;

public class ItemSimilarityTrainerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static int _sequence;

    private static ClickstreamEvent View(string customer, string product, DateTimeOffset? at = null) => new()
    {
        Id = $"e{Interlocked.Increment(ref _sequence)}", Type = EventType.View, CustomerId = customer, ProductId = product, OccurredAt = at ?? T0,
    };

    [Fact]
    public void Train_SimilarityIsTheJaccardIndexOfCustomerSets()
    {
        // A: c1 c2 c3; B: c1 c2; C: c3 c4. J(A,B) = 2/3, J(A,C) = 1/4, J(B,C) = 0 (no pair).
        var events = new[]
        {
            View("c1", "A"), View("c1", "B"),
            View("c2", "A"), View("c2", "B"),
            View("c3", "A"), View("c3", "C"),
            View("c4", "C"),
        };

        var model = ItemSimilarityTrainer.Train(events, "v1", T0);

        Assert.Equal(["B", "C"], model.NeighborsOf("A").Select(n => n.ProductId));
        Assert.Equal(Math.Round(2.0 / 3, 6), model.NeighborsOf("A")[0].Score);
        Assert.Equal(0.25, model.NeighborsOf("A")[1].Score);
        Assert.DoesNotContain(model.NeighborsOf("B"), n => n.ProductId == "C");
        Assert.Equal(4, model.CustomerCount);
    }

    [Fact]
    public void Train_RepeatedInteractionsOfOneCustomer_CountOnce()
    {
        var model = ItemSimilarityTrainer.Train([View("c1", "A"), View("c1", "A"), View("c1", "B")], "v1", T0);

        Assert.Equal(1.0, model.NeighborsOf("A").Single().Score);
    }

    [Fact]
    public void Train_PopularityFavoursRecentCustomers()
    {
        var events = new[] { View("c1", "old", T0), View("c2", "new", T0.AddDays(30)) };

        var model = ItemSimilarityTrainer.Train(events, "v1", T0);

        Assert.Equal("new", model.Popular[0].ProductId);
        Assert.Equal(1.0, model.Popular[0].Score);
        Assert.Equal(0.5, model.Popular[1].Score);
    }

    [Fact]
    public void Train_ExcludedCustomers_LeaveNoTrace()
    {
        var events = new[] { View("c1", "A"), View("c1", "B"), View("gone", "A"), View("gone", "Z") };

        var model = ItemSimilarityTrainer.Train(events, "v1", T0, new HashSet<string> { "gone" });

        Assert.False(model.Neighbors.ContainsKey("Z"));
        Assert.DoesNotContain(model.Popular, p => p.ProductId == "Z");
        Assert.Equal(1, model.CustomerCount);
    }

    [Fact]
    public void Train_IsDeterministic()
    {
        var random = new Random(3);
        var events = Enumerable.Range(0, 2000).Select(_ => View($"c{random.Next(100)}", $"p{random.Next(40)}")).ToList();

        var first = System.Text.Json.JsonSerializer.Serialize(ItemSimilarityTrainer.Train(events, "v", T0), Json.Options);
        var second = System.Text.Json.JsonSerializer.Serialize(ItemSimilarityTrainer.Train(events.AsEnumerable().Reverse(), "v", T0), Json.Options);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Train_IgnoresRecordsRetainedAfterAnErasure()
    {
        var retained = new ClickstreamEvent
        {
            Id = "kept", Type = EventType.Purchase, CustomerId = "erased:abc", OrderId = "o1", OccurredAt = T0,
            Lines = [new OrderLine("A", 1, 1m), new OrderLine("Z", 1, 1m)],
        };

        var model = ItemSimilarityTrainer.Train([View("c1", "A"), View("c1", "B"), retained], "v1", T0);

        Assert.False(model.Neighbors.ContainsKey("Z"));
        Assert.Equal(1, model.CustomerCount);
    }

    [Fact]
    public void TrainOnce_ComputesOncePerList_LabelsEachCall_AndTrainsAgainWhenAnInputChanges()
    {
        var events = new List<ClickstreamEvent> { View("c1", "A"), View("c1", "B"), View("c2", "A"), View("c2", "B"), View("c3", "A"), View("c3", "C") };
        var weights = new EventWeights();

        var first = ItemSimilarityTrainer.TrainOnce(events, "trial-1", T0, null, weights);
        var second = ItemSimilarityTrainer.TrainOnce(events, "trial-2", T0.AddMinutes(1), null, weights);

        // One computation, two labels; and the same as training afresh.
        Assert.Same(first.Neighbors, second.Neighbors);
        Assert.Same(first.Popular, second.Popular);
        Assert.Equal(("trial-2", T0.AddMinutes(1)), (second.Version, second.TrainedAt));
        Assert.Equal("trial-1", first.Version);
        var fresh = ItemSimilarityTrainer.Train(events, "fresh", T0, null, weights);
        Assert.Equal(fresh.Neighbors.ToDictionary(kv => kv.Key, kv => kv.Value.ToList()), second.Neighbors.ToDictionary(kv => kv.Key, kv => kv.Value.ToList()));
        Assert.Equal(fresh.Popular, second.Popular);

        // Weights with the same values are the same weights.
        Assert.Same(first.Neighbors, ItemSimilarityTrainer.TrainOnce(events, "same values", T0, null, new EventWeights()).Neighbors);

        // Another list (even with the same events), other exclusions or other weights: trained again.
        Assert.NotSame(first.Neighbors, ItemSimilarityTrainer.TrainOnce(events.ToList(), "copy", T0, null, weights).Neighbors);
        var excluding = ItemSimilarityTrainer.TrainOnce(events, "erasure", T0, new HashSet<string> { "c3" }, weights);
        Assert.Empty(excluding.NeighborsOf("C"));
        Assert.NotSame(first.Neighbors, ItemSimilarityTrainer.TrainOnce(events, "weights", T0, null, new EventWeights { View = 2 }).Neighbors);

        // The list grew: what it holds now is trained.
        events.Add(View("c4", "C"));
        events.Add(View("c4", "B"));
        var grown = ItemSimilarityTrainer.TrainOnce(events, "grown", T0, null, weights);
        Assert.NotSame(first.Neighbors, grown.Neighbors);
        Assert.Contains(grown.NeighborsOf("B"), n => n.ProductId == "C");
        Assert.DoesNotContain(first.NeighborsOf("B"), n => n.ProductId == "C");
    }
}
