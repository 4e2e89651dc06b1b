using System.Net.Http.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

public class BanditTests
{
    private static async Task<TestApp> StoreAsync()
    {
        var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync([new Product("A", "A", "c", 1m), new Product("B", "B", "c", 1m), new Product("C", "C", "d", 1m)]);
        await app.GrantAnalyticsAsync("u1", "u2", "me");
        await app.PostEventsAsync(app.View("1", "u1", "A", TimeSpan.FromMinutes(5)), app.View("2", "u1", "B", TimeSpan.FromMinutes(4)),
            app.View("3", "u2", "A", TimeSpan.FromMinutes(3)), app.View("4", "u2", "C", TimeSpan.FromMinutes(2)), app.View("5", "me", "A"));
        await app.Get<RetrainingService>().RetrainAsync("test");
        await app.PumpAsync();
        return app;
    }

    private static async Task<RecommendationResponse> HomeAsync(TestApp app, string customer = "me")
    {
        using var client = app.CreateClient();
        return (await client.GetFromJsonAsync<RecommendationResponse>($"/api/recommendations/{customer}", Json.Options))!;
    }

    [Fact]
    public async Task WithoutExploration_TheDefaultStrategyIsServed_AndTheIdNamesTheArm()
    {
        await using var app = await StoreAsync();

        var response = await HomeAsync(app);

        Assert.Equal("personalized", response.Strategy);
        Assert.False(response.Explored);
        Assert.Equal("home.known.personalized", BanditPolicy.ArmOf(response.RecommendationId));
    }

    [Fact]
    public async Task ImpressionsAndClicks_TeachTheBandit_WhichThenExploresTowardsTheBetterArm()
    {
        await using var app = await StoreAsync();
        var options = app.Get<Microsoft.Extensions.Options.IOptions<BanditOptions>>().Value;
        var now = app.Clock.GetUtcNow();
        object Event(string id, string type, string strategy, int i) => new
        {
            id, type, customerId = $"v{i}", recommendationId = $"rec-home.known.{strategy}-{i:D32}", placement = "home", position = 0,
            productId = "A", productIds = new[] { "A" }, occurredAt = now.AddSeconds(-i),
        };

        // trending: 100 impressions, 60 clicks; personalized: 100 impressions, 2 clicks; popular: 100 impressions, none.
        var events = new List<object>();
        for (var i = 0; i < 100; i++)
        {
            events.Add(Event($"ti{i}", "recommendation_impression", "trending", i));
            events.Add(Event($"pi{i}", "recommendation_impression", "personalized", i));
            events.Add(Event($"oi{i}", "recommendation_impression", "popular", i));
            if (i < 60)
            {
                events.Add(Event($"tc{i}", "recommendation_click", "trending", i));
            }

            if (i < 2)
            {
                events.Add(Event($"pc{i}", "recommendation_click", "personalized", i));
            }
        }

        foreach (var chunk in events.Chunk(400))
        {
            (await app.PostEventsAsync(chunk)).EnsureSuccessStatusCode();
        }

        var arms = await app.Get<BanditPolicy>().ReportAsync();
        Assert.Equal((100, 60), (arms["home.known.trending"].Impressions, arms["home.known.trending"].Clicks));
        Assert.Equal((100, 2), (arms["home.known.personalized"].Impressions, arms["home.known.personalized"].Clicks));

        options.ExplorationShare = 1;
        var served = new List<RecommendationResponse>();
        for (var i = 0; i < 20; i++)
        {
            served.Add(await HomeAsync(app));
        }

        Assert.All(served, r => Assert.True(r.Explored));
        Assert.True(served.Count(r => r.Strategy == "trending") >= 18, string.Join(",", served.Select(r => r.Strategy)));
        Assert.All(served.Where(r => r.Strategy == "trending"), r => Assert.Equal("trending", r.Source));
    }

    [Fact]
    public async Task AnExperimentVariantNamedAfterAStrategy_ServesIt_AndIsReported()
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();
        var now = app.Clock.GetUtcNow();
        var put = await client.PutAsJsonAsync("/api/admin/experiments/home-test", new
        {
            placement = "home",
            variants = new[] { new { name = "personalized", weight = 1 }, new { name = "popular", weight = 1 } },
            startsAt = now.AddDays(-1),
            endsAt = now.AddDays(7),
        });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        var response = await HomeAsync(app);
        var expected = Domain.Experiments.ExperimentAssigner.VariantOf((await app.Get<Domain.Experiments.ExperimentStore>().GetAsync("home-test"))!, "me");

        Assert.Equal(expected, response.Variant);
        Assert.Equal(expected, response.Strategy);
        Assert.Equal(expected == "popular" ? "popular" : "cache", response.Source);
    }

    [Fact]
    public async Task AttributedPurchases_CountAsRewards_AndTheAdminReportShowsTheArms()
    {
        await using var app = await StoreAsync();
        var served = await HomeAsync(app);
        var now = app.Clock.GetUtcNow();

        await app.PostEventsAsync(
            new { id = "imp", type = "recommendation_impression", customerId = "me", recommendationId = served.RecommendationId, placement = "home", productIds = new[] { "B" }, occurredAt = now },
            new
            {
                id = "buy", type = "purchase", customerId = "me", orderId = "o1", occurredAt = now,
                lines = new[] { new { productId = "B", quantity = 1, price = 1m, recommendationId = served.RecommendationId } },
            });
        using var client = app.CreateClient();
        var report = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/admin/bandit");

        var arm = report.GetProperty("arms").GetProperty("home.known.personalized");
        Assert.Equal(1, arm.GetProperty("impressions").GetDouble());
        Assert.Equal(1, arm.GetProperty("purchases").GetDouble());
        Assert.Equal(1, arm.GetProperty("rewards").GetDouble());
        Assert.Equal(0, report.GetProperty("explorationShare").GetDouble());
    }
}
