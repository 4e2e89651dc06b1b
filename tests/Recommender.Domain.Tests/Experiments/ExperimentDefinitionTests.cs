using Recommender.Domain.Experiments;

namespace Recommender.Domain.Tests.Experiments;

public class ExperimentDefinitionTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static ExperimentDraft Valid() => new()
    {
        Placement = "home",
        Variants = [new() { Name = "control", Weight = 50 }, new() { Name = "treatment", Weight = 50 }],
        StartsAt = Start,
        EndsAt = Start.AddDays(14),
    };

    [Fact]
    public void Validate_ValidDraft_GivesTheDefinitionInUtc()
    {
        var (definition, errors) = (Valid() with { StartsAt = new DateTimeOffset(2026, 5, 1, 2, 0, 0, TimeSpan.FromHours(2)) }).Validate("exp-1");

        Assert.Empty(errors);
        Assert.Equal("exp-1", definition!.Id);
        Assert.Equal(Start, definition.StartsAt);
        Assert.Equal(TimeSpan.Zero, definition.StartsAt.Offset);
        Assert.Equal("control", definition.Control);
    }

    public static TheoryData<ExperimentDraft, string, string> Invalid() => new()
    {
        { Valid() with { Placement = null }, "exp-1", "placement" },
        { Valid() with { Placement = "home page" }, "exp-1", "placement" },
        { Valid() with { Variants = [new() { Name = "only", Weight = 1 }] }, "exp-1", "variants" },
        { Valid() with { Variants = null }, "exp-1", "variants" },
        { Valid() with { Variants = [new() { Name = "a", Weight = 1 }, new() { Name = "A", Weight = 1 }] }, "exp-1", "variants[1].name" },
        { Valid() with { Variants = [new() { Name = "a", Weight = 1 }, new() { Name = "b", Weight = 0 }] }, "exp-1", "variants[1].weight" },
        { Valid() with { Variants = [new() { Weight = 1 }, new() { Name = "b", Weight = 1 }] }, "exp-1", "variants[0].name" },
        { Valid() with { Variants = [new() { Name = "a", Weight = 1 }, null] }, "exp-1", "variants[1].name" },
        { Valid() with { EndsAt = Start }, "exp-1", "endsAt" },
        { Valid() with { StartsAt = null }, "exp-1", "startsAt" },
        { Valid() with { Description = new string('x', 501) }, "exp-1", "description" },
        { Valid(), "exp 1", "id" },
        { Valid(), "exp-users", "id" },
        { Valid() with { Id = "other" }, "exp-1", "id" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_InvalidDraft_NamesTheField(ExperimentDraft draft, string id, string field)
    {
        var (definition, errors) = draft.Validate(id);

        Assert.Null(definition);
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void Overlaps_OnlyOnTheSamePlacementAtTheSameTime()
    {
        var a = Valid().Validate("a").Definition!;
        Assert.True(a.Overlaps(a with { Id = "b", StartsAt = Start.AddDays(13) }));
        Assert.False(a.Overlaps(a with { Id = "b", StartsAt = a.EndsAt, EndsAt = a.EndsAt.AddDays(1) }));
        Assert.False(a.Overlaps(a with { Id = "b", Placement = "cart" }));
    }
}
