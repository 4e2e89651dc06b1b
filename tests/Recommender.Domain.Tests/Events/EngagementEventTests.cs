using Recommender.Domain.Events;
using static Recommender.Domain.Tests.Events.EventExamples;

namespace Recommender.Domain.Tests.Events;

/// <summary>Email, push and recommendation events.</summary>
public class EngagementEventTests
{
    [Theory]
    [InlineData("email_open", EventType.EmailOpen, "m-1", "spring", null)]
    [InlineData("email_click", EventType.EmailClick, "m-1", "spring", "SHO-001")]
    [InlineData("push_open", EventType.PushOpen, "m-2", null, null)]
    [InlineData("push_click", EventType.PushClick, "m-2", null, "SHO-001")]
    public void MessageEvents_KeepMessageCampaignAndProduct(string type, EventType expected, string messageId, string? campaignId, string? productId)
    {
        var e = Valid(Json(type));

        Assert.Equal((expected, messageId, campaignId, productId), (e.Type, e.MessageId, e.CampaignId, e.ProductId));
    }

    [Fact]
    public void EmailOpen_WithAProductId_DropsAndReportsIt()
    {
        var result = Validate(With("email_open", "productId", "\"SHO-001\""));

        Assert.Null(result.Event!.ProductId);
        Assert.Equal(["productId"], result.DroppedFields);
    }

    [Fact]
    public void RecommendationImpression_KeepsPlacementPositionVariantAndProducts()
    {
        var e = Valid(Json("recommendation_impression"));

        Assert.Equal((EventType.RecommendationImpression, "r-1", "home", 0, "B"), (e.Type, e.RecommendationId, e.Placement, e.Position, e.Variant));
        Assert.Equal(["SHO-001", "SHO-002"], e.ProductIds!);
    }

    [Fact]
    public void RecommendationClick_KeepsTheClickedProductAndPosition()
    {
        var e = Valid(Json("recommendation_click"));

        Assert.Equal((EventType.RecommendationClick, "r-1", "home", 1, "SHO-002"), (e.Type, e.RecommendationId, e.Placement, e.Position, e.ProductId));
        Assert.Null(e.Variant);
    }
}
