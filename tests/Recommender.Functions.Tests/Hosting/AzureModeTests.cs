using System.Net.Http.Json;
using System.Net.Sockets;
using Recommender.Domain;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Functions.Tests;

/// <summary>These tests share the fixed queue names, so they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AzureModeCollection
{
    public const string Name = "azure-mode";
}

/// <summary>
/// The same app on the Azure adapters — Cosmos DB stand-in and Azurite, started by
/// tests/emulators/start.sh (./test.sh does it) — each test with its own database and blob
/// container. Timers are not driven here: Azurite's visibility delays run on real time (the
/// fake-clock timeline tests run on the embedded adapters); immediate queue work (retraining
/// fan-out, erasure tasks) is.
/// </summary>
[Collection(AzureModeCollection.Name)]
public sealed class AzureModeTests : IAsyncLifetime
{
    private const string CosmosConnectionString =
        "AccountEndpoint=https://127.0.0.1:8081/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;";

    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await CreateAppAsync();

    /// <summary>
    /// The app on the stand-ins with a database and blob container of its own (created at start) and
    /// the shared queues drained; <paramref name="configure"/> may add settings, <paramref name="services"/> replace registrations.
    /// </summary>
    public static async Task<TestApp> CreateAppAsync(Func<IReadOnlyDictionary<string, string>, Dictionary<string, string>>? configure = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        await EnsureEmulatorsAsync();
        var name = "t" + Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Azure",
            ["Recommender:Azure:CosmosConnectionString"] = CosmosConnectionString,
            ["Recommender:Azure:StorageConnectionString"] = "UseDevelopmentStorage=true",
            ["Recommender:Azure:CosmosDatabase"] = name,
            ["Recommender:Azure:BlobContainer"] = name,
            ["Recommender:Azure:CreateResourcesIfMissing"] = "true",
        };
        var app = new TestApp(settings: configure?.Invoke(settings) ?? settings) { TestServices = services };
        using var client = app.CreateClient(); // starts the host: creates database, containers, queues
        var queue = app.Get<IWorkQueue>();
        foreach (var queueName in Queues.All)
        {
            IReadOnlyList<QueueMessage> left;
            while ((left = await queue.ReceiveAsync(queueName, 32, TimeSpan.FromMinutes(1))).Count > 0)
            {
                foreach (var message in left)
                {
                    await queue.DeleteAsync(message);
                }
            }
        }

        return app;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task EventsToRecommendations_OnCosmosAndAzurite()
    {
        await _app.GrantAnalyticsAsync("u1", "u2", "me");
        await _app.PostEventsAsync(
            _app.View("a1", "u1", "A", TimeSpan.FromMinutes(9)), _app.View("b1", "u1", "B", TimeSpan.FromMinutes(8)),
            _app.View("a2", "u2", "A", TimeSpan.FromMinutes(7)), _app.View("b2", "u2", "B", TimeSpan.FromMinutes(6)),
            _app.View("a3", "me", "A"));
        await _app.PostEventsAsync(_app.View("a3", "me", "A")); // redelivered
        using var client = _app.CreateClient();
        var bad = await client.PostAsync("/api/events", new StringContent("[\"garbage\"]", System.Text.Encoding.UTF8, "application/json"));
        bad.EnsureSuccessStatusCode();

        var started = await client.PostAsync("/api/admin/retrain", null);
        Assert.Equal(33, await _app.PumpAsync()); // the training run, then its 32 refresh tasks
        var retrain = await TestApp.ReadJsonAsync(await client.GetAsync(started.Headers.Location));
        var response = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/me", Json.Options);

        Assert.Equal(2, (await _app.Get<ProfileStore>().GetAsync("me"))!.EventCount);
        Assert.Equal(3, (await _app.Get<ProfileStore>().GetItemAsync("A"))!.Views);
        Assert.Single(await _app.Get<DeadLetters>().ReadAllAsync());
        Assert.Equal("cache", response!.Source);
        Assert.Equal(retrain.GetProperty("modelVersion").GetString(), response.ModelVersion);
        Assert.Equal("B", response.Items[0].ProductId);
        Assert.Equal("viewed:A", response.Items[0].ReasonCode);
    }

    [Fact]
    public async Task ConcurrentUpdates_ToOneProfile_AllLand_WithCosmosETags()
    {
        await _app.GrantAnalyticsAsync("busy");
        var ingestion = _app.Get<IngestionService>();
        string Body(int i) => System.Text.Json.JsonSerializer.Serialize(_app.View($"c{i}", "busy", "A"), Json.Options);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => ingestion.IngestAsync([Body(i)], "test"))));

        Assert.Equal(11, (await _app.Get<ProfileStore>().GetAsync("busy"))!.EventCount);
        Assert.Equal(10, (await _app.Get<ProfileStore>().GetItemAsync("A"))!.Views);
    }

    [Fact]
    public async Task Erasure_CompletesAcrossTheAzureStores()
    {
        await _app.GrantAnalyticsAsync("leaver", "stayer");
        await _app.PostEventsAsync(_app.View("v1", "leaver", "A"), _app.AddToCart("c1", "leaver", "A"), _app.View("v2", "stayer", "A"));
        var erasure = _app.Get<ErasureService>();

        var request = await erasure.StartAsync("leaver");
        await _app.PumpAsync();

        var status = (await erasure.GetAsync(request.RequestId))!;
        Assert.Equal("completed", status.Status);
        Assert.Equal(2, status.Tasks[ErasureTarget.EventArchive].Removed);  // the view and the cart add
        Assert.Equal(1, status.Tasks[ErasureTarget.EventArchive].Retained); // the consent decision, pseudonymized
        Assert.Null(await _app.Get<ProfileStore>().GetAsync("leaver"));
        Assert.Null(await _app.Get<IDocumentStore>().ReadAsync(Collections.Workflows, "leaver", "cart-abandonment"));
        Assert.NotNull(await _app.Get<ProfileStore>().GetAsync("stayer"));
    }

    private static async Task EnsureEmulatorsAsync()
    {
        foreach (var port in new[] { 10000, 10001, 8081 })
        {
            using var tcp = new TcpClient();
            try
            {
                await tcp.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception ex) when (ex is SocketException or TimeoutException)
            {
                throw new InvalidOperationException($"Nothing answers on 127.0.0.1:{port}: start the local Azure stand-ins with `bash tests/emulators/start.sh` (./test.sh does it).", ex);
            }
        }
    }
}
