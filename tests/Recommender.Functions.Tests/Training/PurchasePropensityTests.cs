using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

/// <summary>Purchase propensity in production: trained by the training workflow, stored in consenting customers' profiles, exported and erased.</summary>
public class PurchasePropensityTests
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Recommender:Mode"] = "Embedded",
        ["Recommender:Training:Tune"] = "false",
        ["Recommender:Propensity:Window"] = "7.00:00:00",
        ["Recommender:Propensity:MinimumAuc"] = "0",
    };

    /// <summary>
    /// <paramref name="customers"/> shoppers over 24 days with a known signal: the even ones stay active to
    /// the end (browsing most days, buying now and then), the odd ones lapse on a random day and stay away.
    /// Every event goes through <c>POST /api/events</c>; <paramref name="consenting"/> decides who gave analytics consent first.
    /// </summary>
    private static async Task PostHistoryAsync(TestApp app, IEnumerable<string> customers, Func<string, bool> consenting, int seed = 3)
    {
        var random = new Random(seed);
        var now = app.Clock.GetUtcNow();
        var events = new List<object>();
        var index = 0;
        foreach (var customer in customers)
        {
            if (consenting(customer))
            {
                await app.GrantAnalyticsAsync(customer);
            }

            var lapse = index++ % 2 == 0 ? 0 : 2 + random.Next(20);
            for (var daysAgo = 24; daysAgo > lapse; daysAgo--)
            {
                var at = now - TimeSpan.FromDays(daysAgo) + TimeSpan.FromMinutes(random.Next(600));
                if (random.NextDouble() < 0.6)
                {
                    events.Add(new { id = $"v-{customer}-{daysAgo}", type = "view", customerId = customer, productId = $"p{random.Next(20)}", occurredAt = at });
                }

                if (random.NextDouble() < 0.3)
                {
                    events.Add(new
                    {
                        id = $"o-{customer}-{daysAgo}", type = "purchase", customerId = customer, orderId = $"order-{customer}-{daysAgo}", occurredAt = at.AddMinutes(10),
                        lines = new[] { new { productId = $"p{random.Next(20)}", quantity = 1, price = 10m } },
                    });
                }
            }
        }

        foreach (var chunk in events.Chunk(100))
        {
            (await app.PostEventsAsync([.. chunk])).EnsureSuccessStatusCode();
        }
    }

    private static async Task<TrainingRun> TrainAsync(TestApp app)
    {
        var run = await app.Get<TrainingWorkflow>().StartAsync("test");
        await app.PumpAsync();
        return (await app.Get<TrainingWorkflow>().GetAsync(run.RunId))!;
    }

    [Fact]
    public async Task TrainingRun_ScoresConsentingCustomersOnly_AndRecordsTheAucOnTheNextWindow_InTheRunAndTheManifest()
    {
        await using var app = new TestApp(settings: Settings);
        var shoppers = Enumerable.Range(0, 80).Select(i => $"s{i:D2}").ToList();
        await PostHistoryAsync(app, [.. shoppers, "never", "teen", "objector"], c => c != "never");
        // A customer found to be under 16, and one who objects to profiling, before the run.
        await app.PostEventsAsync(new { id = "age", type = "account", customerId = "teen", birthYear = app.Clock.GetUtcNow().Year - 14, occurredAt = app.Clock.GetUtcNow() });
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/privacy/objection/objector", new { objects = true })).StatusCode);

        var run = await TrainAsync(app);

        Assert.Equal("promoted", run.Status);
        var propensity = Assert.IsType<PropensityRecord>(run.Propensity);
        Assert.True(propensity.Auc >= 0.75, $"AUC {propensity.Auc} on the next window"); // the known signal: who stayed active buys next
        Assert.Equal(app.Clock.GetUtcNow() - TimeSpan.FromDays(7), propensity.DataUpTo);
        Assert.Equal(app.Clock.GetUtcNow(), propensity.EvaluatedUntil);
        Assert.Equal(80, propensity.EvaluationCustomers); // the consenting shoppers only
        Assert.Equal(80, propensity.Scored);
        var manifest = (await app.Get<ModelStore>().GetManifestAsync(run.ModelVersion!))!;
        Assert.Equal(propensity, manifest.Propensity);
        var overHttp = await TestApp.ReadJsonAsync(await client.GetAsync($"/api/admin/training/{run.RunId}"));
        Assert.Equal(propensity.Auc, overHttp.GetProperty("propensity").GetProperty("auc").GetDouble());

        var profiles = app.Get<ProfileStore>();
        foreach (var shopper in shoppers)
        {
            var score = (await profiles.GetAsync(shopper))!.PurchasePropensity;
            Assert.NotNull(score);
            Assert.InRange(score.Probability, 0, 1);
            Assert.Equal(app.Clock.GetUtcNow(), score.ComputedAt);
            Assert.Equal(run.RunId, score.RunId);
        }

        foreach (var excluded in new[] { "never", "teen", "objector" })
        {
            Assert.Null((await profiles.GetAsync(excluded))?.PurchasePropensity);
        }

        // Active shoppers (even) score above those who lapsed (odd), on average.
        var scores = new Dictionary<string, double>();
        foreach (var shopper in shoppers)
        {
            scores[shopper] = (await profiles.GetAsync(shopper))!.PurchasePropensity!.Probability;
        }

        Assert.True(scores.Where(s => int.Parse(s.Key[1..]) % 2 == 0).Average(s => s.Value) > scores.Where(s => int.Parse(s.Key[1..]) % 2 == 1).Average(s => s.Value));
    }

    [Fact]
    public async Task Score_IsExported_RemovedOnWithdrawal_AndErasedWithTheProfile()
    {
        await using var app = new TestApp(settings: Settings);
        var shoppers = Enumerable.Range(0, 40).Select(i => $"s{i:D2}").ToList();
        await PostHistoryAsync(app, shoppers, _ => true, seed: 9);
        await TrainAsync(app);
        var profiles = app.Get<ProfileStore>();
        var score = (await profiles.GetAsync("s00"))!.PurchasePropensity!;
        using var client = app.CreateClient();

        var export = await client.GetFromJsonAsync<JsonElement>("/api/privacy/export/s00");
        var exported = export.GetProperty("profile").GetProperty("purchasePropensity");
        Assert.Equal(score.Probability, exported.GetProperty("probability").GetDouble());
        Assert.Equal(score.ComputedAt, exported.GetProperty("computedAt").GetDateTimeOffset());

        // Analytics consent withdrawn: the score goes with the behaviour, at once.
        Assert.NotNull((await profiles.GetAsync("s01"))!.PurchasePropensity);
        await app.PostEventsAsync(app.Consent("withdraw-s01", "s01", false, "analytics"));
        Assert.Null((await profiles.GetAsync("s01"))!.PurchasePropensity);
        // An objection to profiling drops it too.
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/privacy/objection/s02", new { objects = true })).StatusCode);
        Assert.Null((await profiles.GetAsync("s02"))!.PurchasePropensity);

        var erasure = await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = "s00" });
        Assert.Equal(HttpStatusCode.Accepted, erasure.StatusCode);
        await app.PumpAsync();
        Assert.Null(await profiles.GetAsync("s00"));
        var after = await client.GetAsync("/api/privacy/export/s00");
        Assert.False(after.IsSuccessStatusCode && (await TestApp.ReadJsonAsync(after)).GetProperty("profile").ValueKind == JsonValueKind.Object);

        // The next run scores nobody who may not be profiled.
        app.Clock.Advance(TimeSpan.FromHours(1));
        var next = await TrainAsync(app);
        Assert.Null((await profiles.GetAsync("s01"))!.PurchasePropensity);
        Assert.Null((await profiles.GetAsync("s02"))!.PurchasePropensity);
        Assert.Equal(37, next.Propensity!.Scored);
    }

    [Fact]
    public async Task TargetedPromotion_LiftsItsItems_ForALowPropensityCustomer_OnlyWhileTheyMayBePersonalizedFor()
    {
        var settings = new Dictionary<string, string>(Settings)
        {
            ["Recommender:Serving:Diversity"] = "1",
            ["Recommender:Serving:Promotions:0:Category"] = "clearance",
            ["Recommender:Serving:Promotions:0:Boost"] = "2",
            ["Recommender:Serving:Promotions:0:MaximumPropensity"] = "0.3",
        };
        await using var app = new TestApp(settings: settings);
        await app.Get<Domain.Catalog.CatalogProvider>().SaveAsync([.. Enumerable.Range(0, 12).Select(i => new Domain.Catalog.Product($"p{i}", $"Product {i}", i % 2 == 0 ? "clearance" : "regular", 10m))]);
        string[] twins = ["low", "high", "low-withdrawn", "high-withdrawn"];
        var others = Enumerable.Range(0, 10).Select(i => $"bg{i}").ToArray();
        await app.GrantAnalyticsAsync([.. twins, .. others]);
        await app.PostEventsAsync([.. twins.SelectMany(c => new[] { app.View($"{c}-1", c, "p0"), app.View($"{c}-2", c, "p1") }),
            .. others.SelectMany((c, i) => Enumerable.Range(0, 4).Select(k => app.View($"{c}-{k}", c, $"p{(i + k) % 12}")))]);
        await app.Get<RetrainingService>().RetrainAsync("test");
        await app.PumpAsync();
        var profiles = app.Get<ProfileStore>();
        foreach (var (customer, probability) in new[] { ("low", 0.05), ("high", 0.95), ("low-withdrawn", 0.05), ("high-withdrawn", 0.95) })
        {
            var profile = await profiles.UpdateAsync(customer, p =>
            {
                p!.PurchasePropensity = new PropensityScore(probability, app.Clock.GetUtcNow(), 14, "test");
                return p;
            });
            await app.Get<RecommendationService>().RefreshCacheAsync(profile!); // as the run's refresh fan-out does
        }

        // Personalization withdrawn (analytics kept): the score stays in the profile but is not used.
        await app.PostEventsAsync(app.Consent("w1", "low-withdrawn", false, "personalization"), app.Consent("w2", "high-withdrawn", false, "personalization"));
        using var client = app.CreateClient();
        async Task<Dictionary<string, double>> ListAsync(string customer) =>
            (await client.GetFromJsonAsync<JsonElement>($"/api/recommendations/{customer}?placement=home&count=10")).GetProperty("items").EnumerateArray()
                .ToDictionary(i => i.GetProperty("productId").GetString()!, i => i.GetProperty("score").GetDouble());

        var (low, high) = (await ListAsync("low"), await ListAsync("high"));
        var shared = low.Keys.Intersect(high.Keys).ToList();
        Assert.Contains(shared, p => int.Parse(p[1..]) % 2 == 0);
        Assert.Contains(shared, p => int.Parse(p[1..]) % 2 == 1);
        foreach (var product in shared)
        {
            var clearance = int.Parse(product[1..]) % 2 == 0;
            Assert.Equal(clearance ? Math.Round(2 * high[product], 6) : high[product], low[product], 6);
        }

        Assert.NotNull((await profiles.GetAsync("low-withdrawn"))!.PurchasePropensity);
        Assert.Equal(await ListAsync("high-withdrawn"), await ListAsync("low-withdrawn"));
    }
}
