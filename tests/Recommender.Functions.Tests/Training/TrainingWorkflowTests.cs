using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Privacy;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

public class TrainingWorkflowTests
{
    /// <summary>Forty shoppers over three weeks: plenty of history before the holdout week and new items in it.</summary>
    internal static async Task<TestApp> StoreAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var app = new TestApp(settings: settings);
        var customers = Enumerable.Range(0, 40).Select(i => $"s{i:D2}").ToArray();
        await app.GrantAnalyticsAsync(customers);
        var events = new List<object>();
        var random = new Random(5);
        foreach (var customer in customers)
        {
            var group = random.Next(3);
            for (var v = 0; v < 6; v++)
            {
                var daysAgo = v < 4 ? 20 - v : 3 - v % 2; // four views well before the holdout week, two in it
                events.Add(app.View($"{customer}-{v}", customer, $"g{group}-p{random.Next(6)}", TimeSpan.FromDays(daysAgo)));
            }
        }

        await app.PostEventsAsync([.. events]);
        return app;
    }

    [Fact]
    public async Task OnDemandRun_EvaluatesPromotesAndRecordsTheManifest()
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();

        var started = await client.PostAsync("/api/admin/retrain", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await app.PumpAsync();
        var run = await TestApp.ReadJsonAsync(await client.GetAsync(started.Headers.Location));

        Assert.Equal("promoted", run.GetProperty("status").GetString());
        var version = run.GetProperty("modelVersion").GetString()!;
        var candidate = run.GetProperty("candidates")[0];
        Assert.True(candidate.GetProperty("metrics").GetProperty("users").GetDouble() > 0);
        var catalog = await client.GetFromJsonAsync<JsonElement>("/api/admin/models");
        Assert.Equal(version, catalog.GetProperty("current").GetProperty("version").GetString());
        var manifest = await client.GetFromJsonAsync<JsonElement>($"/api/admin/models/{version}");
        Assert.Equal(run.GetProperty("chosen").GetString(), manifest.GetProperty("algorithm").GetString());
        Assert.Equal(9, run.GetProperty("candidates").GetArrayLength()); // item-item-jaccard, sar, ease, itemknn-cosine, als, userknn-cosine, userknn-jaccard, sequential, ease+ltr
        Assert.True(manifest.GetProperty("metrics").TryGetProperty("ndcg@10", out _));
        Assert.Equal("latest", run.GetProperty("holdout").GetString());
        Assert.Equal("latest", manifest.GetProperty("holdout").GetString());
    }

    [Fact]
    public async Task RandomHoldout_JudgesOnEventsDrawnFromTheWholeHistory_AndSaysSoInTheRunAndTheManifest()
    {
        await using var app = await StoreAsync(new Dictionary<string, string> { ["Recommender:Training:Holdout"] = "Random" });
        using var client = app.CreateClient();

        var started = await client.PostAsync("/api/admin/retrain", null);
        await app.PumpAsync();
        var run = await TestApp.ReadJsonAsync(await client.GetAsync(started.Headers.Location));

        Assert.Equal("promoted", run.GetProperty("status").GetString());
        Assert.Equal("random", run.GetProperty("holdout").GetString());
        Assert.Equal(40 * 2, run.GetProperty("heldOutEvents").GetInt32());
        // Queued, a run already says which holdout will judge it.
        var queued = await app.Get<TrainingWorkflow>().StartAsync("test");
        Assert.Equal(HoldoutOrder.Random, (await app.Get<TrainingWorkflow>().GetAsync(queued.RunId))!.Holdout); // the same share as the latest rule: 2 of each customer's 6
        var manifest = await client.GetFromJsonAsync<JsonElement>($"/api/admin/models/{run.GetProperty("modelVersion").GetString()}");
        Assert.Equal("random", manifest.GetProperty("holdout").GetString());
        // The stored run reads back as it was judged.
        var stored = (await app.Get<TrainingWorkflow>().GetAsync(run.GetProperty("runId").GetString()!))!;
        Assert.Equal(HoldoutOrder.Random, stored.Holdout);
    }

    [Fact]
    public async Task PinnedVersion_IsNotReplacedByTraining_UntilUnpinned_AndRollbackServesAnOlderVersion()
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();
        await client.PostAsync("/api/admin/retrain", null);
        await app.PumpAsync();
        var first = (await app.Get<ModelStore>().GetPointerAsync())!.Version;
        app.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/admin/models/{first}/pin", null)).StatusCode);
        var blocked = await client.PostAsync("/api/admin/retrain", null);
        await app.PumpAsync();
        var run = await TestApp.ReadJsonAsync(await client.GetAsync(blocked.Headers.Location));
        Assert.Equal("skipped", run.GetProperty("status").GetString());
        Assert.Equal(first, (await app.Get<ModelStore>().GetPointerAsync())!.Version);

        await client.DeleteAsync("/api/admin/models/pin");
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await client.PostAsync("/api/admin/retrain", null);
        await app.PumpAsync();
        var second = (await app.Get<ModelStore>().GetPointerAsync())!.Version;
        Assert.NotEqual(first, second);

        var rollback = await client.PostAsync($"/api/admin/models/{first}/rollback", null);
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Equal(first, (await app.Get<ModelStore>().GetPointerAsync())!.Version);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/admin/models/no-such-version/rollback", null)).StatusCode);
    }

    [Fact]
    public async Task RunThatWouldRegress_IsRejected()
    {
        await using var app = await StoreAsync();
        var store = app.Get<ModelStore>();
        // Serve an algorithm the gate knows, then make every candidate look worse than it by tolerance.
        await app.Get<TrainingWorkflow>().StartAsync("test");
        await app.PumpAsync();
        var options = app.Get<Microsoft.Extensions.Options.IOptions<TrainingOptions>>().Value;
        options.Tolerance = -0.5; // "must beat the served model by 50 %": impossible for the same algorithm
        options.MinimumHoldoutCustomers = 1;

        var run = await app.Get<TrainingWorkflow>().StartAsync("test");
        await app.PumpAsync();

        var result = (await app.Get<TrainingWorkflow>().GetAsync(run.RunId))!;
        Assert.Equal("rejected", result.Status);
        Assert.StartsWith("rejected:", result.Decision, StringComparison.Ordinal);
        Assert.Null(result.ModelVersion);
    }

    [Fact]
    public async Task Gate_RecordsItsIntervalAndEachCandidatesSearch_InTheRunAndTheManifest()
    {
        await using var app = await StoreAsync();
        await app.Get<RetrainingService>().RetrainAsync("test"); // serves item-item-jaccard, untuned
        await app.PumpAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(1));

        var started = await app.Get<TrainingWorkflow>().StartAsync("test");
        await app.PumpAsync();
        var run = (await app.Get<TrainingWorkflow>().GetAsync(started.RunId))!;

        Assert.Equal("promoted", run.Status);
        Assert.True(run.HeldOutEvents >= 40); // every customer's latest events, not one global week
        var gate = Assert.IsType<GateRecord>(run.Gate);
        Assert.Equal("item-item-jaccard", gate.Served);
        Assert.True(gate.Lower <= gate.Difference && gate.Difference <= gate.Upper);
        Assert.Equal((int)run.Candidates[0].Metrics["users"], gate.Customers);
        Assert.True(gate.Customers >= 20);
        var ease = run.Candidates.Single(c => c.Algorithm == "ease");
        Assert.NotNull(ease.Tuning);
        Assert.Contains(ease.Tuning!.Trials, t => t.Settings["lambda"] != 250);
        Assert.Equal(ease.Tuning.Trials.MaxBy(t => t.Ndcg)!.Settings, ease.Settings);

        var manifest = (await app.Get<ModelStore>().GetManifestAsync(run.ModelVersion!))!;
        Assert.Equal(gate, manifest.Gate);
        Assert.Equal(gate.BetterBeyondNoise ? gate.Candidate : "item-item-jaccard", manifest.Algorithm);
        Assert.Equal(run.Candidates.Single(c => c.Algorithm == manifest.Algorithm).Settings, manifest.Settings);
    }

    [Fact]
    public async Task AfterErasure_NoServedModelKeepsTheCustomersContribution()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("leaver", "a", "b");
        // Only the leaver ever viewed X and Y together: the pair exists because of them alone.
        await app.PostEventsAsync(app.View("l1", "leaver", "X", TimeSpan.FromMinutes(3)), app.View("l2", "leaver", "Y", TimeSpan.FromMinutes(2)),
            app.View("a1", "a", "X"), app.View("b1", "b", "Y"), app.View("a2", "a", "Z"), app.View("b2", "b", "Z"));
        await app.Get<RetrainingService>().RetrainAsync("test");
        await app.PumpAsync();
        var before = await app.Get<ModelStore>().GetCurrentAsync();
        Assert.Contains(before.NeighborsOf("X"), n => n.ProductId == "Y");
        app.Clock.Advance(TimeSpan.FromSeconds(1));

        var request = await app.Get<ErasureService>().StartAsync("leaver");
        await app.PumpAsync();
        app.Clock.Advance(ModelStore.RefreshInterval);

        var status = (await app.Get<ErasureService>().GetAsync(request.RequestId))!;
        Assert.Equal("completed", status.Status);
        Assert.Equal(1, status.Tasks[ErasureTarget.Models].Removed);
        var after = await app.Get<ModelStore>().GetCurrentAsync();
        Assert.NotEqual(before.Version, after.Version);
        Assert.DoesNotContain(after.NeighborsOf("X"), n => n.ProductId == "Y");
        Assert.Equal(2, after.CustomerCount);
        await Assert.ThrowsAsync<ModelVersionUnavailableException>(() => app.Get<ModelStore>().PointToAsync(before.Version, "rollback", pinned: false));
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/admin/models/{before.Version}/rollback", null)).StatusCode);
    }
}

/// <summary>A placement that names its algorithm is served a model of that algorithm, trained with every run and after erasures.</summary>
public class PlacementAlgorithmTests
{
    private static readonly Dictionary<string, string> ProductServedByAls = new()
    {
        ["Recommender:Mode"] = "Embedded",
        ["Recommender:Serving:PlacementAlgorithms:product"] = "als",
    };

    [Fact]
    public async Task ConfiguredPlacement_ServesItsAlgorithmsModel_OthersTheCurrentOne()
    {
        await using var app = new TestApp(settings: ProductServedByAls);
        var customers = Enumerable.Range(0, 12).Select(i => $"c{i:D2}").ToArray();
        await app.GrantAnalyticsAsync(customers);
        await app.PostEventsAsync([.. customers.SelectMany((c, i) => new[]
        {
            app.View($"{c}-1", c, $"g{i % 2}-a", TimeSpan.FromMinutes(30)),
            app.View($"{c}-2", c, $"g{i % 2}-b", TimeSpan.FromMinutes(20)),
            app.View($"{c}-3", c, $"g{i % 2}-c", TimeSpan.FromMinutes(10)),
        })]);
        using var client = app.CreateClient();

        var started = await client.PostAsync("/api/admin/retrain", null);
        await app.PumpAsync();
        var run = await TestApp.ReadJsonAsync(await client.GetAsync(started.Headers.Location));
        var current = run.GetProperty("modelVersion").GetString()!;
        var als = run.GetProperty("placementModels").GetProperty("als").GetString()!;
        app.Clock.Advance(ModelStore.RefreshInterval);

        Assert.NotEqual(current, als);
        var manifest = await client.GetFromJsonAsync<JsonElement>($"/api/admin/models/{als}");
        Assert.Equal("als", manifest.GetProperty("algorithm").GetString());
        var product = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/c00?placement=product&productId=g0-a", Json.Options);
        var alsoBought = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/c00?placement=also_bought&productId=g0-a", Json.Options);
        Assert.Equal(als, product!.ModelVersion);
        Assert.Equal(current, alsoBought!.ModelVersion);
        // the factor neighbours of g0-a are its own group's items, ahead of anything else
        Assert.Equal(["g0-b", "g0-c"], product.Items.Take(2).Select(i => i.ProductId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PlacementModel_IsTrainedWithTheSettingsItsSearchChose_AndKeepsThemAfterAnErasure()
    {
        await using var app = await TrainingWorkflowTests.StoreAsync(new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Embedded",
            ["Recommender:Serving:PlacementAlgorithms:home"] = "ease",
        });
        var models = app.Get<ModelStore>();

        var started = await app.Get<TrainingWorkflow>().StartAsync("test");
        await app.PumpAsync();
        var run = (await app.Get<TrainingWorkflow>().GetAsync(started.RunId))!;
        var ease = run.Candidates.Single(c => c.Algorithm == "ease");
        var manifest = (await models.GetManifestAsync(run.PlacementModels!["ease"]))!;

        // What home serves is what the run judged: the candidate's settings, its search and its holdout figures.
        Assert.NotNull(ease.Settings);
        Assert.Equal(ease.Settings, manifest.Settings);
        Assert.Equal(ease.Tuning!.Trials.Count, manifest.Tuning!.Trials.Count);
        Assert.Equal(ease.Metrics, manifest.Metrics);
        Assert.Equal(HoldoutOrder.Latest, manifest.Holdout);

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await app.Get<ErasureService>().StartAsync("s00");
        await app.PumpAsync();

        var after = (await models.GetPlacementPointerAsync("ease"))!.Version;
        Assert.NotEqual(manifest.Version, after);
        var retrained = (await models.GetManifestAsync(after))!;
        Assert.Equal(ease.Settings, retrained.Settings); // an erasure retrains without the customer, not back to the defaults
        Assert.Null(retrained.Holdout); // no run judged this version
    }

    [Fact]
    public async Task Erasure_RetrainsThePlacementModelWithoutTheCustomer_AndBarsTheOldOne()
    {
        await using var app = new TestApp(settings: ProductServedByAls);
        await app.GrantAnalyticsAsync("leaver", "a", "b");
        await app.PostEventsAsync(app.View("l1", "leaver", "X", TimeSpan.FromMinutes(3)), app.View("l2", "leaver", "Y", TimeSpan.FromMinutes(2)),
            app.View("a1", "a", "X"), app.View("b1", "b", "Y"), app.View("a2", "a", "Z"), app.View("b2", "b", "Z"));
        await app.Get<RetrainingService>().RetrainAsync("test");
        await app.PumpAsync();
        var models = app.Get<ModelStore>();
        var before = (await models.GetPlacementPointerAsync("als"))!.Version;
        Assert.Equal(3, (await models.GetVersionAsync(before))!.CustomerCount);
        app.Clock.Advance(TimeSpan.FromSeconds(1));

        await app.Get<ErasureService>().StartAsync("leaver");
        await app.PumpAsync();
        app.Clock.Advance(ModelStore.RefreshInterval);

        var after = (await models.GetPlacementPointerAsync("als"))!.Version;
        Assert.NotEqual(before, after);
        Assert.Equal(2, (await models.GetForPlacementsAsync("als"))!.CustomerCount);
        await Assert.ThrowsAsync<ModelVersionUnavailableException>(() => models.PointPlacementsAsync("als", before, "rollback"));
    }

    [Fact]
    public void UnknownPlacementOrAlgorithm_FailsAtStart()
    {
        var badAlgorithm = new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", ["Recommender:Serving:PlacementAlgorithms:product"] = "deep-magic" };
        var badPlacement = new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", ["Recommender:Serving:PlacementAlgorithms:sidebar"] = "ease" };

        foreach (var settings in new[] { badAlgorithm, badPlacement })
        {
            var error = TestApp.StartupError(settings);
            Assert.Contains("PlacementAlgorithms", error.ToString(), StringComparison.Ordinal);
        }
    }
}

/// <summary>The CLI's <c>models</c> verbs against the running app's admin API.</summary>
public class ModelsCliTests
{
    [Fact]
    public async Task ModelsVerbs_DriveTheAdminApi()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("a", "b");
        await app.PostEventsAsync(app.View("v1", "a", "X"), app.View("v2", "a", "Y"), app.View("v3", "b", "X"));
        var handler = app.Server.CreateHandler();
        async Task<string> RunAsync(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = await Cli.ModelsCommand.RunAsync([.. args, "--url", "http://localhost/"], output, error, handler);
            return code == 0 ? output.ToString() : $"exit {code}: {error}";
        }

        var started = JsonDocument.Parse(await RunAsync("train")).RootElement;
        await app.PumpAsync();
        var run = JsonDocument.Parse(await RunAsync("run", started.GetProperty("runId").GetString()!)).RootElement;
        var version = run.GetProperty("modelVersion").GetString()!;

        Assert.Equal("promoted", run.GetProperty("status").GetString());
        Assert.Contains(version, await RunAsync("list"), StringComparison.Ordinal);
        Assert.Contains("\"algorithm\"", await RunAsync("show", version), StringComparison.Ordinal);
        Assert.Contains("\"pinned\":true", await RunAsync("pin", version), StringComparison.Ordinal);
        Assert.Contains("\"pinned\":false", await RunAsync("unpin"), StringComparison.Ordinal);
        Assert.StartsWith("exit 1: error: 404", await RunAsync("rollback", "no-such-version"), StringComparison.Ordinal);
        Assert.StartsWith("exit 2", await RunAsync("dance"), StringComparison.Ordinal);
    }
}
