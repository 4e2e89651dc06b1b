using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

public class RecommendationsTests
{
    /// <summary>
    /// Ten customers who viewed A then B, five who viewed A then C: after training, a customer who
    /// viewed A is recommended B before C, each "because you viewed A".
    /// </summary>
    /// <param name="catalog">Products A, B, C, D and OUT (out of stock); plain ones when null.</param>
    internal static async Task<TestApp> AppWithHistoryAsync(IReadOnlyCollection<Product>? catalog = null)
    {
        var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync(catalog ?? new[] { "A", "B", "C", "D", "OUT" }
            .Select(id => new Product(id, $"Product {id}", "cat", 10m, InStock: id != "OUT")).ToList());
        await app.GrantAnalyticsAsync([.. Enumerable.Range(0, 10).Select(i => $"fan-{i}"), "me"]);
        var events = new List<object>();
        for (var i = 0; i < 10; i++)
        {
            events.Add(app.View($"a{i}", $"fan-{i}", "A", TimeSpan.FromMinutes(10)));
            events.Add(app.View($"b{i}", $"fan-{i}", i < 5 ? "C" : "B", TimeSpan.FromMinutes(5)));
            events.Add(app.View($"x{i}", $"fan-{i}", "B", TimeSpan.FromMinutes(4)));
            events.Add(app.View($"o{i}", $"fan-{i}", "OUT", TimeSpan.FromMinutes(3)));
        }

        events.Add(app.View("me-1", "me", "A"));
        await app.PostEventsAsync(events.ToArray());
        await app.Get<RetrainingService>().RetrainAsync();
        await app.PumpAsync();
        return app;
    }

    [Fact]
    public async Task Home_ServesTheCachedListWithAReasonOnEveryItem()
    {
        await using var app = await AppWithHistoryAsync();
        using var client = app.CreateClient();

        var response = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/me?count=3", Json.Options);

        Assert.Equal("cache", response!.Source);
        Assert.Equal(["B", "C"], response.Items.Take(2).Select(i => i.ProductId));
        Assert.All(response.Items.Take(2), i => Assert.Equal("viewed:A", i.ReasonCode));
        Assert.Equal("Because you viewed Product A", response.Items[0].Reason);
        Assert.All(response.Items, i => Assert.False(string.IsNullOrEmpty(i.Reason)));
        Assert.DoesNotContain(response.Items, i => i.ProductId is "A" or "OUT");
        Assert.StartsWith("rec-", response.RecommendationId, StringComparison.Ordinal);
        var cached = await app.Get<Domain.Ports.IDocumentStore>().GetAsync<CachedRecommendations>(Collections.Recommendations, "me", "me");
        Assert.Equal(response.ModelVersion, cached!.ModelVersion);
    }

    [Fact]
    public async Task Home_WithTheListHeldInMemory_SeesStockWithdrawalAndErasureOnTheVeryNextRequest()
    {
        await using var app = await AppWithHistoryAsync();
        using var client = app.CreateClient();
        Task<RecommendationResponse?> HomeAsync() => client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/me?count=3", Json.Options);
        var first = await HomeAsync();
        var second = await HomeAsync(); // served from the list the store keeps in memory
        Assert.True(second!.Personalized);
        Assert.Equal(first!.Items.Select(i => i.ProductId), second.Items.Select(i => i.ProductId));
        Assert.Contains(second.Items, i => i.ProductId == "B");

        await app.PostEventsAsync(new { id = "stock-b", type = "catalog_change", productId = "B", change = "stock", inStock = false, occurredAt = app.Clock.GetUtcNow() });
        var soldOut = await HomeAsync();
        await app.PostEventsAsync(app.Consent("me-off", "me", false, "analytics"));
        var withdrawn = await HomeAsync();
        await app.PostEventsAsync(app.Consent("me-on", "me", true, "analytics"));
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await app.PostEventsAsync(app.View("me-2", "me", "A", TimeSpan.Zero));
        await app.PumpAsync();
        var restored = await HomeAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = "me" })).StatusCode);
        await app.PumpAsync();
        var erased = await HomeAsync();

        Assert.DoesNotContain(soldOut!.Items, i => i.ProductId == "B");
        Assert.True(soldOut.Personalized);
        Assert.False(withdrawn!.Personalized);
        Assert.True(restored!.Personalized);
        Assert.False(erased!.Personalized);
        Assert.NotEqual("cache", erased.Source);
    }

    [Fact]
    public async Task Home_ExcludesWhatTheCustomerBoughtSinceTheListWasCached()
    {
        await using var app = await AppWithHistoryAsync();
        using var client = app.CreateClient();
        var cached = await app.Get<Domain.Ports.IDocumentStore>().GetAsync<CachedRecommendations>(Collections.Recommendations, "me", "me");
        Assert.Contains(cached!.Items, i => i.ProductId == "B");

        await app.PostEventsAsync(app.Purchase("buy-b", "me", "B"));
        var response = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/me", Json.Options);

        Assert.DoesNotContain(response!.Items, i => i.ProductId == "B");
    }

    [Fact]
    public async Task UnknownCustomer_GetsPopularItems()
    {
        await using var app = await AppWithHistoryAsync();
        using var client = app.CreateClient();

        var response = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/stranger?count=2", Json.Options);

        Assert.Equal("popular", response!.Source);
        Assert.Equal(2, response.Items.Count);
        Assert.All(response.Items, i => Assert.Equal("popular", i.ReasonCode));
        Assert.Equal("A", response.Items[0].ProductId);
    }

    [Fact]
    public async Task ProductPlacement_ReturnsItemsViewedTogether()
    {
        await using var app = await AppWithHistoryAsync();
        using var client = app.CreateClient();

        var response = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/stranger?placement=product&productId=A&count=2", Json.Options);

        Assert.Equal(["B", "C"], response!.Items.Select(i => i.ProductId));
        Assert.All(response.Items, i => Assert.Equal("similar:A", i.ReasonCode));
    }

    [Fact]
    public async Task BeforeAnyTraining_PopularComesFromRealTimeCounters()
    {
        await using var app = new TestApp();
        await app.PostEventsAsync(app.View("v1", "c1", "hot"), app.View("v2", "c2", "hot"), app.View("v3", "c3", "cold"));
        using var client = app.CreateClient();

        var response = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/nobody", Json.Options);

        Assert.Equal(["hot", "cold"], response!.Items.Select(i => i.ProductId));
        Assert.Equal("none", response.ModelVersion);
    }

    [Theory]
    [InlineData("/api/recommendations/me?placement=sideways", "placement")]
    [InlineData("/api/recommendations/me?count=0", "count")]
    [InlineData("/api/recommendations/me?count=51", "count")]
    [InlineData("/api/recommendations/me?count=ten", "count")]
    [InlineData("/api/recommendations/me?placement=product", "productId")]
    [InlineData("/api/recommendations/me?placement=product&productId=%3Cscript%3E", "productId")]
    [InlineData("/api/recommendations/bad%20id", "customerId")]
    public async Task BadParameters_Are400WithTheFieldNamed(string url, string field)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await TestApp.ReadJsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Retrain_ThroughTheAdminEndpoint_RefreshesEveryCachedList()
    {
        await using var app = await AppWithHistoryAsync();
        using var client = app.CreateClient();
        var before = await app.Get<Domain.Ports.IDocumentStore>().GetAsync<CachedRecommendations>(Collections.Recommendations, "fan-1", "fan-1");

        var response = await client.PostAsync("/api/admin/retrain", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var refreshed = await app.PumpAsync(); // the training run, then its 32 refresh tasks
        var run = await TestApp.ReadJsonAsync(await client.GetAsync(response.Headers.Location));

        Assert.Equal("promoted", run.GetProperty("status").GetString());
        var version = run.GetProperty("modelVersion").GetString();
        Assert.NotEqual(before!.ModelVersion, version);
        Assert.Equal(33, refreshed);
        foreach (var customer in new[] { "me", "fan-0", "fan-9" })
        {
            var after = await app.Get<Domain.Ports.IDocumentStore>().GetAsync<CachedRecommendations>(Collections.Recommendations, customer, customer);
            Assert.Equal(version, after!.ModelVersion);
        }
    }
}
