using System.Net.Http.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

/// <summary>
/// Dislikes — <c>not_interested</c>, a 1–2 star <c>review_write</c>, a <c>return</c> — take the product out of
/// that customer's lists at the next request (warm cache or not), down-weight its neighbours for them and
/// are never cited as a reason.
/// </summary>
public class NegativeFeedbackTests
{
    private static readonly Product[] Catalog =
    [
        new("JKT-1", "Parka", "jackets", 180m),
        new("JKT-2", "Rain jacket", "jackets", 120m),
        new("JKT-3", "Fleece", "jackets", 60m),
        new("HAT-1", "Beanie", "hats", 20m),
        new("HAT-2", "Cap", "hats", 15m),
        new("SOK-1", "Socks", "socks", 9m),
        new("BAG-1", "Backpack", "bags", 70m),
    ];

    /// <summary>
    /// Shoppers s* view the jackets and hats together; shoppers t* view BAG-1 with HAT-2 only. "me" viewed
    /// JKT-1 and JKT-2. Jaccard (the first training serves item-item Jaccard).
    /// </summary>
    private static async Task<TestApp> StoreAsync()
    {
        var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync(Catalog);
        var shoppers = Enumerable.Range(0, 8).Select(i => $"s{i}").ToArray();
        var others = Enumerable.Range(0, 4).Select(i => $"t{i}").ToArray();
        await app.GrantAnalyticsAsync([.. shoppers, .. others, "me"]);
        var events = new List<object>();
        foreach (var s in shoppers)
        {
            events.Add(app.View($"{s}-1", s, "JKT-1", TimeSpan.FromMinutes(30)));
            events.Add(app.View($"{s}-2", s, "JKT-2", TimeSpan.FromMinutes(29)));
            events.Add(app.View($"{s}-3", s, "JKT-3", TimeSpan.FromMinutes(28)));
            events.Add(app.View($"{s}-4", s, "HAT-1", TimeSpan.FromMinutes(27)));
            events.Add(app.View($"{s}-5", s, "HAT-2", TimeSpan.FromMinutes(26)));
        }

        foreach (var t in others)
        {
            events.Add(app.View($"{t}-1", t, "BAG-1", TimeSpan.FromMinutes(25)));
            events.Add(app.View($"{t}-2", t, "HAT-2", TimeSpan.FromMinutes(24)));
        }

        events.Add(app.View("me-1", "me", "JKT-1", TimeSpan.FromMinutes(3)));
        events.Add(app.View("me-2", "me", "JKT-2", TimeSpan.FromMinutes(2)));
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

    private static object NotInterested(TestApp app, string id, string customer, string product) =>
        new { id, type = "not_interested", customerId = customer, productId = product, occurredAt = app.Clock.GetUtcNow() };

    private static object Review(TestApp app, string id, string customer, string product, int rating) =>
        new { id, type = "review_write", customerId = customer, productId = product, rating, occurredAt = app.Clock.GetUtcNow() };

    [Fact]
    public async Task NotInterested_LeavesTheWarmCachedHomeList_OnTheNextRequest()
    {
        await using var app = await StoreAsync();
        await GetAsync(app, "me?placement=home&count=5");
        var before = await GetAsync(app, "me?placement=home&count=5"); // served again: the kept answer
        Assert.Equal("cache", before.Source);
        var disliked = before.Items[0].ProductId;

        (await app.PostEventsAsync(NotInterested(app, "no-1", "me", disliked))).EnsureSuccessStatusCode();
        var after = await GetAsync(app, "me?placement=home&count=5");

        Assert.DoesNotContain(after.Items, i => i.ProductId == disliked);
        Assert.NotEmpty(after.Items);
        var stranger = await GetAsync(app, "someone?placement=home&count=10");
        Assert.Contains(stranger.Items, i => i.ProductId == disliked); // only for the customer who said so
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    public async Task LowRating_IsADislike_OnEveryPlacement(int rating, bool excluded)
    {
        await using var app = await StoreAsync();

        await app.PostEventsAsync(Review(app, "rv-1", "me", "HAT-1", rating));
        var product = await GetAsync(app, "me?placement=product&productId=JKT-3&count=10");
        var home = await GetAsync(app, "me?placement=home&count=10");

        Assert.Equal(excluded, !product.Items.Any(i => i.ProductId == "HAT-1"));
        Assert.Equal(excluded, !home.Items.Any(i => i.ProductId == "HAT-1"));
    }

    [Fact]
    public async Task Return_IsADislike_AViewDoesNotLiftIt_ACartAddDoes()
    {
        await using var app = await StoreAsync();

        await app.PostEventsAsync(app.Return("ret-1", "me", "order-x", "HAT-1"));
        var afterReturn = await GetAsync(app, "me?placement=product&productId=JKT-3&count=10");
        await app.PostEventsAsync(app.View("me-again", "me", "HAT-1", TimeSpan.Zero));
        var afterView = await GetAsync(app, "me?placement=product&productId=JKT-3&count=10");
        await app.PostEventsAsync(app.AddToCart("me-cart", "me", "HAT-1"), app.RemoveFromCart("me-uncart", "me", "HAT-1"));
        var afterCart = await GetAsync(app, "me?placement=product&productId=JKT-3&count=10");

        Assert.DoesNotContain(afterReturn.Items, i => i.ProductId == "HAT-1");
        Assert.DoesNotContain(afterView.Items, i => i.ProductId == "HAT-1"); // looking again is not changing one's mind
        Assert.Contains(afterCart.Items, i => i.ProductId == "HAT-1");       // putting it in the cart is
    }

    [Fact]
    public async Task NeighboursOfADislikedProduct_AreDownWeightedForThatCustomerOnly()
    {
        await using var app = await StoreAsync();
        // BAG-1's only neighbour is HAT-2; HAT-1 is no neighbour of BAG-1.
        var before = await GetAsync(app, "me?placement=product&productId=JKT-3&count=10");

        await app.PostEventsAsync(NotInterested(app, "no-bag", "me", "BAG-1"));
        var mine = await GetAsync(app, "me?placement=product&productId=JKT-3&count=10");
        var stranger = await GetAsync(app, "someone?placement=product&productId=JKT-3&count=10");

        double Score(RecommendationResponse r, string id) => r.Items.Single(i => i.ProductId == id).Score;
        Assert.True(Score(before, "HAT-2") > 0);
        Assert.Equal(Math.Round(Score(before, "HAT-2") * (1 - NegativeFeedback.NeighbourPenalty), 6), Score(mine, "HAT-2"), 6);
        Assert.Equal(Score(before, "HAT-1"), Score(mine, "HAT-1"), 6);
        Assert.Equal(Score(before, "HAT-2"), Score(stranger, "HAT-2"), 6);
    }

    [Fact]
    public async Task ADislikedProduct_IsNeverCitedAsAReason()
    {
        await using var app = await StoreAsync();
        var before = await GetAsync(app, "me?placement=home&count=5");
        var cited = before.Items.First(i => i.ReasonCode.StartsWith("viewed:", StringComparison.Ordinal)).ReasonCode["viewed:".Length..];
        var name = Catalog.Single(p => p.Id == cited).Name;
        var page = await GetAsync(app, $"me?placement=product&productId={cited}&count=5");
        Assert.Contains(page.Items, i => i.ReasonCode == $"similar:{cited}");

        await app.PostEventsAsync(NotInterested(app, "no-jkt", "me", cited));
        var home = await GetAsync(app, "me?placement=home&count=5");
        var samePage = await GetAsync(app, $"me?placement=product&productId={cited}&count=5");

        Assert.NotEmpty(home.Items);
        Assert.All(home.Items, i => Assert.DoesNotContain(cited, i.ReasonCode, StringComparison.Ordinal));
        Assert.All(home.Items, i => Assert.DoesNotContain(name, i.Reason, StringComparison.Ordinal));
        Assert.NotEmpty(samePage.Items);
        Assert.All(samePage.Items, i => Assert.DoesNotContain(cited, i.ReasonCode, StringComparison.Ordinal));
    }
}
