using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;

namespace Recommender.Domain.Tests.Recommendations;

/// <summary>Purchase propensity as a serving feature: promotions targeted by the customer's score.</summary>
public class PropensityPromotionTests
{
    private static readonly Dictionary<string, Product> Catalog = new[]
    {
        new Product("J1", "Parka", "jackets", 100),
        new Product("J2", "Rain jacket", "jackets", 80),
        new Product("S1", "Last season's boots", "clearance", 30),
    }.ToDictionary(p => p.Id);

    private static readonly RecommendedItem[] Candidates = [new("J1", 1.0, "because", "code"), new("J2", 0.9, "because", "code"), new("S1", 0.6, "because", "code")];

    /// <summary>Clearance doubled for customers unlikely to buy (propensity below 0.3).</summary>
    private static readonly ServingOptions Options = new() { Diversity = 1, Promotions = [new Promotion { Category = "clearance", Boost = 2, MaximumPropensity = 0.3 }] };

    private static string[] Served(double? propensity) =>
        [.. ServingRules.Apply(Candidates, 3, new HashSet<string>(), null, Catalog, ServingFilters.None, Options, null, propensity: propensity).Select(i => i.ProductId)];

    [Fact]
    public void TargetedPromotion_LiftsItsItems_OnlyForACustomerInItsPropensityRange()
    {
        Assert.Equal(["S1", "J1", "J2"], Served(0.1)); // 0.6 × 2 = 1.2 above the parka
        Assert.Equal(["J1", "J2", "S1"], Served(0.3)); // the upper bound is excluded
        Assert.Equal(["J1", "J2", "S1"], Served(0.8));
        Assert.Equal(["J1", "J2", "S1"], Served(null)); // no score (or not to be used): a targeted promotion never applies
    }

    [Fact]
    public void TargetedPromotion_OnTheCachedListPath_UsesTheSameRule()
    {
        var list = new CachedRecommendations("c1", "v1", DateTimeOffset.UnixEpoch, Candidates);

        var low = ServingRules.Apply(list, 3, new HashSet<string>(), null, Catalog, ServingFilters.None, Options, null, 0.05);
        var high = ServingRules.Apply(list, 3, new HashSet<string>(), null, Catalog, ServingFilters.None, Options, null, 0.95);

        Assert.Equal("S1", low[0].ProductId);
        Assert.Equal(1.2, low[0].Score);
        Assert.Equal("J1", high[0].ProductId);
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(0.2, 0.5, true)]
    [InlineData(0.5, 0.5, false)]
    [InlineData(-0.1, null, false)]
    [InlineData(null, 1.5, false)]
    public void PropensityBounds_AreProbabilities_WithANonEmptyRange(double? minimum, double? maximum, bool valid) =>
        Assert.Equal(valid, new Promotion { Category = "x", MinimumPropensity = minimum, MaximumPropensity = maximum }.IsValid);
}
