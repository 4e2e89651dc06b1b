using Recommender.Domain.Segments;

namespace Recommender.Domain.Tests.Segments;

/// <summary>Each of the eight rules just inside and just outside its boundary (default options).</summary>
public class SegmentRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly SegmentationOptions Options = new();
    private static readonly Dictionary<string, double> None = [];

    private static SegmentInputs Customer(RfmScores? rfm = null, double? recencyDays = 60, int orders = 1, double firstOrderDaysAgo = 365, double? churn = 0.1,
        Dictionary<string, double>? categories = null, Dictionary<string, double>? brands = null, Dictionary<string, double>? bands = null) =>
        new(rfm ?? new RfmScores(3, 3, 3), recencyDays, orders, Now - TimeSpan.FromDays(firstOrderDaysAgo), churn, categories ?? None, brands ?? None, bands ?? None);

    private static IReadOnlyList<string> Of(SegmentInputs inputs) => SegmentRules.Evaluate(inputs, Now, Options);

    [Fact]
    public void Vip_NeedsMonetary5AndFrequency4()
    {
        Assert.Contains("vip", Of(Customer(rfm: new RfmScores(1, 4, 5))));
        Assert.DoesNotContain("vip", Of(Customer(rfm: new RfmScores(5, 3, 5))));
        Assert.DoesNotContain("vip", Of(Customer(rfm: new RfmScores(5, 5, 4))));
    }

    [Fact]
    public void Active_WithinThirtyDaysOfTheLastOrder()
    {
        Assert.Contains("active", Of(Customer(recencyDays: 30)));
        Assert.DoesNotContain("active", Of(Customer(recencyDays: 30.01)));
        Assert.DoesNotContain("active", Of(Customer(recencyDays: null, orders: 0)));
    }

    [Fact]
    public void Dormant_AfterMoreThan180DaysWithoutAnOrder()
    {
        Assert.DoesNotContain("dormant", Of(Customer(recencyDays: 180)));
        Assert.Contains("dormant", Of(Customer(recencyDays: 180.01)));
        Assert.DoesNotContain("dormant", Of(Customer(recencyDays: null, orders: 0))); // never ordered: not dormant, just not a buyer
    }

    [Fact]
    public void AtRisk_HighChurnAmongRepeatBuyers_NotYetDormant()
    {
        Assert.Contains("at-risk", Of(Customer(rfm: new RfmScores(2, 3, 3), churn: 0.7)));
        Assert.DoesNotContain("at-risk", Of(Customer(rfm: new RfmScores(2, 3, 3), churn: 0.6999)));
        Assert.DoesNotContain("at-risk", Of(Customer(rfm: new RfmScores(2, 2, 3), churn: 0.9)));
        Assert.DoesNotContain("at-risk", Of(Customer(rfm: new RfmScores(1, 3, 3), churn: 0.9, recencyDays: 200))); // dormant instead
        Assert.DoesNotContain("at-risk", Of(Customer(churn: null))); // no churn model: no at-risk
    }

    [Fact]
    public void New_FirstOrderWithinThirtyDays()
    {
        Assert.Contains("new", Of(Customer(firstOrderDaysAgo: 30)));
        Assert.DoesNotContain("new", Of(Customer(firstOrderDaysAgo: 30.01)));
    }

    [Fact]
    public void CategoryEnthusiast_HalfTheAffinityAndEnoughWeight()
    {
        Assert.Contains("category-enthusiast:shoes", Of(Customer(categories: new() { ["shoes"] = 3, ["bags"] = 2, ["hats"] = 1 }))); // share exactly 0.5
        Assert.DoesNotContain("category-enthusiast:shoes", Of(Customer(categories: new() { ["shoes"] = 3, ["bags"] = 2, ["hats"] = 1.01 })));
        Assert.Contains("category-enthusiast:bags", Of(Customer(categories: new() { ["shoes"] = 3, ["bags"] = 3 }))); // a tie goes to the first name
        Assert.DoesNotContain("category-enthusiast:shoes", Of(Customer(categories: new() { ["shoes"] = 2.99 }))); // all of it, but too little
        Assert.Contains("category-enthusiast:shoes", Of(Customer(categories: new() { ["shoes"] = 3 })));
    }

    [Fact]
    public void PriceSensitive_CheapBandsHoldSixtyPercent()
    {
        Assert.Contains("price-sensitive", Of(Customer(bands: new() { ["0-25"] = 2, ["25-50"] = 1, ["100-250"] = 2 })));
        Assert.DoesNotContain("price-sensitive", Of(Customer(bands: new() { ["0-25"] = 2, ["25-50"] = 0.99, ["100-250"] = 2.01 })));
        Assert.DoesNotContain("price-sensitive", Of(Customer(bands: new() { ["0-25"] = 2.99 }))); // too little behaviour to judge
    }

    [Fact]
    public void BrandLoyalist_SixtyPercentOfBrandAffinityAndTwoOrders()
    {
        Assert.Contains("brand-loyalist:acme", Of(Customer(orders: 2, brands: new() { ["acme"] = 3, ["other"] = 2 })));
        Assert.DoesNotContain("brand-loyalist:acme", Of(Customer(orders: 2, brands: new() { ["acme"] = 3, ["other"] = 2.01 })));
        Assert.DoesNotContain("brand-loyalist:acme", Of(Customer(orders: 1, brands: new() { ["acme"] = 3 })));
    }

    [Fact]
    public void Options_AreValidatedWithEveryError()
    {
        Assert.Empty(new SegmentationOptions().Validate());
        var errors = new SegmentationOptions { VipMinimumMonetaryScore = 6, DormantAfterDays = 10, ChurnWindow = TimeSpan.Zero, CheapPriceBands = [] }.Validate();
        Assert.Equal(4, errors.Count);
    }

    [Theory]
    [InlineData("vip", true)]
    [InlineData("category-enthusiast:shoes", true)]
    [InlineData("brand-loyalist:acme", true)]
    [InlineData("category-enthusiast", false)]
    [InlineData("category-enthusiast:", false)]
    [InlineData("vip:x", false)]
    [InlineData("gold", false)]
    public void SegmentNames_AreValidated(string name, bool valid) => Assert.Equal(valid, SegmentNames.IsValid(name));
}
