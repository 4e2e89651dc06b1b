using System.Text.Json;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;
using static Recommender.Domain.Tests.Events.EventExamples;

namespace Recommender.Domain.Tests.Events;

/// <summary>Every type: its example is valid, survives normalization, and a bad value is refused naming the field.</summary>
public class EventTypeTests
{
    [Fact]
    public void EveryEventType_HasAnExample()
    {
        var wireNames = Enum.GetValues<EventType>().Select(t => JsonNamingPolicy.SnakeCaseLower.ConvertName(t.ToString()));

        Assert.Equal(wireNames.Order(StringComparer.Ordinal), Types.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AllTypes), MemberType = typeof(EventExamples))]
    public void Validate_Example_IsAcceptedWithNothingDropped(string type)
    {
        var result = Validate(Json(type));

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(type, JsonNamingPolicy.SnakeCaseLower.ConvertName(result.Event.Type.ToString()));
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 11, 0, 0, TimeSpan.Zero), result.Event.OccurredAt);
        Assert.Empty(result.DroppedFields);
    }

    [Theory]
    [MemberData(nameof(AllTypes), MemberType = typeof(EventExamples))]
    public void Validate_NormalizedEvent_ValidatesAgainUnchanged(string type)
    {
        // CollectEvents forwards the normalized event; IngestClickstream validates it again.
        var first = Valid(Json(type));
        var normalized = JsonSerializer.Serialize(first, Json.Options);

        var second = Validate(normalized);

        Assert.True(second.IsValid, second.Error);
        Assert.Empty(second.DroppedFields);
        Assert.Equal(normalized, JsonSerializer.Serialize(second.Event, Json.Options));
    }

    [Theory]
    [MemberData(nameof(AllTypes), MemberType = typeof(EventExamples))]
    public void ValidEvent_IsAppliedToItsSubjectsProfileWithoutError(string type)
    {
        // The types without profile features yet are recorded as applied and change nothing else.
        var e = Valid(Json(type));
        var profile = new CustomerProfile { CustomerId = e.SubjectId ?? "catalog", CreatedAt = Now };
        foreach (var tracking in new[] { ConsentChannels.EmailTracking, ConsentChannels.PushTracking })
        {
            profile.Consents[tracking] = new ConsentRecord(true, Now.AddDays(-1), "v1", "preference_centre", "k-" + tracking);
        }

        var changes = ProfileUpdater.Apply(profile, [e], new Dictionary<string, Product>(), Now);

        Assert.Same(e, Assert.Single(changes.Applied));
    }

    [Theory]
    [InlineData("email_open", ArchiveReasons.NoEmailTracking)]
    [InlineData("email_click", ArchiveReasons.NoEmailTracking)]
    [InlineData("push_open", ArchiveReasons.NoPushTracking)]
    [InlineData("push_click", ArchiveReasons.NoPushTracking)]
    public void Tracking_WithoutThatChannelsTrackingConsent_IsDroppedWithTheReason(string type, string reason)
    {
        var e = Valid(Json(type));
        var profile = new CustomerProfile { CustomerId = e.SubjectId!, CreatedAt = Now };

        var changes = ProfileUpdater.Apply(profile, [e], new Dictionary<string, Product>(), Now);

        Assert.Empty(changes.Applied);
        Assert.Equal(reason, changes.Dropped[e.Id]);
        Assert.Empty(profile.ProcessedEventIds);
    }

    [Theory]
    [InlineData("session_start", "utm_source", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", "utm_source must be 1 to 64 characters")]
    [InlineData("session_start", "referrer", "42", "referrer must be a string")]
    [InlineData("page_view", "pageType", "\"landing\"", "pageType must be one of home, category, product, search, cart, checkout, account, other")]
    [InlineData("page_view", "pageType", null, "pageType is required")]
    [InlineData("view", "currency", "\"eur\"", "currency must be an ISO 4217 code")]
    [InlineData("view", "brand", "\"\"", "brand must be 1 to 64 characters")]
    [InlineData("search", "query", null, "query is required")]
    [InlineData("search", "resultCount", "-1", "resultCount must be a whole number from 0")]
    [InlineData("search", "filters", "[\"red\"]", "filters must be an object")]
    [InlineData("search", "filters", "{\"size\":42}", "filters.size must be a string or an array of strings")]
    [InlineData("search", "resultIds", "[\"ok\",\"not ok\"]", "resultIds[1] must be an id")]
    [InlineData("filter", "value", null, "value is required")]
    [InlineData("filter", "name", "true", "name must be a string")]
    [InlineData("add_to_cart", "quantity", "1001", "quantity must be a whole number from 1 to 1000")]
    [InlineData("remove_from_cart", "productId", null, "productId is required")]
    [InlineData("wishlist_add", "productId", "\"a b\"", "productId may contain only")]
    [InlineData("wishlist_remove", "productId", "5", "productId must be a string")]
    [InlineData("compare", "productIds", "[\"SHO-001\"]", "productIds must be an array of 2 to 10 ids")]
    [InlineData("compare", "productIds", "[\"SHO-001\",\"SHO-001\"]", "productIds must not repeat an id")]
    [InlineData("review_read", "productId", null, "productId is required")]
    [InlineData("not_interested", "productId", null, "productId is required")]
    [InlineData("review_write", "rating", "6", "rating must be a whole number from 1 to 5")]
    [InlineData("review_write", "rating", "4.5", "rating must be a whole number from 1 to 5")]
    [InlineData("video_view", "seconds", "36001", "seconds must be a whole number from 0 to 36000")]
    [InlineData("image_zoom", "imageIndex", "-1", "imageIndex must be a whole number from 0 to 100")]
    [InlineData("scroll_depth", "percent", "101", "percent must be a whole number from 0 to 100")]
    [InlineData("checkout_start", "cartValue", "-5", "cartValue must be a number from 0")]
    [InlineData("purchase", "total", "-0.01", "total must be a number from 0")]
    [InlineData("purchase", "currency", "\"EURO\"", "currency must be an ISO 4217 code of 3 capital letters")]
    [InlineData("purchase", "lines", "[{\"productId\":\"SHO-001\",\"quantity\":1}]", "lines[0]: price is required")]
    [InlineData("return", "reason", "\"changed_mind\"", "reason must be one of damaged, wrong_item, not_as_described, no_longer_needed, other")]
    [InlineData("return", "lines", "[{\"quantity\":1}]", "lines[0]: productId is required")]
    [InlineData("email_open", "messageId", null, "messageId is required")]
    [InlineData("email_click", "productId", "\"x/y\"", "productId may contain only")]
    [InlineData("push_open", "campaignId", "7", "campaignId must be a string")]
    [InlineData("push_click", "messageId", null, "messageId is required")]
    [InlineData("recommendation_impression", "productIds", "[]", "productIds must be an array of 1 to 50 ids")]
    [InlineData("recommendation_impression", "placement", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", "placement must be 1 to 32 characters")]
    [InlineData("recommendation_click", "position", "101", "position must be a whole number from 0 to 100")]
    [InlineData("recommendation_click", "productId", null, "productId is required")]
    [InlineData("catalog_change", "change", "\"renamed\"", "change must be one of price, stock, new_product, discontinued")]
    [InlineData("catalog_change", "price", null, "price is required")]
    [InlineData("catalog_change", "attributes", "{\"size\":[\"42\"]}", "attributes.size must be a string")]
    [InlineData("consent", "channel", "\"telepathy\"", "unknown consent channel")]
    [InlineData("identify", "anonymousId", null, "anonymousId is required for identify")]
    [InlineData("identify", "customerId", null, "customerId is required for identify")]
    [InlineData("account", "birthYear", "2027", "birthYear must be a whole number from 1900 to 2026")]
    [InlineData("account", "timeZone", "\"Paris; DROP\"", "timeZone must be an IANA time zone name")]
    [InlineData("account", "ageVerifiedAdult", "\"yes\"", "ageVerifiedAdult must be true or false")]
    [InlineData("account", "preferredCategories", "\"shoes\"", "preferredCategories must be an array of at most 20 names")]
    [InlineData("account", "preferredCategories", "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\",\"r\",\"s\",\"t\",\"u\"]", "preferredCategories must be an array of at most 20 names")]
    [InlineData("account", "preferredCategories", "[\"shoes\",\"shoes\"]", "preferredCategories must not repeat 'shoes'")]
    [InlineData("account", "preferredBrands", "[\"\"]", "preferredBrands[0] must be 1 to 64 characters")]
    [InlineData("account", "preferredBrands", "[7]", "preferredBrands[0] must be a string")]
    [InlineData("delivery", "orderId", null, "orderId is required")]
    [InlineData("delivery", "customerId", null, "customerId is required for delivery")]
    [InlineData("delivery", "productIds", "[\"SHO-001\",\"SHO-001\"]", "productIds must not repeat an id")]
    public void Validate_BadValue_IsRefusedNamingTheField(string type, string field, string? rawJson, string reason)
    {
        var result = Validate(With(type, field, rawJson));

        Assert.False(result.IsValid);
        Assert.Equal("e1", result.EventId);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryEventType_HasABadValueCase()
    {
        var covered = typeof(EventTypeTests).GetMethod(nameof(Validate_BadValue_IsRefusedNamingTheField))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).Single()[0]).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(Types.Order(StringComparer.Ordinal), covered.Order(StringComparer.Ordinal));
    }
}
