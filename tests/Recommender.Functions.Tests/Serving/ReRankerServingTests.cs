using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;
using Recommender.Models.Algorithms;

namespace Recommender.Functions.Tests;

/// <summary>The LightGBM LambdaRank re-ranker in production: a training candidate, gated, recorded, served (issue 12, deliverable 2).</summary>
public class ReRankerServingTests
{
    private const int Categories = 4;
    private const int PerCategory = 25;
    private const int Customers = 240;

    /// <summary>Relevance only: the served order is the cached order, so what is asserted is the model's order.</summary>
    private static readonly Dictionary<string, string> RelevanceOnly = new() { ["Recommender:Serving:Diversity"] = "1" };

    private static string Id(int category, int item) => $"c{category}-i{item:D2}";

    private static string CategoryOf(string productId) => productId[..2];

    /// <summary>
    /// A store where the category clearly matters (as <c>ReRankingTrainerTests.CategoryStore</c>): each
    /// customer has a favourite category; every other one of their first ten purchases is in it, the
    /// rest are popular products from anywhere, and their last three purchases are in it — all through
    /// the API (catalog, consents, purchases over the last three weeks).
    /// </summary>
    private static async Task<TestApp> CategoryStoreAsync(Action<IServiceCollection>? services = null)
    {
        var app = new TestApp(settings: RelevanceOnly) { TestServices = services };
        using var client = app.CreateClient();
        var catalog = Enumerable.Range(0, Categories).SelectMany(c => Enumerable.Range(0, PerCategory)
            .Select(i => new { id = Id(c, i), name = $"Item {c}-{i}", category = $"cat-{c}", price = 10m + (10 * c) })).ToList();
        (await client.PutAsJsonAsync("/api/admin/catalog", catalog)).EnsureSuccessStatusCode();
        var customers = Enumerable.Range(0, Customers).Select(u => $"u{u:D3}").ToArray();
        await app.GrantAnalyticsAsync(customers);
        var random = new Random(11);
        var events = new List<object>();
        var now = app.Clock.GetUtcNow();
        for (var u = 0; u < Customers; u++)
        {
            var favourite = u % Categories;
            var at = now.AddDays(-21 + random.Next(3)).AddHours(random.Next(24));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var n = 0; n < 13; n++)
            {
                string item;
                do
                {
                    item = n >= 10 || n % 2 == 0
                        ? Id(favourite, random.Next(PerCategory))
                        : Id(random.Next(Categories), (int)(Math.Pow(random.NextDouble(), 3) * PerCategory));
                }
                while (!seen.Add(item));

                at = at.AddHours(1 + random.Next(30));
                events.Add(new { id = $"{customers[u]}-{n}", type = "purchase", customerId = customers[u], orderId = $"o-{customers[u]}-{n}", occurredAt = at, lines = new[] { new { productId = item, quantity = 1, price = 10m } } });
            }
        }

        foreach (var batch in events.Chunk(400))
        {
            (await app.PostEventsAsync(batch)).EnsureSuccessStatusCode();
        }

        await app.PumpAsync();
        return app;
    }

    [Fact]
    public async Task Run_RecordsTheReRankerWithItsMetric_AndThePromotedReRankerOrdersTheServedHomeLists()
    {
        await using var app = await CategoryStoreAsync();
        using var client = app.CreateClient();

        var started = await client.PostAsync("/api/admin/retrain", null);
        await app.PumpAsync();
        var run = (await app.Get<TrainingWorkflow>().GetAsync(started.Headers.Location!.ToString().Split('/')[^1]))!;

        // The candidate is trained, evaluated as served and recorded with its metric.
        var ltr = run.Candidates.Single(c => c.Algorithm == "ease+ltr");
        Assert.Null(ltr.Skipped);
        Assert.True(ltr.Metrics["ndcg@10"] > run.Candidates.Single(c => c.Algorithm == "ease").Metrics["ndcg@10"]);
        Assert.Equal("promoted", run.Status);
        Assert.Equal("ease+ltr", run.Chosen);
        var manifest = (await app.Get<ModelStore>().GetManifestAsync(run.ModelVersion!))!;
        Assert.Equal("ease+ltr", manifest.Algorithm);
        Assert.Equal(ltr.Metrics["ndcg@10"], manifest.Candidates!["ease+ltr"]);
        Assert.Equal("ease", manifest.ReRanker!.Base);
        Assert.Equal(ReRankFeatures.Names, manifest.ReRanker.Features);

        // Over HTTP, the home lists are the re-ranked lists, not the base model's.
        var model = await app.Get<ModelStore>().GetCurrentAsync();
        Assert.NotNull(model.ReRanker);
        var products = await app.Get<CatalogProvider>().GetAsync();
        var scoring = app.Get<IOptions<ServingOptions>>().Value.UserScoring;
        var (served, favouriteServed, favouriteBase, differing) = (0, 0, 0, 0);
        foreach (var customer in Enumerable.Range(0, Customers).Where(u => u % 8 == 0).Select(u => $"u{u:D3}"))
        {
            var response = await client.GetFromJsonAsync<JsonElement>($"/api/recommendations/{customer}?placement=home&count=10");
            Assert.Equal("cache", response.GetProperty("source").GetString());
            var list = response.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("productId").GetString()!).ToList();
            var profile = (await app.Get<ProfileStore>().GetAsync(customer))!;
            var reRanked = RecommendationEngine.ForCustomer(profile, model, products, 10, scoring).Select(i => i.ProductId).ToList();
            var baseList = RecommendationEngine.ForCustomer(profile, model with { ReRanker = null }, products, 10, scoring).Select(i => i.ProductId).ToList();
            Assert.Equal(reRanked, list);
            var favourite = CategoryOf(Id(int.Parse(customer[1..], System.Globalization.CultureInfo.InvariantCulture) % Categories, 0));
            served++;
            favouriteServed += list.Count(p => CategoryOf(p) == favourite);
            favouriteBase += baseList.Count(p => CategoryOf(p) == favourite);
            differing += list.SequenceEqual(baseList) ? 0 : 1;
        }

        Assert.True(differing > served / 2, $"{differing} of {served} lists differ from the base model's");
        Assert.True(favouriteServed > favouriteBase, $"favourite-category items: re-ranked {favouriteServed}, base {favouriteBase}");
    }

    [Fact]
    public async Task LightGbmThatCannotLoad_SkipsTheCandidateWithTheReason_AndTheRunPromotesAnother()
    {
        await using var app = await CategoryStoreAsync(services => services.AddSingleton<LambdaRankFit>((_, _) =>
            throw new TypeInitializationException("LightGbmInterfaceUtils", new DllNotFoundException("Unable to load shared library 'lib_lightgbm'"))));

        var started = await app.Get<TrainingWorkflow>().StartAsync("test");
        await app.PumpAsync();
        var run = (await app.Get<TrainingWorkflow>().GetAsync(started.RunId))!;

        Assert.Equal("promoted", run.Status);
        var ltr = run.Candidates.Single(c => c.Algorithm == "ease+ltr");
        Assert.Contains("lib_lightgbm", ltr.Skipped, StringComparison.Ordinal);
        Assert.Empty(ltr.Metrics);
        Assert.NotEqual("ease+ltr", run.Chosen);
        var manifest = (await app.Get<ModelStore>().GetManifestAsync(run.ModelVersion!))!;
        Assert.Contains("lib_lightgbm", manifest.SkippedCandidates!["ease+ltr"], StringComparison.Ordinal);
        Assert.Null((await app.Get<ModelStore>().GetCurrentAsync()).ReRanker);
    }
}
