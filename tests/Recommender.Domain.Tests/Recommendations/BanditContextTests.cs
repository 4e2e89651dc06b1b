using Recommender.Domain.Messaging;
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
