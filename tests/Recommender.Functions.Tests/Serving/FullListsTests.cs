using System.Net;
using System.Net.Http.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

/// <summary>
/// No placement and no strategy — whether the placement, an experiment variant or the bandit chose it —
/// returns fewer items than asked while the catalog holds enough: every list falls back and tops up.
/// The store here is quiet (nothing in the last 24 h, so trending is empty) and small.
/// </summary>
public sealed class FullListsTests
{
    private const int Count = 10;
    private static readonly string[] Categories = ["shoes", "bags", "hats"];

    private static async Task<TestApp> QuietStoreAsync()
    {
        var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync([.. Enumerable.Range(0, 30).Select(i => new Product($"P{i:00}", $"Product {i}", Categories[i % 3], 10m + i))]);
        var customers = Enumerable.Range(0, 40).Select(i => $"c-{i:00}").ToArray();
        await app.GrantAnalyticsAsync(customers);
        var events = new List<object>();
        for (var i = 0; i < customers.Length; i++)
        {
            // Two days ago: the archive, popularity and the model know it; the 24 h trending window does not.
            events.Add(app.View($"v1-{i}", customers[i], $"P{i % 6:00}", TimeSpan.FromDays(2)));
            events.Add(app.View($"v2-{i}", customers[i], $"P{(i + 1) % 6:00}", TimeSpan.FromDays(2) - TimeSpan.FromMinutes(5)));
        }

        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventsAsync(events.ToArray())).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventsAsync(app.AddToCart("cart-1", "c-00", "P00"))).StatusCode);
        await app.Get<RetrainingService>().RetrainAsync();
        await app.PumpAsync();
        return app;
    }

    private static object Experiment(TestApp app, string placement) => new
    {
        placement,
        variants = new[] { new { name = "trending", weight = 1 }, new { name = "popular", weight = 1 }, new { name = "personalized", weight = 1 } },
        startsAt = app.Clock.GetUtcNow().AddHours(-1),
        endsAt = app.Clock.GetUtcNow().AddDays(14),
    };

    [Theory]
    [InlineData("home")]
    [InlineData("email")]
    public async Task EveryStrategyOfAnExperiment_FillsTheList_AndIsCreditedWithWhatItServed(string placement)
    {
        await using var app = await QuietStoreAsync();
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/admin/experiments/exp-{placement}", Experiment(app, placement), Json.Options)).StatusCode);

        var seen = new HashSet<string>();
        foreach (var customer in Enumerable.Range(0, 40).Select(i => $"c-{i:00}").Append("someone-new"))
        {
            var response = await client.GetFromJsonAsync<RecommendationResponse>($"/api/recommendations/{customer}?placement={placement}&count={Count}", Json.Options);

            seen.Add(response!.Variant!);
            Assert.True(response.Items.Count == Count, $"{placement}, variant {response.Variant}, {customer}: {response.Items.Count} items from {response.Source}");
            Assert.Equal(Count, response.Items.Select(i => i.ProductId).Distinct().Count());
            // The bandit is credited with the strategy whose list was served (popular when trending fell back).
            Assert.Equal(response.Source == "popular" ? "popular" : response.Variant, response.Strategy);
            Assert.EndsWith($".{response.Strategy}", BanditPolicy.ArmOf(response.RecommendationId), StringComparison.Ordinal);
        }

        Assert.Equal(["personalized", "popular", "trending"], seen.Order());
    }

    [Theory]
    [InlineData("home", "")]
    [InlineData("email", "")]
    [InlineData("product", "&productId=P01")]
    [InlineData("product", "&productId=P29")] // nobody viewed it: catalog similarity, then filler
    [InlineData("also_bought", "&productId=P01")]
    [InlineData("complete_the_look", "&productId=P01")]
    [InlineData("cart", "")]
    [InlineData("trending", "")]
    [InlineData("trending", "&window=1h")]
    [InlineData("trending", "&window=7d")]
    [InlineData("trending", "&category=bags")]
    public async Task EveryPlacement_FillsTheList_ForKnownAndUnknownCustomers(string placement, string query)
    {
        await using var app = await QuietStoreAsync();
        using var client = app.CreateClient();

        foreach (var customer in new[] { "c-00", "c-07", "someone-new" })
        {
            var response = await client.GetFromJsonAsync<RecommendationResponse>($"/api/recommendations/{customer}?placement={placement}&count={Count}{query}", Json.Options);

            Assert.True(response!.Items.Count == Count, $"{placement}{query}, {customer}: {response.Items.Count} items from {response.Source}");
            Assert.Equal(Count, response.Items.Select(i => i.ProductId).Distinct().Count());
            Assert.All(response.Items, i => Assert.False(string.IsNullOrEmpty(i.Reason)));
            if (query.Contains("productId", StringComparison.Ordinal))
            {
                Assert.DoesNotContain(response.Items, i => query.EndsWith(i.ProductId, StringComparison.Ordinal));
            }

            if (query.Contains("category=bags", StringComparison.Ordinal))
            {
                Assert.All(response.Items, i => Assert.Equal("bags", i.Category));
            }
        }
    }
}
