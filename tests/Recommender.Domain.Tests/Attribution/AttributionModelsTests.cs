using Recommender.Domain.Attribution;

namespace Recommender.Domain.Tests.Attribution;

/// <summary>The three models on hand-built journeys, with the exact split each must give.</summary>
public class AttributionModelsTests
{
    private static readonly DateTimeOffset PurchaseAt = new(2026, 5, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly AttributionBucket Home = new(AttributionChannels.Recommendation, "home", "B");
    private static readonly AttributionBucket Spring = new(AttributionChannels.Email, "spring", AttributionBucket.NotSet);

    private static Touchpoint Touch(string id, TouchKind kind, AttributionBucket bucket, TimeSpan before) => new()
    {
        EventId = id,
        At = PurchaseAt - before,
        Kind = kind,
        Channel = bucket.Channel,
        Source = bucket.Source,
        Variant = bucket.Variant,
    };

    /// <summary>Impression 24 h before (the edge of the 1-day view window), email click 12 h before, then a purchase of 90.</summary>
    private static List<Touchpoint> Journey() =>
    [
        Touch("too-old-impression", TouchKind.View, new AttributionBucket(AttributionChannels.Recommendation, "cart", AttributionBucket.NotSet), TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1)),
        Touch("impression", TouchKind.View, Home, TimeSpan.FromHours(24)),
        Touch("email-click", TouchKind.Click, Spring, TimeSpan.FromHours(12)),
        Touch("click-after-purchase", TouchKind.Click, Home, -TimeSpan.FromMinutes(1)),
    ];

    [Fact]
    public void Split_ImpressionThenEmailClickThenPurchase_GivesEachModelItsExactShares()
    {
        var options = new AttributionOptions { TimeDecayHalfLife = TimeSpan.FromHours(12) };

        var split = AttributionModels.Split(90m, PurchaseAt, Journey(), options);

        Assert.Equal(["impression", "email-click"], split.Eligible.Select(t => t.EventId));
        Assert.Equal(new Dictionary<AttributionBucket, decimal> { [Spring] = 90m }, split.ByModel[AttributionModel.LastTouch]);
        Assert.Equal(new Dictionary<AttributionBucket, decimal> { [Home] = 45m, [Spring] = 45m }, split.ByModel[AttributionModel.Linear]);
        // Ages 24 h and 12 h with a 12 h half-life: weights 1/4 and 1/2, so one third and two thirds.
        Assert.Equal(new Dictionary<AttributionBucket, decimal> { [Home] = 30m, [Spring] = 60m }, split.ByModel[AttributionModel.TimeDecay]);
        Assert.Equal(Spring, split.LastTouchBucket);
    }

    [Fact]
    public void Split_WithTheDefaultHalfLifeOfADay_WeighsTheImpressionByTwoToTheMinusOne()
    {
        var split = AttributionModels.Split(90m, PurchaseAt, Journey(), new AttributionOptions());

        // Weights 2^-1 = 0.5 and 2^-0.5 = 0.70711: 90 × 0.5 / 1.20711 = 37.279 → 37.28, the rest 52.72.
        Assert.Equal(new Dictionary<AttributionBucket, decimal> { [Home] = 37.28m, [Spring] = 52.72m }, split.ByModel[AttributionModel.TimeDecay]);
    }

    [Fact]
    public void Split_ViewWindowOfTwoDays_TakesTheOlderImpressionToo()
    {
        var split = AttributionModels.Split(90m, PurchaseAt, Journey(), new AttributionOptions { ViewWindow = TimeSpan.FromDays(2) });

        Assert.Equal(["too-old-impression", "impression", "email-click"], split.Eligible.Select(t => t.EventId));
        Assert.Equal(30m, split.ByModel[AttributionModel.Linear][Spring]);
    }

    [Fact]
    public void Split_ClickOlderThanTheClickWindow_IsNotEligible()
    {
        var journey = new List<Touchpoint> { Touch("old-click", TouchKind.Click, Home, TimeSpan.FromDays(7) + TimeSpan.FromTicks(1)) };

        var split = AttributionModels.Split(10m, PurchaseAt, journey, new AttributionOptions());

        Assert.False(split.IsAttributed);
        Assert.All(AttributionSplit.Models, m => Assert.Equal(new Dictionary<AttributionBucket, decimal> { [AttributionBucket.Unattributed] = 10m }, split.ByModel[m]));
    }

    [Fact]
    public void Split_ThreeTouches_RoundsToCentsAndEveryModelAddsUpToTheAmountExactly()
    {
        var journey = new List<Touchpoint>
        {
            Touch("a", TouchKind.View, new AttributionBucket(AttributionChannels.Recommendation, "home", AttributionBucket.NotSet), TimeSpan.FromHours(20)),
            Touch("b", TouchKind.View, new AttributionBucket(AttributionChannels.Recommendation, "product", AttributionBucket.NotSet), TimeSpan.FromHours(10)),
            Touch("c", TouchKind.Click, new AttributionBucket(AttributionChannels.Push, "sale", AttributionBucket.NotSet), TimeSpan.FromHours(1)),
        };

        var split = AttributionModels.Split(100m, PurchaseAt, journey, new AttributionOptions());

        Assert.Equal([33.33m, 33.33m, 33.34m], split.ByModel[AttributionModel.Linear].Values);
        Assert.All(AttributionSplit.Models, m => Assert.Equal(100m, split.ByModel[m].Values.Sum()));
    }

    [Fact]
    public void Split_AViewAndAClickAtTheSameInstant_CreditsTheClickAsLastTouch()
    {
        var journey = new List<Touchpoint> { Touch("z-click", TouchKind.Click, Spring, TimeSpan.FromHours(1)), Touch("a-view", TouchKind.View, Home, TimeSpan.FromHours(1)) };

        var split = AttributionModels.Split(20m, PurchaseAt, journey, new AttributionOptions());

        Assert.Equal(Spring, split.LastTouchBucket);
    }

    [Fact]
    public void ToStoreCurrency_ConvertsWithAConfiguredRate_AndRefusesAnUnknownCurrency()
    {
        var options = new AttributionOptions { Currency = "EUR", ExchangeRates = new() { ["USD"] = 0.5m } };

        Assert.Equal(12.5m, options.ToStoreCurrency(12.5m, null));
        Assert.Equal(12.5m, options.ToStoreCurrency(12.5m, "EUR"));
        Assert.Equal(5m, options.ToStoreCurrency(10m, "USD"));
        Assert.Null(options.ToStoreCurrency(10m, "GBP"));
    }

    [Fact]
    public void Validate_RefusesABadCurrencyAWindowOfZeroAndARetentionShorterThanTheWindow()
    {
        var errors = new AttributionOptions { Currency = "euro", ClickWindow = TimeSpan.Zero, JourneyRetention = TimeSpan.FromDays(3), ViewWindow = TimeSpan.FromDays(5) }.Validate();

        Assert.Contains(errors, e => e.StartsWith("Currency", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ClickWindow", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("JourneyRetention", StringComparison.Ordinal));
        Assert.Empty(new AttributionOptions().Validate());
    }

    [Theory]
    [InlineData("-00:00:01", false)]
    [InlineData("00:00:00", true)]
    [InlineData("30.00:00:00", true)]
    [InlineData("30.00:00:01", false)]
    public void Validate_LateTouchGrace_IsFromZeroToThirtyDays(string grace, bool valid)
    {
        var errors = new AttributionOptions { LateTouchGrace = TimeSpan.Parse(grace, System.Globalization.CultureInfo.InvariantCulture) }.Validate();

        Assert.Equal(valid, !errors.Any(e => e.StartsWith("LateTouchGrace", StringComparison.Ordinal)));
    }
}
