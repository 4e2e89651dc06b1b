using System.Text;
using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Profiles;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

/// <summary>
/// Every event type, sent the way a storefront sends it — over <c>POST /api/events</c>, or as an
/// Event Hubs invocation of <c>IngestClickstream</c> — lands in the features it should feed.
/// </summary>
public class EventTypeFeatureTests
{
    private static async Task SendAsync(TestApp app, string path, IReadOnlyList<object> events)
    {
        using var client = app.CreateClient();
        var bodies = events.Select(e => JsonSerializer.Serialize(e, Json.Options)).ToList();
        var response = path == "http"
            ? await client.PostAsync("/api/events", new StringContent("[" + string.Join(',', bodies) + "]", Encoding.UTF8, "application/json"))
            : await client.PostAsync("/IngestClickstream", new StringContent(JsonSerializer.Serialize(new
            {
                Data = new { events = JsonSerializer.Serialize(bodies) },
                Metadata = new { PartitionContext = new { PartitionId = "0" } },
            }), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        if (path == "http")
        {
            var body = await TestApp.ReadJsonAsync(response);
            Assert.Equal(0, body.GetProperty("rejected").GetInt32());
        }
    }

    [Theory]
    [InlineData("http")]
    [InlineData("eventhub")]
    public async Task EveryEventType_FeedsItsFeatures(string path)
    {
        await using var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync([
            new Product("JKT-1", "Parka", "jackets", 180m, Brand: "Northwind", Attributes: new Dictionary<string, string> { ["size"] = "M" }),
            new Product("SOK-1", "Socks", "socks", 9m, Brand: "Contoso"),
            new Product("HAT-1", "Hat", "hats", 30m, Brand: "Fabrikam"),
            new Product("CAM-1", "Camera", "cameras", 400m, Brand: "Tailspin"),
        ]);
        var t = app.Clock.GetUtcNow().AddMinutes(-30);
        var n = 0;
        DateTimeOffset Next() => t.AddSeconds(++n);
        const string c = "c1";
        var events = new List<object>
        {
            new { id = "consent", type = "consent", customerId = c, channel = "analytics", granted = true, policyVersion = "v1", source = "cookie_banner", occurredAt = Next() },
            new { id = "mail-tracking", type = "consent", customerId = c, channel = "email_tracking", granted = true, policyVersion = "v1", source = "preference_centre", occurredAt = Next() },
            new { id = "push-tracking", type = "consent", customerId = c, channel = "push_tracking", granted = true, policyVersion = "v1", source = "preference_centre", occurredAt = Next() },
            new { id = "account", type = "account", customerId = c, birthYear = 1990, timeZone = "Europe/Paris", occurredAt = Next() },
            new { id = "login", type = "identify", customerId = c, anonymousId = "cookie-1", occurredAt = Next() },
            new { id = "session", type = "session_start", customerId = c, sessionId = "s1", referrer = "https://news.example.org/a?b", occurredAt = Next() },
            new { id = "page", type = "page_view", customerId = c, sessionId = "s1", pageType = "category", category = "jackets", occurredAt = Next() },
            new { id = "view", type = "view", customerId = c, sessionId = "s1", productId = "JKT-1", price = 180m, occurredAt = Next() },
            new { id = "search", type = "search", customerId = c, sessionId = "s1", query = "warm hat", resultIds = new[] { "HAT-1" }, resultCount = 1, occurredAt = Next() },
            new { id = "filter", type = "filter", customerId = c, sessionId = "s1", name = "colour", value = "Red", occurredAt = Next() },
            new { id = "compare", type = "compare", customerId = c, sessionId = "s1", productIds = new[] { "JKT-1", "HAT-1" }, occurredAt = Next() },
            new { id = "review-read", type = "review_read", customerId = c, sessionId = "s1", productId = "HAT-1", occurredAt = Next() },
            new { id = "review-write", type = "review_write", customerId = c, sessionId = "s1", productId = "JKT-1", rating = 5, occurredAt = Next() },
            new { id = "video", type = "video_view", customerId = c, sessionId = "s1", productId = "CAM-1", seconds = 30, occurredAt = Next() },
            new { id = "zoom", type = "image_zoom", customerId = c, sessionId = "s1", productId = "CAM-1", imageIndex = 1, occurredAt = Next() },
            new { id = "scroll", type = "scroll_depth", customerId = c, sessionId = "s1", percent = 80, occurredAt = Next() },
            new { id = "wish", type = "wishlist_add", customerId = c, sessionId = "s1", productId = "CAM-1", occurredAt = Next() },
            new { id = "wish-2", type = "wishlist_add", customerId = c, sessionId = "s1", productId = "HAT-1", occurredAt = Next() },
            new { id = "unwish", type = "wishlist_remove", customerId = c, sessionId = "s1", productId = "HAT-1", occurredAt = Next() },
            new { id = "cart-1", type = "add_to_cart", customerId = c, sessionId = "s1", productId = "JKT-1", quantity = 2, price = 180m, occurredAt = Next() },
            new { id = "cart-2", type = "add_to_cart", customerId = c, sessionId = "s1", productId = "SOK-1", quantity = 3, price = 9m, occurredAt = Next() },
            new { id = "uncart", type = "remove_from_cart", customerId = c, sessionId = "s1", productId = "JKT-1", quantity = 1, occurredAt = Next() },
            new { id = "impression", type = "recommendation_impression", customerId = c, sessionId = "s1", recommendationId = "r1", placement = "home", productIds = new[] { "HAT-1" }, occurredAt = Next() },
            new { id = "rec-click", type = "recommendation_click", customerId = c, sessionId = "s1", recommendationId = "r1", placement = "home", position = 0, productId = "HAT-1", occurredAt = Next() },
            new { id = "checkout", type = "checkout_start", customerId = c, sessionId = "s1", cartValue = 207m, currency = "EUR", occurredAt = Next() },
            new
            {
                id = "order", type = "purchase", customerId = c, sessionId = "s1", orderId = "o1", total = 207m, currency = "EUR", occurredAt = Next(),
                lines = new[] { new { productId = "JKT-1", quantity = 1, price = 180m }, new { productId = "SOK-1", quantity = 3, price = 9m } },
            },
            new { id = "delivery", type = "delivery", customerId = c, orderId = "o1", productIds = new[] { "JKT-1", "SOK-1" }, occurredAt = Next() },
            new { id = "return", type = "return", customerId = c, orderId = "o1", lines = new[] { new { productId = "SOK-1", quantity = 3 } }, reason = "wrong_item", refundAmount = 27m, occurredAt = Next() },
            new { id = "mail-open", type = "email_open", customerId = c, messageId = "m1", occurredAt = Next() },
            new { id = "mail-click", type = "email_click", customerId = c, messageId = "m1", productId = "HAT-1", occurredAt = Next() },
            new { id = "push-open", type = "push_open", customerId = c, messageId = "m2", occurredAt = Next() },
            new { id = "push-click", type = "push_click", customerId = c, messageId = "m2", occurredAt = Next() },
            new { id = "price", type = "catalog_change", productId = "CAM-1", change = "price", price = 350m, previousPrice = 400m, occurredAt = Next() },
        };

        await SendAsync(app, path, events);

        var profile = (await app.Get<ProfileStore>().GetAsync(c))!;
        Assert.Equal(events.Count - 1, profile.EventCount); // everything but the catalog change is about c1
        Assert.Equal("Europe/Paris", profile.TimeZone);                                   // account
        Assert.Equal(["cookie-1"], profile.AnonymousIds);                                 // identify
        Assert.True(profile.HasConsent("analytics"));                                     // consent
        Assert.Equal(["JKT-1"], profile.RecentViews.Select(v => v.ProductId));            // view
        Assert.Equal("warm hat", Assert.Single(profile.RecentSearches).Query);            // search
        Assert.True(profile.AttributeAffinities.ContainsKey("colour:red"));               // filter
        Assert.True(profile.AttributeAffinities.ContainsKey("size:m"));                   // product attributes
        Assert.True(profile.CategoryAffinities["hats"] > 0);                              // compare, review_read, recommendation_click
        Assert.True(profile.CategoryAffinities["cameras"] > 0);                           // video_view, image_zoom, wishlist_add
        Assert.Equal(["CAM-1"], profile.Wishlist.Keys);                                   // wishlist add / remove
        Assert.Empty(profile.Cart);                                                       // add, remove, then bought
        Assert.Equal(1, profile.OrderCount);                                              // purchase
        Assert.Equal(207m, profile.TotalSpent);
        Assert.Contains("SOK-1", profile.Purchased.Keys);
        Assert.Equal(1, profile.ReturnCount);                                             // return
        Assert.Equal(27m, profile.RefundTotal);
        Assert.Equal("s1", profile.Session!.Id);                                          // session_start, page_view, scroll_depth, ...
        Assert.Equal(27, profile.Session.Events);                                         // 21 of session s1 + 6 session-less ones within 30 minutes
        Assert.Equal(["JKT-1"], (await app.Get<PostPurchaseWorkflow>().GetAsync(c, "o1"))!.Kept); // delivery (cross-sell armed), return
        Assert.Equal(1, profile.SessionCount);
        var jacket = (await app.Get<ProfileStore>().GetItemAsync("JKT-1"))!;
        Assert.Equal((1, 1, 1), (jacket.Views, jacket.AddToCarts, jacket.Purchases));      // item counters
        Assert.Contains("SOK-1", jacket.BoughtTogether.Keys);                             // bought together
        Assert.Equal(1, (await app.Get<ProfileStore>().GetItemAsync("CAM-1"))!.Wishlists);
        app.Clock.Advance(CatalogProvider.RefreshInterval);
        Assert.Equal(350m, (await app.Get<CatalogProvider>().GetAsync())["CAM-1"].Price); // catalog_change
        Assert.Empty(await app.Get<DeadLetters>().ReadAllAsync());
    }

    [Fact]
    public async Task HostileEventHubsBatch_NeverStopsTheGoodEventsInIt()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("c1");
        var at = app.Clock.GetUtcNow().AddMinutes(-1).ToString("O");
        var good1 = $$"""{"id":"good-1","type":"view","customerId":"c1","productId":"p1","occurredAt":"{{at}}"}""";
        var good2 = $$"""{"id":"good-2","type":"add_to_cart","customerId":"c1","productId":"p2","occurredAt":"{{at}}"}""";
        var hostile = new[]
        {
            """{"id":"trunc","type":"view","customerId":"c1","productId":"p""",                                                  // truncated JSON
            $$"""{"id":"huge","type":"view","customerId":"c1","productId":"p1","occurredAt":"{{at}}","category":"{{new string('x', 10 * 1024 * 1024)}}"}""", // 10 MB event
            $$"""{"id":"types","type":"view","customerId":{"$ne":null},"productId":7,"occurredAt":"{{at}}"}""",                // wrong types
            $$"""{"id":"unknown","type":"teleport","customerId":"c1","occurredAt":"{{at}}"}""",                                 // unknown type
            $$"""{"id":"array","type":"search","customerId":"c1","query":"x","resultIds":[{{string.Join(',', Enumerable.Repeat("\"p\"", 100_000))}}],"occurredAt":"{{at}}"}""", // huge array
            $$"""{"id":"ctrl","type":"view","customerId":"c1\u0007","productId":"p1","occurredAt":"{{at}}"}""",                // control character
            "",
            "null",
        };
        var bodies = new List<string> { good1 };
        bodies.AddRange(hostile);
        bodies.Add(good2);
        using var client = app.CreateClient();

        var response = await client.PostAsync("/IngestClickstream", new StringContent(JsonSerializer.Serialize(new
        {
            Data = new { events = JsonSerializer.Serialize(bodies) },
            Metadata = new { PartitionContext = new { PartitionId = "7" } },
        }), Encoding.UTF8, "application/json"));

        response.EnsureSuccessStatusCode();
        var profile = (await app.Get<ProfileStore>().GetAsync("c1"))!;
        Assert.Contains("good-1", profile.ProcessedEventIds);
        Assert.Contains("good-2", profile.ProcessedEventIds);
        Assert.Contains("p2", profile.Cart.Keys);
        var letters = await app.Get<DeadLetters>().ReadAllAsync();
        Assert.Equal(hostile.Length, letters.Count);
        Assert.All(letters, l => Assert.False(string.IsNullOrWhiteSpace(l.Reason)));
        Assert.All(letters, l => Assert.True(l.Payload.Length <= DeadLetters.MaxPayloadChars + 20)); // the 10 MB body is kept truncated
    }
}
