using System.Net.Http.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

/// <summary>
/// The already-seen policy per placement (<c>Recommender:Serving:Seen:{placement}</c>) at its boundaries,
/// on the fake clock: a view excluded for N days, back at the return weight at exactly N, full score at
/// N + decay; purchases excluded unless replenishable and due; the cart excluded — or not, as configured.
/// </summary>
public class AlreadySeenTests
{
    private static readonly Product[] Catalog =
    [
        new("JKT-1", "Parka", "jackets", 180m),
        new("JKT-2", "Rain jacket", "jackets", 120m),
        new("JKT-3", "Fleece", "jackets", 60m),
        new("HAT-1", "Beanie", "hats", 20m),
        new("HAT-2", "Cap", "hats", 15m),
        new("SOK-1", "Socks", "socks", 9m, ReplenishAfterDays: 30),
    ];

    private static async Task<(TestApp App, DateTimeOffset ViewedAt)> StoreAsync(params (string Key, string Value)[] seen)
    {
        var settings = new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded" };
        foreach (var (key, value) in seen)
        {
            settings[$"Recommender:Serving:Seen:{key}"] = value;
        }

        var app = new TestApp(settings: settings);
        await app.Get<CatalogProvider>().SaveAsync(Catalog);
        var shoppers = Enumerable.Range(0, 8).Select(i => $"s{i}").ToArray();
        await app.GrantAnalyticsAsync([.. shoppers, "me"]);
        var events = new List<object>();
        foreach (var s in shoppers)
        {
            events.AddRange(Catalog.Select((p, i) => app.View($"{s}-{i}", s, p.Id, TimeSpan.FromMinutes(30 - i))));
        }

        var viewedAt = app.Clock.GetUtcNow() - TimeSpan.FromMinutes(1);
        events.Add(app.View("me-1", "me", "HAT-1"));
        await app.PostEventsAsync([.. events]);
        await app.Get<RetrainingService>().RetrainAsync("test");
        await app.PumpAsync();
        return (app, viewedAt);
    }

    private static async Task<RecommendationResponse> GetAsync(TestApp app, string query)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync($"/api/recommendations/{query}&count=10");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RecommendationResponse>(Json.Options))!;
    }

    /// <summary>The item's score on the home list (null: not served), asked twice so the second answer may be a kept one.</summary>
    private static async Task<double?> HomeScoreAsync(TestApp app, string productId)
    {
        await GetAsync(app, "me?placement=home");
        return (await GetAsync(app, "me?placement=home")).Items.FirstOrDefault(i => i.ProductId == productId)?.Score;
    }

    [Fact]
    public async Task Viewed_IsExcludedForTheWindow_BackAtTheReturnWeightAtItsEnd_AndAtFullScoreAfterTheDecay()
    {
        var (app, viewedAt) = await StoreAsync(("home:ViewedExcludedFor", "1.00:00:00"), ("home:ViewedDecay", "2.00:00:00"), ("home:ViewedReturnWeight", "0.5"));
        await using var _ = app;

        Assert.Null(await HomeScoreAsync(app, "HAT-1"));
        app.Clock.SetUtcNow(viewedAt + TimeSpan.FromDays(1) - TimeSpan.FromTicks(1));
        Assert.Null(await HomeScoreAsync(app, "HAT-1"));
        app.Clock.SetUtcNow(viewedAt + TimeSpan.FromDays(1));
        var back = await HomeScoreAsync(app, "HAT-1");
        app.Clock.SetUtcNow(viewedAt + TimeSpan.FromDays(2));
        var halfway = await HomeScoreAsync(app, "HAT-1");
        app.Clock.SetUtcNow(viewedAt + TimeSpan.FromDays(3));
        var full = await HomeScoreAsync(app, "HAT-1");

        Assert.NotNull(full);
        Assert.True(full > 0);
        Assert.Equal(Math.Round(full!.Value * 0.5, 6), back!.Value, 6);
        Assert.Equal(Math.Round(full.Value * 0.75, 6), halfway!.Value, 6);
        Assert.Equal(full, await HomeScoreAsync(app, "HAT-1")); // and stays there
    }

    [Fact]
    public async Task ProductPlacement_ShowsViewsByDefault_AndHidesThemForItsConfiguredWindow()
    {
        var (plain, _) = await StoreAsync();
        await using (plain)
        {
            Assert.Contains((await GetAsync(plain, "me?placement=product&productId=JKT-3")).Items, i => i.ProductId == "HAT-1");
        }

        var (app, viewedAt) = await StoreAsync(("product:ViewedExcludedFor", "2.00:00:00"));
        await using var _ = app;
        Assert.DoesNotContain((await GetAsync(app, "me?placement=product&productId=JKT-3")).Items, i => i.ProductId == "HAT-1");
        Assert.Contains((await GetAsync(app, "me?placement=recently_viewed")).Items, i => i.ProductId == "HAT-1"); // home's and product's policies never empty recently viewed
        app.Clock.SetUtcNow(viewedAt + TimeSpan.FromDays(2) - TimeSpan.FromTicks(1));
        Assert.DoesNotContain((await GetAsync(app, "me?placement=product&productId=JKT-3")).Items, i => i.ProductId == "HAT-1");
        app.Clock.SetUtcNow(viewedAt + TimeSpan.FromDays(2));
        Assert.Contains((await GetAsync(app, "me?placement=product&productId=JKT-3")).Items, i => i.ProductId == "HAT-1");
        Assert.Contains((await GetAsync(app, "someone?placement=product&productId=JKT-3")).Items, i => i.ProductId == "HAT-1");
    }

    [Fact]
    public async Task Purchased_IsExcludedUntilAReplenishableComesDue_AndCartAndPurchasesCanBeAllowedPerPlacement()
    {
        var (app, _) = await StoreAsync(("also_bought:ExcludePurchased", "false"), ("also_bought:ExcludeCarted", "false"));
        await using var _ = app;
        var boughtAt = app.Clock.GetUtcNow();
        await app.PostEventsAsync(app.Purchase("me-buy", "me", "SOK-1", "JKT-2"), app.AddToCart("me-cart", "me", "HAT-2"));

        var page = await GetAsync(app, "me?placement=product&productId=JKT-3");
        Assert.DoesNotContain(page.Items, i => i.ProductId is "SOK-1" or "JKT-2" or "HAT-2");
        var allowed = await GetAsync(app, "me?placement=also_bought&productId=JKT-3");
        Assert.Contains(allowed.Items, i => i.ProductId == "JKT-2");
        Assert.Contains(allowed.Items, i => i.ProductId == "HAT-2");

        app.Clock.SetUtcNow(boughtAt + TimeSpan.FromDays(30) - TimeSpan.FromTicks(1));
        Assert.DoesNotContain((await GetAsync(app, "me?placement=product&productId=JKT-3")).Items, i => i.ProductId == "SOK-1");
        app.Clock.SetUtcNow(boughtAt + TimeSpan.FromDays(30));
        var due = await GetAsync(app, "me?placement=product&productId=JKT-3");
        Assert.Contains(due.Items, i => i.ProductId == "SOK-1");   // replenishable and due
        Assert.DoesNotContain(due.Items, i => i.ProductId == "JKT-2"); // bought, not replenishable
    }

    [Fact]
    public void ASeenPolicyForAnUnknownPlacementOrOutOfRange_StopsTheAppAtStart()
    {
        var unknown = TestApp.StartupError(new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", ["Recommender:Serving:Seen:homepage:ViewedExcludedFor"] = "1.00:00:00" });
        var weight = TestApp.StartupError(new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", ["Recommender:Serving:Seen:home:ViewedReturnWeight"] = "1.5" });

        Assert.Contains("Recommender:Serving:Seen", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("Recommender:Serving:Seen", weight.Message, StringComparison.Ordinal);
    }
}
