using System.Net;
using System.Net.Http.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

/// <summary>
/// Hidden, search-only, not yet launched and expired products are never returned by any placement,
/// whatever the cache (or a kept answer) holds, from the next request after the catalog change — and
/// at the exact instant of a launch or end of sale on the app's clock.
/// </summary>
public class CatalogVisibilityTests
{
    private static readonly Product[] Catalog =
    [
        new("JKT-1", "Parka", "jackets", 180m),
        new("JKT-2", "Rain jacket", "jackets", 120m),
        new("JKT-3", "Fleece", "jackets", 60m),
        new("HAT-1", "Beanie", "hats", 20m),
        new("HAT-2", "Cap", "hats", 15m),
        new("SOK-1", "Socks", "socks", 9m),
    ];

    private static readonly string[] Placements =
    [
        "me?placement=home", "me?placement=email", "me?placement=product&productId=JKT-1", "me?placement=also_bought&productId=JKT-1",
        "me?placement=complete_the_look&productId=JKT-1", "me?placement=cart", "me?placement=trending", "me?placement=recently_viewed",
        "someone?placement=home", "someone?placement=product&productId=JKT-2", "someone?placement=trending&category=hats",
    ];

    /// <summary>Everyone views and buys everything together; "me" viewed HAT-1 and has JKT-2 in the cart.</summary>
    private static async Task<TestApp> StoreAsync()
    {
        var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync(Catalog);
        var shoppers = Enumerable.Range(0, 8).Select(i => $"s{i}").ToArray();
        await app.GrantAnalyticsAsync([.. shoppers, "me"]);
        var events = new List<object>();
        foreach (var s in shoppers)
        {
            events.AddRange(Catalog.Select((p, i) => app.View($"{s}-{i}", s, p.Id, TimeSpan.FromMinutes(30 - i))));
            events.Add(app.Purchase($"{s}-buy", s, "JKT-1", "HAT-1", "SOK-1"));
        }

        events.Add(app.View("me-1", "me", "HAT-1", TimeSpan.FromMinutes(3)));
        events.Add(app.AddToCart("me-2", "me", "JKT-2"));
        await app.PostEventsAsync([.. events]);
        await app.Get<RetrainingService>().RetrainAsync("test");
        await app.PumpAsync();
        return app;
    }

    private static async Task<RecommendationResponse> GetAsync(TestApp app, string query)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync($"/api/recommendations/{query}&count=10");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RecommendationResponse>(Json.Options))!;
    }

    private static async Task<HashSet<string>> ServedAnywhereAsync(TestApp app)
    {
        var served = new HashSet<string>(StringComparer.Ordinal);
        foreach (var placement in Placements)
        {
            served.UnionWith((await GetAsync(app, placement)).Items.Select(i => i.ProductId));
        }

        return served;
    }

    private static async Task PutCatalogAsync(TestApp app, IEnumerable<Product> products)
    {
        using var client = app.CreateClient();
        var response = await client.PutAsync("/api/admin/catalog", JsonContent.Create(products, options: Json.Options));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Theory]
    [InlineData("Hidden")]
    [InlineData("SearchOnly")]
    public async Task HiddenOrSearchOnly_LeavesEveryPlacement_FromAWarmCache_AtTheNextRequest(string visibility)
    {
        await using var app = await StoreAsync();
        var home = await GetAsync(app, "me?placement=home");
        Assert.Equal("cache", (await GetAsync(app, "me?placement=home")).Source); // warm: the kept answer is served again
        Assert.Contains(home.Items, i => i.ProductId == "JKT-3");
        Assert.Contains("HAT-1", await ServedAnywhereAsync(app)); // recently viewed at least
        Assert.Contains("JKT-3", await ServedAnywhereAsync(app));

        var kind = Enum.Parse<ProductVisibility>(visibility);
        await PutCatalogAsync(app, Catalog.Select(p => p.Id is "JKT-3" or "HAT-1" ? p with { Visibility = kind } : p));
        var served = await ServedAnywhereAsync(app);

        Assert.DoesNotContain("JKT-3", served);
        Assert.DoesNotContain("HAT-1", served);
        Assert.Contains("SOK-1", served);
    }

    [Fact]
    public async Task ACatalogChangeEvent_HidesAProduct_AtTheNextRequest()
    {
        await using var app = await StoreAsync();
        await GetAsync(app, "me?placement=home");
        Assert.Contains((await GetAsync(app, "me?placement=home")).Items, i => i.ProductId == "JKT-3");

        var response = await app.PostEventsAsync(new { id = "cc-1", type = "catalog_change", productId = "JKT-3", change = "stock", inStock = true, visibility = "hidden", occurredAt = app.Clock.GetUtcNow() });
        response.EnsureSuccessStatusCode();

        Assert.DoesNotContain("JKT-3", await ServedAnywhereAsync(app));
        Assert.Equal(ProductVisibility.Hidden, (await app.Get<CatalogProvider>().GetAsync())["JKT-3"].Visibility);
    }

    [Fact]
    public async Task AvailabilityWindow_LaunchIsInclusive_EndOfSaleExclusive_OnTheAppClock_EvenForAKeptAnswer()
    {
        await using var app = await StoreAsync();
        var now = app.Clock.GetUtcNow();
        var (launch, end) = (now.AddHours(1), now.AddHours(2));
        await PutCatalogAsync(app, Catalog.Select(p => p.Id == "JKT-3" ? p with { LaunchAt = launch, EndOfSaleAt = end } : p));

        async Task<bool> OnHomeAsync()
        {
            await GetAsync(app, "me?placement=home"); // the first answer is kept with the list ...
            return (await GetAsync(app, "me?placement=home")).Items.Any(i => i.ProductId == "JKT-3"); // ... and served again
        }

        Assert.False(await OnHomeAsync());
        Assert.DoesNotContain("JKT-3", await ServedAnywhereAsync(app));
        app.Clock.SetUtcNow(launch - TimeSpan.FromTicks(1));
        Assert.False(await OnHomeAsync());
        app.Clock.SetUtcNow(launch);
        Assert.True(await OnHomeAsync());
        Assert.Contains("JKT-3", await ServedAnywhereAsync(app));
        app.Clock.SetUtcNow(end - TimeSpan.FromTicks(1));
        Assert.True(await OnHomeAsync());
        app.Clock.SetUtcNow(end);
        Assert.False(await OnHomeAsync());
        Assert.DoesNotContain("JKT-3", await ServedAnywhereAsync(app));
    }

    [Fact]
    public async Task ACatalogWithAnUnknownVisibility_IsRefusedWith400()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var response = await client.PutAsync("/api/admin/catalog",
            new StringContent("""[{"id":"P1","name":"x","category":"c","price":1,"visibility":"secret"}]""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
