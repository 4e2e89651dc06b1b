using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Recommender.Adapters.Azure;
using Recommender.Domain.Catalog;
using Recommender.Functions.Tests.Faults;

namespace Recommender.Functions.Tests;

/// <summary>
/// The app on the Azure adapters (stand-ins) under a Cosmos DB 429 storm on every document request: the
/// recommendations route gives up after the serving budget (1 + <c>CosmosServingRateLimitRetries</c> requests,
/// through the serving client only) and answers the degraded list, while work off the serving path keeps the
/// long budget (issue 13). The search re-ranking route, the other storefront read, gets the same short budget.
/// Requests are counted; nothing is timed.
/// </summary>
[Collection(AzureModeCollection.Name)]
public sealed class ServingThrottlingTests
{
    private static readonly Product[] Catalog =
    [
        new("p1", "Boot", "shoes", 100m),
        new("p2", "Sandal", "shoes", 40m),
        new("p3", "Scarf", "accessories", 20m),
    ];

    private readonly CosmosThrottlingHandler _main = new(EmulatorHttp.CreateHandler());
    private readonly CosmosThrottlingHandler _serving = new(EmulatorHttp.CreateHandler());

    /// <summary>Both Cosmos clients of the app, built as the app builds them, each through its own throttling handler.</summary>
    private void ThrottleableClients(IServiceCollection services)
    {
        services.RemoveAll<CosmosClient>();
        services.AddSingleton(sp => Client(sp.GetRequiredService<AzureOptions>(), serving: false));
        services.AddKeyedSingleton(AzureClients.ServingCosmosClient, (sp, _) => Client(sp.GetRequiredService<AzureOptions>(), serving: true));
    }

    private CosmosClient Client(AzureOptions options, bool serving)
    {
        var clientOptions = AzureClients.CreateCosmosClientOptions(options, serving);
        clientOptions.HttpClientFactory = () => new HttpClient(serving ? _serving : _main, disposeHandler: false);
        return new CosmosClient(options.CosmosConnectionString, clientOptions);
    }

    private void Storm(bool on) => _main.Storm = _serving.Storm = on;

    [Fact]
    public async Task ServingUnderA429Storm_GivesUpAfterTheServingBudget_AndDegrades()
    {
        await using var app = await AzureModeTests.CreateAppAsync(services: ThrottleableClients);
        await app.Get<CatalogProvider>().SaveAsync(Catalog);
        using var client = app.CreateClient();
        var before = await client.GetAsync(new Uri("/api/recommendations/c1?count=3", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.True(_serving.Throttled == 0 && _main.Throttled == 0);

        Storm(true);
        var during = await client.GetAsync(new Uri("/api/recommendations/c1?count=3&excludeCategories=accessories", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        var body = JsonDocument.Parse(await during.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("degraded", body.GetProperty("source").GetString());
        var ids = body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("productId").GetString()).ToList();
        Assert.NotEmpty(ids);
        Assert.DoesNotContain("p3", ids);
        // The first throttled read gave up after 1 + 1 requests (CosmosServingRateLimitRetries = 1, not 9), on the serving client.
        Assert.Equal(2, _serving.Throttled);
        Assert.Equal(0, _main.Throttled);
    }

    [Fact]
    public async Task SearchRerankingUnderA429Storm_GivesUpAfterTheServingBudget_AndAnswersTheSearchOrder()
    {
        await using var app = await AzureModeTests.CreateAppAsync(services: ThrottleableClients);
        await app.Get<CatalogProvider>().SaveAsync(Catalog);
        using var client = app.CreateClient();
        var search = new { query = "boots", resultIds = new[] { "p3", "p1", "p2" } };
        var before = await client.PostAsJsonAsync(new Uri("/api/recommendations/c1/search", UriKind.Relative), search);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.True(_serving.Throttled == 0 && _main.Throttled == 0);

        Storm(true);
        var during = await client.PostAsJsonAsync(new Uri("/api/recommendations/c1/search", UriKind.Relative), search);

        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        var body = JsonDocument.Parse(await during.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("degraded").GetBoolean());
        Assert.False(body.GetProperty("personalized").GetBoolean());
        Assert.Equal(["p3", "p1", "p2"], body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("productId").GetString()).ToList());
        // The profile read gave up after 1 + 1 requests (CosmosServingRateLimitRetries = 1, not 9), on the serving client.
        Assert.Equal(2, _serving.Throttled);
        Assert.Equal(0, _main.Throttled);
    }

    [Fact]
    public async Task Ingestion_UnderA429Storm_GetsTheLongBudget()
    {
        await using var app = await AzureModeTests.CreateAppAsync(services: ThrottleableClients);
        var view = JsonSerializer.Serialize(app.View("v1", "c1", "p1"), Recommender.Domain.Json.Options);
        Storm(true);

        // Ingestion (off the serving path) meets the storm: its first store call is retried by the main client
        // 1 + CosmosRateLimitRetries (9) times before the batch fails (and the host redelivers it), never through the serving client.
        await Assert.ThrowsAnyAsync<Exception>(() => app.Get<Recommender.Domain.Ingestion.IngestionService>().IngestAsync([view], "test"));

        Assert.Equal(1 + app.Get<AzureOptions>().CosmosRateLimitRetries, _main.Throttled);
        Assert.Equal(0, _serving.Throttled);
    }
}
