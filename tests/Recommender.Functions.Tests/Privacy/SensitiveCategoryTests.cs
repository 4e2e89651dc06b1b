using System.Net.Http.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

/// <summary>No sensitive trait is ever inferred, and prices are never personalized.</summary>
public class SensitiveCategoryTests
{
    [Fact]
    public async Task SensitiveProducts_NeverFeedFeaturesSeedsOrExplanations_AndPricesAreTheCatalogs()
    {
        await using var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync([
            new Product("PREG-1", "Pregnancy test", "pregnancy", 12m, Brand: "care"),
            new Product("VIT-1", "Prenatal vitamins", "health", 20m, Brand: "care"),
            new Product("MUG-1", "Mug", "kitchen", 8m, Brand: "home"),
            new Product("TEA-1", "Tea", "kitchen", 5m, Brand: "home"),
        ]);
        var shoppers = new[] { "a", "b", "c", "me" };
        await app.GrantAnalyticsAsync(shoppers);
        var events = new List<object>();
        foreach (var s in shoppers)
        {
            events.Add(app.View($"{s}-1", s, "PREG-1", TimeSpan.FromMinutes(5)));
            events.Add(app.View($"{s}-2", s, "VIT-1", TimeSpan.FromMinutes(4)));
            events.Add(app.View($"{s}-3", s, "MUG-1", TimeSpan.FromMinutes(3)));
            events.Add(app.View($"{s}-4", s, "TEA-1", TimeSpan.FromMinutes(2)));
        }

        events.Add(app.AddToCart("me-cart", "me", "PREG-1", 12m));
        await app.PostEventsAsync([.. events]);
        await app.Get<RetrainingService>().RetrainAsync("test");
        await app.PumpAsync();

        var profile = (await app.Get<ProfileStore>().GetAsync("me"))!;
        Assert.DoesNotContain(profile.RecentViews, v => v.ProductId is "PREG-1" or "VIT-1");
        Assert.False(profile.CategoryAffinities.ContainsKey("pregnancy"));
        Assert.False(profile.CategoryAffinities.ContainsKey("health"));
        Assert.False(profile.BrandAffinities.ContainsKey("care"));
        Assert.Contains("PREG-1", profile.Cart.Keys); // the cart still works

        using var client = app.CreateClient();
        foreach (var placement in new[] { "home", "cart", "email" })
        {
            var response = await client.GetFromJsonAsync<RecommendationResponse>($"/api/recommendations/me?placement={placement}&count=10", Json.Options);
            Assert.All(response!.Items, i => Assert.DoesNotContain("PREG-1", i.ReasonCode, StringComparison.Ordinal));
            Assert.All(response.Items, i => Assert.DoesNotContain("VIT-1", i.ReasonCode, StringComparison.Ordinal));
            Assert.All(response.Items, i => Assert.DoesNotContain("Pregnancy", i.Reason, StringComparison.Ordinal));
        }

        // Prices are the catalog's, whoever asks.
        var catalog = await app.Get<CatalogProvider>().GetAsync();
        foreach (var customer in new[] { "me", "a", "stranger" })
        {
            var response = await client.GetFromJsonAsync<RecommendationResponse>($"/api/recommendations/{customer}?placement=trending&count=10", Json.Options);
            Assert.All(response!.Items, i => Assert.Equal(catalog[i.ProductId].Price, i.Price));
        }
    }
}
