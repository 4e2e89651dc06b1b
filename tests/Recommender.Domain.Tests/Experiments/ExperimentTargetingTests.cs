using Recommender.Domain.Experiments;

namespace Recommender.Domain.Tests.Experiments;

public class ExperimentTargetingTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static ExperimentDraft Draft(params string?[]? segments) => new()
    {
        Placement = "home",
        Variants = [new() { Name = "control", Weight = 1 }, new() { Name = "treatment", Weight = 1 }],
        StartsAt = Start,
        EndsAt = Start.AddDays(7),
        Segments = segments,
    };

    [Fact]
    public void Segments_AreKeptOnceEach_AndNoneOrEmptyMeansEveryone()
    {
        var (targeted, errors) = Draft("vip", "category-enthusiast:shoes", "vip").Validate("e1");
        Assert.Empty(errors);
        Assert.Equal(["vip", "category-enthusiast:shoes"], targeted!.Segments);
        Assert.True(targeted.IsTargeted);

        Assert.False(Draft(null).Validate("e1").Definition!.IsTargeted);
        Assert.Null(Draft([]).Validate("e1").Definition!.Segments);
    }

    [Theory]
    [InlineData("gold")]
    [InlineData("category-enthusiast")]
    [InlineData("brand-loyalist:")]
    [InlineData("")]
    [InlineData(null)]
    public void ASegmentThatIsNoSegment_IsAnErrorOnItsIndex(string? bad)
    {
        var (definition, errors) = Draft("vip", bad).Validate("e1");

        Assert.Null(definition);
        Assert.Equal(["segments[1]"], errors.Keys);
    }

    [Fact]
    public void MoreThanTwentySegments_AreRefused()
    {
        var (_, errors) = Draft([.. Enumerable.Range(0, 21).Select(i => $"brand-loyalist:b{i}")]).Validate("e1");
        Assert.Contains("segments", errors.Keys);
    }

    [Fact]
    public void Targets_AnyOfItsSegments_AndEveryoneWhenNotTargeted()
    {
        var targeted = Draft("vip", "at-risk").Validate("e1").Definition!;
        Assert.True(targeted.Targets(["active", "at-risk"]));
        Assert.False(targeted.Targets(["active", "dormant"]));
        Assert.False(targeted.Targets([]));
        Assert.True(Draft(null).Validate("e1").Definition!.Targets([]));
    }
}
