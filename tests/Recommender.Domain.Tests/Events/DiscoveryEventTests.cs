using Recommender.Domain.Events;
using static Recommender.Domain.Tests.Events.EventExamples;

namespace Recommender.Domain.Tests.Events;

/// <summary>Session, page, search, filter, scroll, review and media events.</summary>
public class DiscoveryEventTests
{
    [Fact]
    public void SessionStart_KeepsTheReferrerHostAndCampaign()
    {
        var e = Valid(Json("session_start"));

        Assert.Equal((EventType.SessionStart, "s-1"), (e.Type, e.SessionId));
        Assert.Equal("www.example.com", e.Referrer);
        Assert.Equal(("newsletter", "email", "spring-sale"), (e.UtmSource, e.UtmMedium, e.UtmCampaign));
    }

    [Theory]
    [InlineData("\"https://Shop.Example.COM:8443/p/1?session=abc#top\"", "shop.example.com")]
    [InlineData("\"www.google.com/search?q=my+name\"", "www.google.com")]
    [InlineData("\"android-app://com.google.android.gm\"", "com.google.android.gm")]
    public void SessionStart_Referrer_KeepsOnlyTheHost(string referrer, string host) =>
        Assert.Equal(host, Valid(With("session_start", "referrer", referrer)).Referrer);

    [Fact]
    public void SessionStart_ReferrerWithoutAHost_IsDroppedAndReported()
    {
        var result = Validate(With("session_start", "referrer", "\"javascript:alert(1)\""));

        Assert.True(result.IsValid, result.Error);
        Assert.Null(result.Event.Referrer);
        Assert.Equal(["referrer"], result.DroppedFields);
    }

    [Fact]
    public void PageView_KeepsPageTypeAndCategory()
    {
        var e = Valid(Json("page_view"));

        Assert.Equal((EventType.PageView, PageType.Category, "shoes"), (e.Type, e.PageType, e.Category));
    }

    [Fact]
    public void Search_KeepsQueryFiltersResults()
    {
        var e = Valid(Json("search"));

        Assert.Equal("red running shoes", e.Query);
        Assert.Equal(["42"], e.Filters!["size"]);
        Assert.Equal(["red", "blue"], e.Filters["colour"]);
        Assert.Equal(["SHO-001", "SHO-002"], e.ResultIds!);
        Assert.Equal(37, e.ResultCount);
    }

    [Fact]
    public void Search_TooManyFilterKeysOrValues_IsRefused()
    {
        var keys = string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"k{i}\":\"v\""));
        var values = string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"v{i}\""));

        Assert.Contains("filters may have at most 20 keys", Validate(With("search", "filters", $"{{{keys}}}")).Error, StringComparison.Ordinal);
        Assert.Contains("filters.size must have 1 to 20 values", Validate(With("search", "filters", $"{{\"size\":[{values}]}}")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_QueryOf201Characters_IsRefused() =>
        Assert.Contains("query must be 1 to 200 characters", Validate(With("search", "query", $"\"{new string('q', 201)}\"")).Error, StringComparison.Ordinal);

    [Fact]
    public void Filter_KeepsNameValueAndCategory()
    {
        var e = Valid(Json("filter"));

        Assert.Equal((EventType.Filter, "colour", "red", "shoes"), (e.Type, e.Name, e.Value, e.Category));
    }

    [Fact]
    public void ScrollDepth_KeepsPercentAndPageType()
    {
        var e = Valid(Json("scroll_depth"));

        Assert.Equal((EventType.ScrollDepth, 75, PageType.Product), (e.Type, e.Percent, e.PageType));
    }

    [Fact]
    public void ReviewRead_KeepsTheProduct() =>
        Assert.Equal((EventType.ReviewRead, "SHO-001"), (Valid(Json("review_read")).Type, Valid(Json("review_read")).ProductId));

    [Fact]
    public void ReviewWrite_KeepsTheRating()
    {
        var e = Valid(Json("review_write"));

        Assert.Equal((EventType.ReviewWrite, "SHO-001", 4), (e.Type, e.ProductId, e.Rating));
    }

    [Fact]
    public void VideoView_KeepsTheSeconds()
    {
        var e = Valid(Json("video_view"));

        Assert.Equal((EventType.VideoView, "SHO-001", 42), (e.Type, e.ProductId, e.Seconds));
    }

    [Fact]
    public void ImageZoom_KeepsTheImageIndex()
    {
        var e = Valid(Json("image_zoom"));

        Assert.Equal((EventType.ImageZoom, "SHO-001", 2), (e.Type, e.ProductId, e.ImageIndex));
    }
}
