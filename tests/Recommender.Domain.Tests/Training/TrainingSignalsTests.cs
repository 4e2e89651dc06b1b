using Recommender.Domain.Events;
using Recommender.Domain.Training;

namespace Recommender.Domain.Tests.Training;

/// <summary>Negative signals in training: every trainer reads the weights table through <see cref="TrainingSignals"/>.</summary>
public class TrainingSignalsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static ClickstreamEvent Event(string id, EventType type, string customer, string product, int minutes, int? rating = null) =>
        new() { Id = id, Type = type, CustomerId = customer, ProductId = product, OccurredAt = T0.AddMinutes(minutes), Rating = rating };

    [Fact]
    public void ADislikeOutweighingTheInterest_RemovesThePair_AWeakerOneScalesItDown()
    {
        var events = new[]
        {
            Event("1", EventType.View, "c1", "A", 0), Event("2", EventType.NotInterested, "c1", "A", 1),  // 1 − 5 ≤ 0: gone
            Event("3", EventType.Purchase, "c1", "B", 2) with { ProductId = null, Lines = [new OrderLine("B", 1, 10m)] },
            Event("4", EventType.ReviewWrite, "c1", "B", 3, rating: 2),                                     // 5 − 3 = 2: 2/5 of the weight
            Event("5", EventType.View, "c2", "A", 4),
        };

        var signals = TrainingSignals.Of(events, EventWeights.Default);

        Assert.DoesNotContain(signals.Interactions, i => i.Subject == "c1" && i.ProductId == "A");
        Assert.Equal(2, signals.Interactions.Single(i => i.Subject == "c1" && i.ProductId == "B").Weight, 6);
        Assert.Equal(1, signals.Interactions.Single(i => i.Subject == "c2").Weight, 6);
    }

    [Fact]
    public void RepeatPurchases_WeighTheirOwnWeight_AndJaccardDropsDislikedPairs()
    {
        var weights = new EventWeights { RepeatPurchase = 1 };
        var buy = (string id, int minutes) => Event(id, EventType.Purchase, "c1", "X", minutes) with { ProductId = null, Lines = [new OrderLine("X", 1, 10m)] };

        var signals = TrainingSignals.Of([buy("2", 20), buy("1", 10)], weights);
        Assert.Equal([5.0, 1.0], signals.Interactions.OrderBy(i => i.At).Select(i => i.Weight));

        var events = new[]
        {
            Event("a", EventType.View, "c1", "A", 0), Event("b", EventType.View, "c1", "B", 1), Event("n", EventType.NotInterested, "c1", "B", 2),
            Event("c", EventType.View, "c2", "A", 3), Event("d", EventType.View, "c2", "C", 4),
        };
        var model = ItemSimilarityTrainer.Train(events, "v1", T0, weights: EventWeights.Default);
        Assert.DoesNotContain(model.NeighborsOf("A"), n => n.ProductId == "B");
        Assert.Contains(model.NeighborsOf("A"), n => n.ProductId == "C");
        Assert.Equal(EventWeights.Default.ToTable(), model.EventWeights);
    }
}
