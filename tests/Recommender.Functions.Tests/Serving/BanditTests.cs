using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

public class BanditTests
{
    private static async Task<TestApp> StoreAsync(int? seed = null)
    {
        var app = new TestApp
        {
            // A seeded random source for the bandit's explore-or-exploit draws and Thompson samples: the same run every time.
            TestServices = seed is { } s ? services => services.AddSingleton(sp => ActivatorUtilities.CreateInstance<BanditPolicy>(sp, new Random(s))) : null,
        };
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

    /// <summary>An impression or click of a visitor on a list served from <paramref name="arm"/>.</summary>
    private static object Feedback(string id, string type, string arm, int i, DateTimeOffset at) => new
    {
        id, type, customerId = $"v{i}", recommendationId = $"rec-{arm}-{i:D32}", placement = "home", position = 0,
        productId = "A", productIds = new[] { "A" }, occurredAt = at,
    };

    /// <summary>Posts <paramref name="impressions"/> impressions and <paramref name="clicks"/> clicks of one arm at <paramref name="at"/>.</summary>
    private static async Task TeachAsync(TestApp app, string arm, int impressions, int clicks, DateTimeOffset at)
    {
        var events = new List<object>();
        for (var i = 0; i < impressions; i++)
        {
            events.Add(Feedback($"{arm}-{at:yyyyMMdd}-i{i}", "recommendation_impression", arm, i, at));
            if (i < clicks)
            {
                events.Add(Feedback($"{arm}-{at:yyyyMMdd}-c{i}", "recommendation_click", arm, i, at));
            }
        }

        foreach (var chunk in events.Chunk(400))
        {
            (await app.PostEventsAsync(chunk)).EnsureSuccessStatusCode();
        }
    }

    private static async Task<JsonElement> ReportAsync(TestApp app, string query = "")
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync($"/api/admin/bandit{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TestApp.ReadJsonAsync(response);
    }

    [Fact]
    public async Task WithoutEvidence_TheDefaultStrategyIsServed_AndTheIdNamesTheArmAndWhatTheProfileSays()
    {
        await using var app = await StoreAsync();

        var response = await HomeAsync(app);

        var profile = (await app.Get<ProfileStore>().GetAsync("me"))!;
        Assert.Equal("personalized", response.Strategy);
        Assert.False(response.Explored);
        Assert.Equal($"home.known_{BanditContext.ProfilePartOf(profile)}.personalized", BanditPolicy.ArmOf(response.RecommendationId));
        Assert.Equal("newcomer_light_budget", BanditContext.ProfilePartOf(profile)); // one visit, a few events, products under 25
    }

    [Fact]
    public async Task WithoutAnyFeedback_APlacementDoesNotExplore_UntilTheStorefrontReportsItsLists()
    {
        await using var app = await StoreAsync(seed: 11);
        app.Get<Microsoft.Extensions.Options.IOptions<BanditOptions>>().Value.ExplorationShare = 1;

        // Every request is in the exploration share, but nothing was ever reported for home: the default, not explored.
        var before = new List<RecommendationResponse>();
        for (var i = 0; i < 10; i++)
        {
            before.Add(await HomeAsync(app));
        }

        Assert.All(before, r => Assert.Equal(("personalized", false), (r.Strategy!, r.Explored)));
        var report = await ReportAsync(app);
        Assert.False(report.GetProperty("exploring").GetProperty("home").GetBoolean());
        Assert.False(report.GetProperty("exploring").GetProperty("email").GetBoolean());

        // The storefront reports one impression of a home list: home explores from then on (email still waits).
        var arm = BanditPolicy.ArmOf(before[0].RecommendationId)!;
        await TeachAsync(app, arm, 1, 0, app.Clock.GetUtcNow());
        report = await ReportAsync(app); // also drops serving's 30-second cache of the arms
        Assert.True(report.GetProperty("exploring").GetProperty("home").GetBoolean());
        Assert.False(report.GetProperty("exploring").GetProperty("email").GetBoolean());
        var after = new List<RecommendationResponse>();
        for (var i = 0; i < 10; i++)
        {
            after.Add(await HomeAsync(app));
        }

        Assert.All(after, r => Assert.True(r.Explored));
    }

    [Fact]
    public async Task Exploitation_ServesTheBestArmToEveryListButTheExplorationShare()
    {
        await using var app = await StoreAsync(seed: 15);
        var context = BanditPolicy.Parts(BanditPolicy.ArmOf((await HomeAsync(app)).RecommendationId)!)!.Value.Context;
        var now = app.Clock.GetUtcNow();
        // In this customer's context trending earns clicks on 30 % of its lists, personalized on 2 %, popular on none.
        await TeachAsync(app, $"home.{context}.trending", 100, 30, now);
        await TeachAsync(app, $"home.{context}.personalized", 100, 2, now);
        await TeachAsync(app, $"home.{context}.popular", 100, 0, now);
        _ = await app.Get<BanditPolicy>().ReportAsync(); // the arms as they are now (serving reads them through a 30-second cache)

        var exploitOnly = new List<RecommendationResponse>();
        for (var i = 0; i < 20; i++)
        {
            exploitOnly.Add(await HomeAsync(app));
        }

        // Every list goes to the best arm (the old policy served the default to 90 % of lists whatever it learned) ...
        Assert.All(exploitOnly, r => Assert.Equal(("trending", false), (r.Strategy!, r.Explored)));
        Assert.All(exploitOnly, r => Assert.Equal($"home.{context}.trending", BanditPolicy.ArmOf(r.RecommendationId)));

        // ... and with an exploration share, all lists but that share.
        app.Get<Microsoft.Extensions.Options.IOptions<BanditOptions>>().Value.ExplorationShare = 0.25;
        var served = new List<RecommendationResponse>();
        for (var i = 0; i < 80; i++)
        {
            served.Add(await HomeAsync(app));
        }

        Assert.All(served.Where(r => !r.Explored), r => Assert.Equal("trending", r.Strategy));
        Assert.InRange(served.Count(r => r.Explored), 8, 32); // 20 expected of 80 at 25 %
        Assert.Equal(0.25, (await ReportAsync(app)).GetProperty("explorationShare").GetDouble());
    }

    [Fact]
    public async Task ImpressionsAndClicks_TeachTheBandit_WhichThenExploresTowardsTheBetterArm()
    {
        await using var app = await StoreAsync(seed: 7);
        var options = app.Get<Microsoft.Extensions.Options.IOptions<BanditOptions>>().Value;
        var now = app.Clock.GetUtcNow();

        // Segment-level arms (no profile part): trending 100 impressions, 60 clicks; personalized 2 clicks; popular none.
        await TeachAsync(app, "home.known.trending", 100, 60, now);
        await TeachAsync(app, "home.known.personalized", 100, 2, now);
        await TeachAsync(app, "home.known.popular", 100, 0, now);

        var arms = await app.Get<BanditPolicy>().ReportAsync();
        Assert.Equal((100, 60), (arms["home.known.trending"].Impressions, arms["home.known.trending"].Clicks));
        Assert.Equal((100, 2), (arms["home.known.personalized"].Impressions, arms["home.known.personalized"].Clicks));

        // The customer's own context (known_...) has no arm yet: it borrows from its segment's.
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
    public async Task Report_ShowsArmSharesOverTime_PerContext()
    {
        await using var app = await StoreAsync();
        var today = app.Clock.GetUtcNow();
        const string vip = "home.vip_returning_heavy_premium", newcomer = "home.new_newcomer_light_unknown";
        await TeachAsync(app, $"{vip}.personalized", 30, 3, today.AddDays(-2));
        await TeachAsync(app, $"{vip}.trending", 10, 0, today.AddDays(-2));
        await TeachAsync(app, $"{vip}.personalized", 10, 0, today.AddDays(-1));
        await TeachAsync(app, $"{vip}.trending", 30, 0, today.AddDays(-1));
        await TeachAsync(app, $"{vip}.popular", 5, 0, today);
        await TeachAsync(app, $"{newcomer}.trending", 4, 1, today.AddDays(-1));

        var report = await ReportAsync(app, "?days=3");

        Assert.Equal(BanditPolicy.DayOf(today.AddDays(-2)), report.GetProperty("from").GetString());
        Assert.Equal(BanditPolicy.DayOf(today), report.GetProperty("to").GetString());
        var contexts = report.GetProperty("contexts").EnumerateArray().ToDictionary(c => $"{c.GetProperty("placement").GetString()}.{c.GetProperty("context").GetString()}");
        Assert.Equal([newcomer, vip], contexts.Keys.Order(StringComparer.Ordinal));
        var days = contexts[vip].GetProperty("days").EnumerateArray().ToList();
        Assert.Equal([BanditPolicy.DayOf(today.AddDays(-2)), BanditPolicy.DayOf(today.AddDays(-1)), BanditPolicy.DayOf(today)], days.Select(d => d.GetProperty("day").GetString()));
        static (double, double, double) Shares(JsonElement day) =>
            (day.GetProperty("shares").GetProperty("personalized").GetDouble(), day.GetProperty("shares").GetProperty("trending").GetDouble(), day.GetProperty("shares").GetProperty("popular").GetDouble());
        Assert.Equal((0.75, 0.25, 0.0), Shares(days[0]));
        Assert.Equal((0.25, 0.75, 0.0), Shares(days[1]));
        Assert.Equal((0.0, 0.0, 1.0), Shares(days[2]));
        Assert.Equal(40, days[0].GetProperty("impressions").GetDouble());
        Assert.Equal(0.02, days[0].GetProperty("rewardRates").GetProperty("personalized").GetDouble(), 9); // 3 clicks × 0.2 / 30
        var quiet = contexts[newcomer].GetProperty("days").EnumerateArray().ToList();
        Assert.Equal((0.0, 0.0, 0.0), Shares(quiet[0])); // a day without lists has no shares
        Assert.Equal((0.0, 1.0, 0.0), Shares(quiet[1]));

        // Totals are every day's.
        Assert.Equal(40, report.GetProperty("arms").GetProperty($"{vip}.personalized").GetProperty("impressions").GetDouble());
    }

    [Theory]
    [InlineData("?days=0")]
    [InlineData("?days=91")]
    [InlineData("?days=abc")]
    [InlineData("?days=-1")]
    public async Task Report_RefusesABadWindow_WithProblemDetails(string query)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var response = await client.GetAsync($"/api/admin/bandit{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await TestApp.ReadJsonAsync(response)).GetProperty("errors").TryGetProperty("days", out _));
    }

    [Fact]
    public async Task AttributedPurchases_EarnRevenueRewards_AndTheReportShowsThem()
    {
        await using var app = await StoreAsync();
        var served = await HomeAsync(app);
        var arm = BanditPolicy.ArmOf(served.RecommendationId)!;
        var now = app.Clock.GetUtcNow();

        await app.PostEventsAsync(
            new { id = "imp", type = "recommendation_impression", customerId = "me", recommendationId = served.RecommendationId, placement = "home", productIds = new[] { "B", "C" }, occurredAt = now },
            new { id = "imp2", type = "recommendation_impression", customerId = "me", recommendationId = served.RecommendationId, placement = "home", productIds = new[] { "B", "C" }, occurredAt = now },
            new
            {
                id = "buy", type = "purchase", customerId = "me", orderId = "o1", occurredAt = now,
                lines = new object[]
                {
                    new { productId = "B", quantity = 2, price = 12.5m, recommendationId = served.RecommendationId }, // 25: half a reward at RevenueScale 50
                    new { productId = "C", quantity = 1, price = 1m }, // not from a recommendation
                },
            });
        var report = await ReportAsync(app);

        var view = report.GetProperty("arms").GetProperty(arm);
        Assert.Equal(2, view.GetProperty("impressions").GetDouble());
        Assert.Equal(1, view.GetProperty("purchases").GetDouble());
        Assert.Equal(25, view.GetProperty("revenue").GetDouble());
        Assert.Equal(0.5, view.GetProperty("rewards").GetDouble(), 9);
        Assert.Equal(0.25, view.GetProperty("rewardRate").GetDouble(), 9);
        Assert.Equal((0.0, 0.2, 50.0, 0.95), (report.GetProperty("explorationShare").GetDouble(), report.GetProperty("clickReward").GetDouble(), report.GetProperty("revenueScale").GetDouble(),
            report.GetProperty("switchConfidence").GetDouble()));
    }

    [Fact]
    public async Task RedeliveredFeedback_IsCountedOnce_InTheTotalsAndTheDailySeries()
    {
        await using var app = await StoreAsync();
        var served = await HomeAsync(app);
        var arm = BanditPolicy.ArmOf(served.RecommendationId)!;
        var now = app.Clock.GetUtcNow();
        object[] Batch() =>
        [
            // a customer with a stored profile ...
            new { id = "imp", type = "recommendation_impression", customerId = "me", recommendationId = served.RecommendationId, placement = "home", productIds = new[] { "B" }, occurredAt = now },
            new { id = "clk", type = "recommendation_click", customerId = "me", recommendationId = served.RecommendationId, placement = "home", position = 0, productId = "B", occurredAt = now },
            new
            {
                id = "buy", type = "purchase", customerId = "me", orderId = "o1", occurredAt = now,
                lines = new[] { new { productId = "B", quantity = 1, price = 100m, recommendationId = served.RecommendationId } },
            },
            // ... and a visitor without one (counted through aggregate claims).
            new { id = "imp", type = "recommendation_impression", customerId = "stranger", recommendationId = served.RecommendationId, placement = "home", productIds = new[] { "B" }, occurredAt = now },
        ];

        for (var delivery = 0; delivery < 3; delivery++)
        {
            (await app.PostEventsAsync(Batch())).EnsureSuccessStatusCode();
        }

        // Again, split differently: one event per batch.
        foreach (var e in Batch())
        {
            (await app.PostEventsAsync(e)).EnsureSuccessStatusCode();
        }

        var report = await ReportAsync(app);
        var totals = report.GetProperty("arms").GetProperty(arm);
        Assert.Equal((2.0, 1.0, 1.0, 100.0), (totals.GetProperty("impressions").GetDouble(), totals.GetProperty("clicks").GetDouble(),
            totals.GetProperty("purchases").GetDouble(), totals.GetProperty("revenue").GetDouble()));
        var parts = BanditPolicy.Parts(arm)!.Value;
        var today = report.GetProperty("contexts").EnumerateArray().Single(c => c.GetProperty("context").GetString() == parts.Context)
            .GetProperty("days").EnumerateArray().Last();
        Assert.Equal(2, today.GetProperty("impressions").GetDouble());
        Assert.Equal(1.0, today.GetProperty("shares").GetProperty("personalized").GetDouble());
        Assert.Equal((1 * 0.2 + 1) / 2, today.GetProperty("rewardRates").GetProperty("personalized").GetDouble(), 9);
    }

    [Fact]
    public async Task AnEmptyList_NamesNoArm_SoNoFeedbackOnItTeachesTheBandit()
    {
        await using var app = await StoreAsync();
        await app.Get<CatalogProvider>().SaveAsync([]); // a loaded, empty catalog: nothing may be shown

        var response = await HomeAsync(app);

        Assert.Empty(response.Items);
        Assert.Null(BanditPolicy.ArmOf(response.RecommendationId));
        (await app.PostEventsAsync(new { id = "click", type = "recommendation_click", customerId = "me", recommendationId = response.RecommendationId, placement = "home",
            position = 0, productId = "A", occurredAt = app.Clock.GetUtcNow() })).EnsureSuccessStatusCode();
        Assert.Empty(await app.Get<BanditPolicy>().ReportAsync());
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

    [Theory]
    [InlineData("ExplorationShare", "1.5")]
    [InlineData("ClickReward", "-0.1")]
    [InlineData("RevenueScale", "0")]
    [InlineData("PriorStrength", "0")]
    [InlineData("SwitchConfidence", "0.3")]
    public void BadOptions_AreRefusedAtStart(string option, string value)
    {
        var error = TestApp.StartupError(new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", [$"Recommender:Bandit:{option}"] = value });

        Assert.Contains("Recommender:Bandit", error.ToString(), StringComparison.Ordinal);
    }
}
