using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

/// <summary>Every placement, the request-time rules, diversity and the non-personalized mode.</summary>
public class ServingTests
{
    private static readonly Product[] Catalog =
    [
        new("JKT-1", "Parka", "jackets", 180m, Brand: "north", Url: "https://shop/p/JKT-1"),
        new("JKT-2", "Rain jacket", "jackets", 120m, Brand: "north"),
        new("JKT-3", "Fleece", "jackets", 60m, Brand: "contoso"),
        new("HAT-1", "Beanie", "hats", 20m, Brand: "north"),
        new("HAT-2", "Cap", "hats", 15m, Brand: "fabrikam"),
        new("SOK-1", "Socks", "socks", 9m, Brand: "contoso", ReplenishAfterDays: 30),
        new("WIN-1", "Red wine", "wine", 25m, Brand: "vineyard", AgeRestricted: true),
        new("OUT-1", "Sold out boot", "shoes", 90m, InStock: false),
    ];

    private static async Task<TestApp> StoreAsync()
    {
        var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync(Catalog);
        var shoppers = Enumerable.Range(0, 12).Select(i => $"s{i}").ToArray();
        await app.GrantAnalyticsAsync([.. shoppers, "me"]);
        var events = new List<object>();
        foreach (var s in shoppers)
        {
            events.Add(app.View($"{s}-1", s, "JKT-1", TimeSpan.FromMinutes(30)));
            events.Add(app.View($"{s}-2", s, "JKT-2", TimeSpan.FromMinutes(29)));
            events.Add(app.View($"{s}-3", s, "HAT-1", TimeSpan.FromMinutes(28)));
            events.Add(app.View($"{s}-4", s, "WIN-1", TimeSpan.FromMinutes(27)));
            events.Add(app.View($"{s}-5", s, "OUT-1", TimeSpan.FromMinutes(26)));
            events.Add(app.View($"{s}-6", s, "JKT-3", TimeSpan.FromMinutes(25)));
            events.Add(app.Purchase($"{s}-buy", s, "JKT-1", "HAT-2", "SOK-1"));
        }

        events.Add(app.View("me-1", "me", "JKT-1"));
        await app.PostEventsAsync([.. events]);
        await app.Get<RetrainingService>().RetrainAsync("test");
        await app.PumpAsync();
        return app;
    }

    private static async Task<RecommendationResponse> GetAsync(TestApp app, string query)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync($"/api/recommendations/{query}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RecommendationResponse>(Json.Options))!;
    }

    [Fact]
    public async Task ProductPlacement_NewProductNobodyViewed_GetsCatalogAttributeNeighbours()
    {
        await using var app = await StoreAsync();
        await app.Get<CatalogProvider>().SaveAsync([.. Catalog, new Product("JKT-NEW", "Storm parka", "jackets", 170m, Brand: "north")]);

        var response = await GetAsync(app, "me?placement=product&productId=JKT-NEW&count=10");

        // same category and brand first (the closest price leading), then category or brand alone;
        // sold out and unrelated products (hats of another brand, socks, wine) never
        // (the list is then filled up with popular products, as every product placement is)
        var similar = response.Items.Take(4).ToList();
        Assert.Equal("JKT-1", similar[0].ProductId);
        Assert.Equal(["HAT-1", "JKT-1", "JKT-2", "JKT-3"], similar.Select(i => i.ProductId).Order(StringComparer.Ordinal));
        Assert.All(similar, i => Assert.Equal("content:JKT-NEW", i.ReasonCode));
        Assert.All(similar, i => Assert.Equal("Similar to Storm parka", i.Reason));
        Assert.DoesNotContain(response.Items.Skip(4), i => i.ReasonCode.StartsWith("content:", StringComparison.Ordinal));
        Assert.DoesNotContain(response.Items, i => i.ProductId is "OUT-1" or "JKT-NEW");
    }

    [Fact]
    public async Task AlsoBought_ComesFromPurchasesTogether_AndCompleteTheLook_LeavesTheCategory()
    {
        await using var app = await StoreAsync();

        var alsoBought = await GetAsync(app, "stranger?placement=also_bought&productId=JKT-1&count=2");
        var look = await GetAsync(app, "stranger?placement=complete_the_look&productId=JKT-1&count=3");

        Assert.Equal("bought_with:JKT-1", alsoBought.Items[0].ReasonCode);
        Assert.Contains(alsoBought.Items, i => i.ProductId is "HAT-2" or "SOK-1");
        Assert.All(look.Items, i => Assert.NotEqual("jackets", i.Category));
        Assert.Contains(look.Items, i => i.ReasonCode == "complements:JKT-1");
    }

    [Fact]
    public async Task Trending_OverallAndPerCategory_AndRecentlyViewed_AndTheEmailBlock()
    {
        await using var app = await StoreAsync();

        var trending = await GetAsync(app, "stranger?placement=trending&window=1h");
        var hats = await GetAsync(app, "stranger?placement=trending&category=hats");
        var recent = await GetAsync(app, "me?placement=recently_viewed");
        var email = await GetAsync(app, "me?placement=email");

        Assert.Equal("trending", trending.Source);
        Assert.Equal("JKT-1", trending.Items[0].ProductId); // viewed and bought by everyone
        Assert.All(hats.Items, i => Assert.Equal("hats", i.Category));
        Assert.Equal(["JKT-1"], recent.Items.Select(i => i.ProductId));
        Assert.Equal(4, email.Items.Count);
        Assert.All(email.Items, i => Assert.False(string.IsNullOrEmpty(i.Name)));
    }

    [Fact]
    public async Task Rules_DropOutOfStockAndAgeRestricted_KeepReplenishablesWhenDue()
    {
        await using var app = await StoreAsync();

        var adultUnknown = await GetAsync(app, "s1?placement=product&productId=JKT-2&count=20");
        Assert.DoesNotContain(adultUnknown.Items, i => i.ProductId is "OUT-1" or "WIN-1");

        await app.PostEventsAsync(new { id = "acc", type = "account", customerId = "s1", ageVerifiedAdult = true, occurredAt = app.Clock.GetUtcNow() });
        var adult = await GetAsync(app, "s1?placement=product&productId=JKT-2&count=20");
        Assert.Contains(adult.Items, i => i.ProductId == "WIN-1");

        var bought = await GetAsync(app, "s1?placement=also_bought&productId=JKT-2&count=20");
        Assert.DoesNotContain(bought.Items, i => i.ProductId is "SOK-1" or "HAT-2"); // bought minutes ago
        app.Clock.Advance(TimeSpan.FromDays(31));
        var later = await GetAsync(app, "s1?placement=also_bought&productId=JKT-2&count=20");
        Assert.Contains(later.Items, i => i.ProductId == "SOK-1"); // socks are due again
        Assert.DoesNotContain(later.Items, i => i.ProductId == "HAT-2");
    }

    [Fact]
    public async Task ACachedListServedAgain_GivesTheSameItems_UntilTheCatalogChanges()
    {
        await using var app = await StoreAsync();
        var first = await GetAsync(app, "me?count=2"); // a count the list fills without a top-up: kept
        Assert.Equal("cache", first.Source);
        Assert.Equal(2, first.Items.Count);

        // Served again (its default answer is kept with the cached list): the same items, a new recommendation id.
        var again = await GetAsync(app, "me?count=2");
        Assert.Equal(Shown(first), Shown(again));
        Assert.NotEqual(first.RecommendationId, again.RecommendationId);

        // A catalog change is seen by the very next request: the top item renamed, then sold out.
        var top = first.Items[0].ProductId;
        await app.Get<CatalogProvider>().SaveAsync([.. Catalog.Select(p => p.Id == top ? p with { Name = "New name" } : p)]);
        var renamed = await GetAsync(app, "me?count=2");
        Assert.Equal("New name", Assert.Single(renamed.Items, i => i.ProductId == top).Name);

        await app.Get<CatalogProvider>().SaveAsync([.. Catalog.Select(p => p.Id == top ? p with { InStock = false } : p)]);
        var soldOut = await GetAsync(app, "me?count=2");
        Assert.DoesNotContain(soldOut.Items, i => i.ProductId == top);
    }

    [Fact]
    public async Task AKeptAnswer_IsServedAgain_UntilTheCustomersListIsRewritten()
    {
        await using var app = await StoreAsync();
        var service = app.Get<RecommendationService>();
        var request = new RecommendationRequest("me", Placement.Home, 2);

        var first = await service.GetAsync(request);
        var second = await service.GetAsync(request); // from the items kept with the list at the first serve
        var third = await service.GetAsync(request);

        Assert.Equal("cache", first.Source);
        Assert.Equal(Shown(first), Shown(second));
        Assert.Equal(Shown(first), Shown(third));
        Assert.NotSame(second.Items, third.Items); // each answer gets its own views: nothing of an answer is kept
        // One kept answer, named alike each time it is served (what the HTTP layer reuses its writing by).
        Assert.NotNull(first.KeptAnswer);
        Assert.Equal(first.KeptAnswer, second.KeptAnswer);
        Assert.Equal(first.KeptAnswer, third.KeptAnswer);
        Assert.Null((await service.GetAsync(request with { ExcludeProductIds = new HashSet<string> { first.Items[1].ProductId } })).KeptAnswer); // picked for that request alone

        // A profile change rewrites the list, and what was kept with the old one goes with it: the bought item leaves at once.
        var top = first.Items[0].ProductId;
        await app.PostEventsAsync(app.Purchase("me-buy", "me", top));
        var afterPurchase = await service.GetAsync(request);
        Assert.Equal("cache", afterPurchase.Source);
        Assert.DoesNotContain(afterPurchase.Items, i => i.ProductId == top);
        Assert.NotNull(afterPurchase.KeptAnswer);
        Assert.NotEqual(first.KeptAnswer, afterPurchase.KeptAnswer); // a new answer is a new id: nothing written for the old one is reused
    }

    [Fact]
    public async Task AKeptDefaultAnswer_IsNotServedToRequestsOfAnotherShape()
    {
        await using var app = await StoreAsync();
        var plain = await GetAsync(app, "me?count=2");
        Assert.Equal(2, plain.Items.Count);
        var category = plain.Items[0].Category!;

        var filtered = await GetAsync(app, $"me?count=2&excludeCategories={category}");
        var shorter = await GetAsync(app, "me?count=1");
        var capped = await GetAsync(app, "me?count=2&maxPerCategory=1");

        Assert.DoesNotContain(filtered.Items, i => i.Category == category);
        Assert.Equal(Shown(plain).Take(1), Shown(shorter));
        Assert.Equal(capped.Items.Count, capped.Items.Select(i => i.Category).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(Shown(plain), Shown(await GetAsync(app, "me?count=2")));
    }

    private static string[] Shown(RecommendationResponse response) =>
        [.. response.Items.Select(i => $"{i.ProductId}|{i.Score}|{i.Name}|{i.Reason}")];

    [Fact]
    public async Task Filters_Caps_AndDiversity()
    {
        await using var app = await StoreAsync();

        var onlyHats = await GetAsync(app, "stranger?placement=trending&includeCategories=hats");
        var noNorth = await GetAsync(app, "stranger?placement=trending&excludeBrands=north");
        var capped = await GetAsync(app, "stranger?placement=trending&maxPerCategory=1&count=5");
        var relevanceOnly = await GetAsync(app, "stranger?placement=trending&diversity=1&count=3");
        var varied = await GetAsync(app, "stranger?placement=trending&diversity=0&count=3");

        Assert.All(onlyHats.Items, i => Assert.Equal("hats", i.Category));
        Assert.All(noNorth.Items, i => Assert.NotEqual("north", i.Brand));
        Assert.Equal(capped.Items.Count, capped.Items.Select(i => i.Category).Distinct().Count());
        Assert.True(varied.Items.Select(i => i.Category).Distinct().Count() >= relevanceOnly.Items.Select(i => i.Category).Distinct().Count());
        Assert.Equal(3, varied.Items.Select(i => i.Category).Distinct().Count());
    }

    [Fact]
    public async Task Promotions_BoostWithinTheCap()
    {
        await using var app = await StoreAsync();
        var options = app.Get<Microsoft.Extensions.Options.IOptions<ServingOptions>>().Value;
        var before = await GetAsync(app, "stranger?placement=trending&diversity=1&count=8");
        var last = before.Items[^1];

        options.Promotions.Add(new Promotion { ProductId = last.ProductId, Boost = 1000 });
        var after = await GetAsync(app, "stranger?placement=trending&diversity=1&count=8");

        var promoted = after.Items.Single(i => i.ProductId == last.ProductId);
        Assert.Equal(Math.Round(last.Score * options.MaxBoost, 6), promoted.Score);
    }

    [Theory]
    [InlineData("personalization")]
    [InlineData("objection")]
    [InlineData("minor")]
    public async Task NonPersonalizedCustomers_GetOnlyPopularTrendingAndContext(string why)
    {
        await using var app = await StoreAsync();
        var now = app.Clock.GetUtcNow();
        switch (why)
        {
            case "personalization":
                await app.PostEventsAsync(app.Consent("no-perso", "me", false, "personalization"));
                break;
            case "objection":
                Assert.True(await app.Get<Domain.Privacy.ProfilingObjection>().SetAsync("me", objects: true));
                break;
            default:
                await app.PostEventsAsync(new { id = "acc", type = "account", customerId = "me", birthYear = now.Year - 13, occurredAt = now });
                break;
        }

        var home = await GetAsync(app, "me");
        var cart = await GetAsync(app, "me?placement=cart");
        var recent = await GetAsync(app, "me?placement=recently_viewed");
        var product = await GetAsync(app, "me?placement=product&productId=JKT-1");

        Assert.Equal("popular", home.Source);
        Assert.False(home.Personalized);
        Assert.All(home.Items, i => Assert.Equal("popular", i.ReasonCode));
        Assert.Equal("popular", cart.Source);
        Assert.Empty(recent.Items);
        Assert.Equal("related", product.Source); // similar-to-context is allowed
        Assert.All(product.Items, i => Assert.DoesNotContain("viewed:", i.ReasonCode, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AVisitorWithNoHistory_GetsResultsFromTheSessionsProducts()
    {
        await using var app = await StoreAsync();

        var response = await GetAsync(app, "anon-visitor?recent=JKT-2");

        Assert.Equal("session", response.Source);
        Assert.Equal("viewed:JKT-2", response.Items[0].ReasonCode);
    }

    [Fact]
    public async Task SearchResults_AreReRankedByTheCustomersAffinities()
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();
        var body = new { query = "warm", resultIds = new[] { "HAT-2", "SOK-1", "JKT-3" } };

        var me = await (await client.PostAsJsonAsync("/api/recommendations/me/search", body)).Content.ReadFromJsonAsync<JsonElement>();
        var stranger = await (await client.PostAsJsonAsync("/api/recommendations/stranger/search", body)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(me.GetProperty("personalized").GetBoolean());
        // "me" viewed a jacket: the fleece climbs from third to second (position weighs 1, affinity up to 0.5).
        Assert.Equal(["HAT-2", "JKT-3", "SOK-1"], me.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("productId").GetString()));
        Assert.Equal("affinity:category:jackets", me.GetProperty("items")[1].GetProperty("reasonCode").GetString());
        Assert.False(stranger.GetProperty("personalized").GetBoolean());
        Assert.Equal(["HAT-2", "SOK-1", "JKT-3"], stranger.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("productId").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/recommendations/me/search", new { resultIds = Array.Empty<string>() })).StatusCode);
    }

    [Fact]
    public async Task SearchResults_AreReRankedByWhatTheCustomerSaidTheyLike()
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();
        await app.PostEventsAsync(app.Consent("k-said", "said", true, "analytics"));
        var body = new { query = "warm", resultIds = new[] { "HAT-2", "SOK-1", "JKT-3" } };
        var before = await (await client.PostAsJsonAsync("/api/recommendations/said/search", body)).Content.ReadFromJsonAsync<JsonElement>();

        await app.PostEventsAsync(new { id = "said-acct", type = "account", customerId = "said", preferredCategories = new[] { "jackets" }, occurredAt = app.Clock.GetUtcNow() });
        var after = await (await client.PostAsJsonAsync("/api/recommendations/said/search", body)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(["HAT-2", "SOK-1", "JKT-3"], before.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("productId").GetString()));
        // Stated, never inferred: the jacket climbs from third to second, as for a customer who viewed one.
        Assert.Equal(["HAT-2", "JKT-3", "SOK-1"], after.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("productId").GetString()));
        Assert.Equal("affinity:category:jackets", after.GetProperty("items")[1].GetProperty("reasonCode").GetString());
    }

    [Theory]
    [InlineData("me?placement=also_bought", "productId")]
    [InlineData("me?placement=trending&window=2h", "window")]
    [InlineData("me?diversity=1.5", "diversity")]
    [InlineData("me?recent=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u", "recent")]
    [InlineData("me?maxPerBrand=0", "maxPerBrand")]
    [InlineData("me?includeCategories=%00x", "includeCategories")]
    public async Task BadParameters_Are400NamingTheField(string query, string field)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var response = await client.GetAsync($"/api/recommendations/{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await TestApp.ReadJsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Trending_WithNothingInTheWindow_FallsBackToPopularInTheCategory()
    {
        await using var app = await StoreAsync();
        app.Clock.Advance(TimeSpan.FromDays(8)); // every trending bucket is now older than the longest window

        var response = await GetAsync(app, "stranger?placement=trending&window=1h&category=jackets");

        Assert.Equal("popular", response.Source);
        Assert.NotEmpty(response.Items);
        Assert.All(response.Items, i => Assert.Equal("jackets", i.Category));
    }
}
