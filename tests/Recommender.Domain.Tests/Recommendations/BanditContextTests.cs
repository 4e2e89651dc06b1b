using Recommender.Domain.Messaging;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;

namespace Recommender.Domain.Tests.Recommendations;

public class BanditContextTests
{
    [Theory]
    [InlineData("known")]
    [InlineData("known", "price-sensitive", "category-enthusiast:shoes")]
    [InlineData("active", "active", "brand-loyalist:acme")]
    [InlineData("new", "active", "new")]
    [InlineData("dormant", "dormant", "new")]
    [InlineData("at-risk", "active", "at-risk")]
    [InlineData("vip", "at-risk", "vip", "active")]
    public void Context_IsTheMostSpecificLifecycleSegment(string expected, params string[] segments) =>
        Assert.Equal(expected, BanditPolicy.ContextOf(segments));

    [Fact]
    public void ContextArms_AreReadBackFromTheirRecommendationIds()
    {
        foreach (var context in BanditPolicy.SegmentContexts)
        {
            var id = BanditPolicy.RecommendationIdOf("email", context, "trending", Guid.NewGuid());
            Assert.Equal($"email.{context}.trending", BanditPolicy.ArmOf(id));
            Assert.True(id.Length <= Recommender.Domain.Events.EventValidator.MaxIdLength);
        }
    }

    [Theory]
    [InlineData(1, 0, 3, null, "newcomer_light_unknown")]
    [InlineData(2, 0, 9, "0-25", "returning_light_budget")]
    [InlineData(1, 1, 10, "50-100", "returning_regular_mid")]
    [InlineData(5, 3, 49, "250+", "returning_regular_premium")]
    [InlineData(9, 0, 50, "100-250", "returning_heavy_premium")]
    public void ProfilePart_IsTenureActivityAndPriceBand(int sessions, int orders, long events, string? band, string expected)
    {
        var profile = new CustomerProfile { CustomerId = "c", SessionCount = sessions, OrderCount = orders, EventCount = events };
        if (band is not null)
        {
            profile.PriceBandAffinities["25-50"] = 0.5;
            profile.PriceBandAffinities[band] = 2;
        }

        Assert.Equal(expected, BanditContext.ProfilePartOf(profile));
        var context = new BanditContext("vip", expected);
        Assert.Equal(context, BanditContext.Parse(context.Key));
        Assert.Equal($"home.vip_{expected}.popular", BanditPolicy.ArmOf(BanditPolicy.RecommendationIdOf("home", context.Key, "popular", Guid.NewGuid())));
    }

    [Fact]
    public void SegmentCapDefaults_AreVipMore_DormantLess_TheLowestWinning()
    {
        var options = new MessagingOptions();
        Assert.True(options.IsValid);
        Assert.Equal((5, 3), (options.ForSegments(["vip", "active"]).MaxPerWindow, options.ForSegments(["vip"]).MaxPerChannelPerWindow));
        Assert.Equal((1, 1), (options.ForSegments(["dormant"]).MaxPerWindow, options.ForSegments(["dormant"]).MaxPerChannelPerWindow));
        Assert.Equal(1, options.ForSegments(["vip", "dormant"]).MaxPerWindow);
        Assert.Same(options, options.ForSegments(["active"]));
    }
}
