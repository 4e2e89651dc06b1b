using Recommender.Domain.Experiments;

namespace Recommender.Domain.Tests.Experiments;

public class ExperimentAssignerTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static ExperimentDefinition Experiment(string id = "home-ranker", string placement = "home", params (string Name, double Weight)[] variants) => new()
    {
        Id = id,
        Placement = placement,
        Variants = [.. (variants.Length == 0 ? [("control", 1.0), ("treatment", 1.0)] : variants).Select(v => new ExperimentVariant(v.Name, v.Weight))],
        StartsAt = Start,
        EndsAt = Start.AddDays(14),
    };

    [Fact]
    public void Assign_SameSubject_AlwaysGetsTheSameVariant()
    {
        var experiment = Experiment();
        var now = Start.AddDays(1);
        for (var i = 0; i < 200; i++)
        {
            var subject = $"customer-{i}";
            var first = ExperimentAssigner.Assign(experiment, subject, now);
            Assert.NotNull(first);
            Assert.Equal(first, ExperimentAssigner.Assign(experiment, subject, now.AddDays(3)));
            Assert.Equal(first, ExperimentAssigner.Assign(experiment with { Description = "changed text" }, subject, now));
        }
    }

    [Theory]
    [InlineData(1.0, 1.0, 0.0)]
    [InlineData(70.0, 20.0, 10.0)]
    [InlineData(0.9, 0.1, 0.0)]
    public void Assign_OverTenThousandSubjects_FollowsTheWeights(double a, double b, double c)
    {
        (string, double)[] variants = c > 0 ? [("a", a), ("b", b), ("c", c)] : [("a", a), ("b", b)];
        var experiment = Experiment(variants: variants);
        var counts = Enumerable.Range(0, 10_000)
            .Select(i => ExperimentAssigner.Assign(experiment, i % 2 == 0 ? $"customer-{i:D5}" : $"anon:visitor-{i}", Start)!)
            .CountBy(v => v).ToDictionary();
        var total = variants.Sum(v => v.Item2);
        foreach (var (name, weight) in variants)
        {
            Assert.InRange(counts.GetValueOrDefault(name) / 10_000.0, (weight / total) - 0.015, (weight / total) + 0.015);
        }
    }

    [Fact]
    public void Assign_DifferentExperiments_SplitIndependently()
    {
        var first = Experiment("exp-1");
        var second = Experiment("exp-2");
        var same = Enumerable.Range(0, 10_000).Count(i => ExperimentAssigner.VariantOf(first, $"c-{i}") == ExperimentAssigner.VariantOf(second, $"c-{i}"));
        Assert.InRange(same, 4_700, 5_300);
    }

    [Fact]
    public void Assign_OutsideTheWindow_GivesNoVariant()
    {
        var experiment = Experiment();
        Assert.Null(ExperimentAssigner.Assign(experiment, "c1", Start.AddTicks(-1)));
        Assert.NotNull(ExperimentAssigner.Assign(experiment, "c1", Start));
        Assert.NotNull(ExperimentAssigner.Assign(experiment, "c1", experiment.EndsAt.AddTicks(-1)));
        Assert.Null(ExperimentAssigner.Assign(experiment, "c1", experiment.EndsAt));
    }

    [Fact]
    public void GetActiveForPlacement_KeepsRunningExperimentsOfThatPlacement()
    {
        var home = Experiment("home-1");
        var cart = Experiment("cart-1", "cart");
        var later = Experiment("home-2") with { StartsAt = Start.AddDays(20), EndsAt = Start.AddDays(30) };

        Assert.Equal(["home-1"], ExperimentAssigner.GetActiveForPlacement([home, cart, later], "home", Start.AddDays(1)).Select(e => e.Id));
        Assert.Equal(["home-2"], ExperimentAssigner.GetActiveForPlacement([home, cart, later], "home", Start.AddDays(21)).Select(e => e.Id));
        Assert.Empty(ExperimentAssigner.GetActiveForPlacement([home, cart, later], "product", Start.AddDays(1)));
    }
}
