using Recommender.Domain.Events;
using Recommender.Domain.Training;

namespace Recommender.Domain.Tests.Training;

public class AlgorithmTrainerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Two groups of customers, each touching only its own group's products.</summary>
    private static List<ClickstreamEvent> GroupedEvents()
    {
        var random = new Random(11);
        var events = new List<ClickstreamEvent>();
        for (var c = 0; c < 60; c++)
        {
            var group = c % 2 == 0 ? "a" : "b";
            for (var v = 0; v < 5; v++)
            {
                events.Add(new ClickstreamEvent
                {
                    Id = $"e{c}-{v}", Type = v == 4 ? EventType.AddToCart : EventType.View, CustomerId = $"c{c}",
                    ProductId = $"{group}{random.Next(8)}", OccurredAt = T0.AddMinutes(c * 10 + v),
                });
            }
        }

        return events;
    }

    [Theory]
    [InlineData("sar")]
    [InlineData("ease")]
    [InlineData("itemknn-cosine")]
    public void Train_ServesTheAlgorithmsItemToItemRelation(string algorithm)
    {
        var model = new AlgorithmTrainer(algorithm).Train(GroupedEvents(), "v1", T0);

        Assert.Equal(60, model.CustomerCount);
        Assert.NotEmpty(model.Popular);
        foreach (var (item, neighbors) in model.Neighbors)
        {
            Assert.DoesNotContain(neighbors, n => n.ProductId == item);
            Assert.All(neighbors, n => Assert.Equal(item[0], n.ProductId[0])); // never across groups
        }

        Assert.Equal(16, model.Neighbors.Count);
    }

    [Fact]
    public void Train_Als_ServesFactorNeighbours_OwnGroupFirst()
    {
        var model = new AlgorithmTrainer("als").Train(GroupedEvents(), "v1", T0);

        // Latent factors give small positive cosines across groups too (co-occurrence models give
        // none), but an item's own group always ranks above the other.
        Assert.Equal(60, model.CustomerCount);
        Assert.Equal(16, model.Neighbors.Count);
        foreach (var (item, neighbors) in model.Neighbors)
        {
            Assert.DoesNotContain(neighbors, n => n.ProductId == item);
            var own = neighbors.Select((n, rank) => (n, rank)).Where(p => p.n.ProductId[0] == item[0]).Select(p => p.rank).ToList();
            var other = neighbors.Select((n, rank) => (n, rank)).Where(p => p.n.ProductId[0] != item[0]).Select(p => p.rank).ToList();
            Assert.Equal(7, own.Count);
            Assert.True(other.Count == 0 || own.Max() < other.Min(), $"{item}: {string.Join(", ", neighbors.Select(n => n.ProductId))}");
        }
    }

    [Fact]
    public void Train_LeavesOutExcludedSubjects()
    {
        var events = GroupedEvents();
        events.Add(new ClickstreamEvent { Id = "x1", Type = EventType.View, CustomerId = "gone", ProductId = "a0", OccurredAt = T0 });
        events.Add(new ClickstreamEvent { Id = "x2", Type = EventType.View, CustomerId = "gone", ProductId = "zz", OccurredAt = T0 });

        var model = new AlgorithmTrainer("sar").Train(events, "v1", T0, new HashSet<string> { "gone" });

        Assert.False(model.Neighbors.ContainsKey("zz"));
        Assert.DoesNotContain(model.Popular, p => p.ProductId == "zz");
    }
}
