using System.Net;
using System.Net.Http.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

/// <summary>
/// Product-page placements: popular filler comes after the real candidates with lower scores (scores
/// fall along the list whatever source an item came from), and every reason is true — only what was
/// bought with the product "completes the look".
/// </summary>
public sealed class ProductPageTests
{
    private static readonly string[] Categories = ["shoes", "bags", "hats"];

    /// <summary>P00-P05 viewed by many (popular, with large counts); P01 (bags) bought with P03 (shoes, twice) and P05 (hats).</summary>
    private static async Task<TestApp> StoreAsync()
    {
        var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync([.. Enumerable.Range(0, 30).Select(i => new Product($"P{i:00}", $"Product {i}", Categories[i % 3], 10m + i))]);
        var customers = Enumerable.Range(0, 40).Select(i => $"c-{i:00}").ToArray();
        await app.GrantAnalyticsAsync(customers);
        var events = new List<object>();
        for (var i = 0; i < customers.Length; i++)
        {
            events.Add(app.View($"v1-{i}", customers[i], $"P{i % 6:00}", TimeSpan.FromHours(3)));
            events.Add(app.View($"v2-{i}", customers[i], $"P{(i + 1) % 6:00}", TimeSpan.FromHours(2)));
        }

        events.Add(app.Purchase("buy-1", "c-01", "P01", "P03"));
        events.Add(app.Purchase("buy-2", "c-02", "P01", "P03"));
        events.Add(app.Purchase("buy-3", "c-03", "P01", "P05"));
        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventsAsync(events.ToArray())).StatusCode);
        await app.Get<RetrainingService>().RetrainAsync();
        await app.PumpAsync();
        return app;
    }

    private static bool IsFiller(RecommendationView item) => item.ReasonCode is "popular" or "catalog" || item.ReasonCode.StartsWith("trending", StringComparison.Ordinal);

    [Theory]
    [InlineData("product")]
    [InlineData("also_bought")]
    [InlineData("complete_the_look")]
    public async Task FillerComesAfterRealCandidates_WithLowerScores(string placement)
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();

        var response = await client.GetFromJsonAsync<RecommendationResponse>($"/api/recommendations/someone?placement={placement}&productId=P01&count=12", Json.Options);

        var items = response!.Items;
        Assert.Equal(12, items.Count);
        Assert.Contains(items, i => !IsFiller(i));
        if (placement == "product")
        {
            // A product page tops up with catalog-similar products (true reasons) before any filler (issue 15, coverage).
            var firstContent = items.ToList().FindIndex(i => i.ReasonCode.StartsWith("content:", StringComparison.Ordinal));
            Assert.True(firstContent > 0, "neighbours first, then content");
            Assert.All(items.Skip(firstContent), i => Assert.True(i.ReasonCode.StartsWith("content:", StringComparison.Ordinal) || IsFiller(i), $"{i.ProductId} ({i.ReasonCode}) after content"));
        }
        else
        {
            Assert.Contains(items, IsFiller);
        }

        var firstFiller = items.ToList().FindIndex(IsFiller);
        Assert.All(items.Skip(firstFiller < 0 ? items.Count : firstFiller), i => Assert.True(IsFiller(i), $"{i.ProductId} ({i.ReasonCode}) after filler"));
        for (var i = 1; i < items.Count; i++)
        {
            Assert.True(items[i].Score <= items[i - 1].Score, $"{placement}: {items[i].ProductId} ({items[i].ReasonCode}) scores {items[i].Score} above {items[i - 1].ProductId} ({items[i - 1].ReasonCode}) {items[i - 1].Score}");
        }
    }

    /// <summary>
    /// Issue 15, item 9 (coverage): a product nobody has interacted with gets a full product-page list (10 items)
    /// of in-stock products whose reason holds — catalog neighbours sharing its category or brand — never filler,
    /// never a sold-out product, never itself.
    /// </summary>
    [Fact]
    public async Task ProductNobodyInteractedWith_GetsAFullListOfInStockContentNeighbours_WithTrueReasons()
    {
        await using var app = new TestApp();
        var shoes = Enumerable.Range(1, 14).Select(i => new Product($"S{i:00}", $"Shoe {i}", "shoes", 40m + i, InStock: i <= 12, Brand: i % 2 == 0 ? "north" : "south")).ToList();
        var bags = Enumerable.Range(1, 10).Select(i => new Product($"B{i:00}", $"Bag {i}", "bags", 30m + i, Brand: "west")).ToList();
        await app.Get<CatalogProvider>().SaveAsync([.. shoes, .. bags]);
        var customers = Enumerable.Range(0, 12).Select(i => $"c-{i:00}").ToArray();
        await app.GrantAnalyticsAsync(customers);
        var events = customers.SelectMany((c, i) => new[]
        {
            app.View($"vb-{i}", c, $"B{1 + (i % 5):00}", TimeSpan.FromHours(2)),
            app.View($"vs-{i}", c, $"S{2 + (i % 3):00}", TimeSpan.FromHours(1)),
        }).ToArray();
        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventsAsync(events)).StatusCode);
        await app.Get<RetrainingService>().RetrainAsync();
        await app.PumpAsync();
        Assert.Empty((await app.Get<ModelStore>().GetCurrentAsync()).NeighborsOf("S01")); // nobody interacted with it
        using var client = app.CreateClient();

        var response = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/someone-new?placement=product&productId=S01&count=10", Json.Options);

        var items = response!.Items;
        Assert.Equal(10, items.Count);
        var catalog = await app.Get<CatalogProvider>().GetAsync();
        Assert.All(items, i =>
        {
            Assert.Equal("content:S01", i.ReasonCode);
            Assert.Equal("Similar to Shoe 1", i.Reason);
            Assert.True(catalog[i.ProductId].InStock, $"{i.ProductId} is sold out");
            Assert.True(CatalogSimilarity.Score(catalog["S01"], catalog[i.ProductId]) > 0, $"{i.ProductId} shares nothing with S01");
        });
        Assert.DoesNotContain(items, i => i.ProductId is "S01" or "S13" or "S14");
        // Same category and brand first: the five other in-stock "south" shoes (S03, S05, S07, S09, S11) lead.
        Assert.Equal(["S03", "S05", "S07", "S09", "S11"], items.Take(5).Select(i => i.ProductId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CompleteTheLook_SaysSoOnlyOfWhatWasBoughtWithTheProduct()
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();

        var response = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/someone?placement=complete_the_look&productId=P01&count=12", Json.Options);

        var complements = response!.Items.Where(i => i.Reason.StartsWith("Completes the look", StringComparison.Ordinal)).Select(i => i.ProductId).ToList();
        Assert.Equal(["P03", "P05"], complements); // bought with P01 (bags): shoes and hats; P03 twice
        Assert.All(response.Items.Where(IsFiller), i => Assert.DoesNotContain("Completes the look", i.Reason, StringComparison.Ordinal));
        Assert.All(response.Items.Where(i => !complements.Contains(i.ProductId)), i => Assert.DoesNotContain("complements:", i.ReasonCode, StringComparison.Ordinal));
    }
}
