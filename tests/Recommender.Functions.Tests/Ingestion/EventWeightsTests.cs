using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

/// <summary>One table of event weights (<c>Recommender:EventWeights</c>): profiles, every trainer and serving read the same instance, and each model records it.</summary>
public class EventWeightsTests
{
    private static readonly Product[] Catalog =
    [
        new("JKT-1", "Parka", "jackets", 180m),
        new("HAT-1", "Beanie", "hats", 20m),
        new("SOK-1", "Socks", "socks", 9m),
    ];

    private static Dictionary<string, string> Settings(params (string Key, string Value)[] weights)
    {
        var settings = new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", ["Recommender:Training:Tune"] = "false" };
        foreach (var (key, value) in weights)
        {
            settings[$"{EventWeights.Section}:{key}"] = value;
        }

        return settings;
    }

    [Fact]
    public async Task ProfilesEveryTrainerAndServing_HoldTheOneInjectedTable()
    {
        await using var app = new TestApp(settings: Settings(("View", "2")));

        var table = app.Get<EventWeights>();

        Assert.Equal(2, table.View);
        Assert.Same(table, app.Get<IngestionService>().Weights);
        Assert.Same(table, app.Get<RecommendationService>().Weights);
        var trainers = app.Get<IEnumerable<IModelTrainer>>().ToList();
        Assert.Equal(1 + AlgorithmTrainer.Candidates.Count + 1, trainers.Count); // Jaccard, the candidates, the re-ranker
        Assert.All(trainers, t => Assert.Same(table, t.Weights));
    }

    [Fact]
    public async Task ConfiguredWeights_ShapeTheProfile_AndTheNextTrainingRunRecordsThemInItsManifest()
    {
        await using var app = new TestApp(settings: Settings(("View", "2"), ("AddToCart", "7"), ("Purchase", "9")));
        await app.Get<CatalogProvider>().SaveAsync(Catalog);
        var shoppers = Enumerable.Range(0, 30).Select(i => $"s{i:D2}").ToArray();
        await app.GrantAnalyticsAsync([.. shoppers, "c1"]);
        var at = app.Clock.GetUtcNow().AddMinutes(-1);
        await app.PostEventsAsync(
            new { id = "v1", type = "view", customerId = "c1", productId = "JKT-1", occurredAt = at },
            new { id = "a1", type = "add_to_cart", customerId = "c1", productId = "HAT-1", quantity = 1, occurredAt = at });
        var events = shoppers.SelectMany((s, i) => new[]
        {
            app.View($"{s}-1", s, "JKT-1", TimeSpan.FromDays(10 + (i % 3))),
            app.View($"{s}-2", s, i % 2 == 0 ? "HAT-1" : "SOK-1", TimeSpan.FromDays(9)),
            app.View($"{s}-3", s, "SOK-1", TimeSpan.FromDays(1)),
        }).ToArray();
        await app.PostEventsAsync(events);
        using var client = app.CreateClient();

        var export = await client.GetFromJsonAsync<JsonElement>("/api/privacy/export/c1");
        var affinities = export.GetProperty("profile").GetProperty("categoryAffinities");
        Assert.Equal(2, affinities.GetProperty("jackets").GetDouble(), 6); // the view, weighed as configured (not 1)
        Assert.Equal(7, affinities.GetProperty("hats").GetDouble(), 6);    // the cart add (not 3)

        var started = await client.PostAsync("/api/admin/retrain", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await app.PumpAsync();
        var run = await TestApp.ReadJsonAsync(await client.GetAsync(started.Headers.Location));
        Assert.Equal("promoted", run.GetProperty("status").GetString());
        var manifest = await client.GetFromJsonAsync<JsonElement>($"/api/admin/models/{run.GetProperty("modelVersion").GetString()}");
        var recorded = manifest.GetProperty("eventWeights");
        Assert.Equal(2, recorded.GetProperty("View").GetDouble());
        Assert.Equal(7, recorded.GetProperty("AddToCart").GetDouble());
        Assert.Equal(9, recorded.GetProperty("Purchase").GetDouble());
        Assert.Equal(-5, recorded.GetProperty("NotInterested").GetDouble());
    }

    [Fact]
    public async Task ATableWhereReturnsWeighNothing_KeepsTheReturnedProductInProfileAndTraining_TheDefaultDropsItFromBoth()
    {
        foreach (var (returnWeight, disliked) in new[] { ("0", false), ("-3", true) })
        {
            await using var app = new TestApp(settings: Settings(("Return", returnWeight)));
            await app.Get<CatalogProvider>().SaveAsync(Catalog);
            await app.GrantAnalyticsAsync("c1", "c2");
            await app.PostEventsAsync(app.View("v1", "c1", "JKT-1"), app.View("v2", "c1", "HAT-1"), app.View("v3", "c2", "JKT-1"), app.View("v4", "c2", "HAT-1"));
            await app.PostEventsAsync(app.Return("r1", "c1", "order-1", "HAT-1"));
            using var client = app.CreateClient();

            var export = await client.GetFromJsonAsync<JsonElement>("/api/privacy/export/c1");
            var dislikes = export.GetProperty("profile").GetProperty("dislikes");
            Assert.Equal(disliked, dislikes.TryGetProperty("HAT-1", out _));

            var signals = TrainingSignals.Of(await ReadArchiveAsync(app), app.Get<EventWeights>());
            Assert.Equal(!disliked, signals.Interactions.Any(i => i.Subject == "c1" && i.ProductId == "HAT-1"));
            Assert.Contains(signals.Interactions, i => i.Subject == "c2" && i.ProductId == "HAT-1");
        }
    }

    private static async Task<List<ClickstreamEvent>> ReadArchiveAsync(TestApp app)
    {
        var events = new List<ClickstreamEvent>();
        await foreach (var e in app.Get<PermittedTrainingData>().ReadAllAsync())
        {
            events.Add(e);
        }

        return events;
    }
}
