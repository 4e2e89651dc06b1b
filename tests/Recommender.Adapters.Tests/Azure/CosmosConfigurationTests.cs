using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Adapters.Azure;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>
/// Cosmos DB behaviour beyond the port contract: how documents are stored, how containers are
/// declared, and the shape of the requests. Where the stand-in lacks the production feature
/// (TTL expiry, cross-partition queries) these tests check the configuration and the requests
/// instead of the effect, and say so.
/// </summary>
public sealed class CosmosConfigurationTests : IAsyncLifetime
{
    private AzureTestEnvironment? _environment;

    private AzureTestEnvironment Environment => _environment ?? throw new InvalidOperationException("Not initialized.");

    private IDocumentStore Store => Environment.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync() => _environment = await AzureTestEnvironment.CreateAsync(cosmosQueryPageSize: 10);

    public async Task DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }

    [Fact]
    public async Task Initializer_DeclaresEveryCollection_WithPkPartitionKey_AndItsDefaultTtl()
    {
        // The stand-in stores DefaultTimeToLive but never expires documents, so expiry itself cannot
        // be observed here; what the app controls is that each container is declared with its TTL.
        var database = Environment.Cosmos.GetDatabase(Environment.Options.CosmosDatabase);
        foreach (var collection in Collections.All)
        {
            var properties = (await database.GetContainer(collection).ReadContainerAsync()).Resource;

            Assert.Equal("/pk", properties.PartitionKeyPath);
            Assert.Equal(CosmosContainers.DefaultTimeToLiveSeconds[collection], properties.DefaultTimeToLive);
        }

        Assert.Equal(7 * 24 * 3600, CosmosContainers.DefaultTimeToLiveSeconds[Collections.Recommendations]);
        Assert.Null(CosmosContainers.DefaultTimeToLiveSeconds[Collections.Erasures]);
    }

    [Fact]
    public async Task Initializer_IsIdempotent()
    {
        await Environment.Services.GetRequiredService<AzureResourceInitializer>().EnsureCreatedAsync();
    }

    [Fact]
    public async Task Documents_AreStoredAsIdPkBodyEnvelope_WithBodyJsonUntouched()
    {
        var body = Json.Parse("""{"CustomerId":"C-1","LastSeen":"2024-05-01T10:00:00.1234567+02:00","Score":0.25,"Items":[{"Sku":"x"}]}""");
        await Store.CreateAsync(Collections.Profiles, "C-1", "profile/main", body);

        using var response = await Environment.Cosmos.GetContainer(Environment.Options.CosmosDatabase, Collections.Profiles)
            .ReadItemStreamAsync("profile~2Fmain", new PartitionKey("C-1"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var stored = await JsonDocument.ParseAsync(response.Content);

        Assert.Equal("profile~2Fmain", stored.RootElement.GetProperty("id").GetString());
        Assert.Equal("C-1", stored.RootElement.GetProperty("pk").GetString());
        Json.Equal(body, stored.RootElement.GetProperty("body")); // names, casing and date strings as written
    }

    [Fact]
    public async Task ADocumentsOwnTtl_IsTheItemTtlProperty_AbsentForTheDefault_KeptByIncrements()
    {
        // The stand-in stores an item's ttl but never expires anything (EMULATORS.md), so expiry itself
        // cannot be observed here: this checks what Cosmos DB acts on — the item's "ttl" property
        // (-1: never; seconds otherwise; absent: the container default, which the Bicep and
        // CosmosContainers declare for the workflows container, so the override applies), that a
        // write without an override removes it, and that a patch leaves it in place.
        var container = Environment.Cosmos.GetContainer(Environment.Options.CosmosDatabase, Collections.Workflows);
        async Task<JsonElement?> TtlOf(string id)
        {
            using var response = await container.ReadItemStreamAsync(id, new PartitionKey("c-ttl"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var stored = await JsonDocument.ParseAsync(response.Content);
            return stored.RootElement.TryGetProperty("ttl", out var ttl) ? ttl.Clone() : null;
        }

        Assert.NotNull(CosmosContainers.DefaultTimeToLiveSeconds[Collections.Workflows]);
        var etag = await Store.CreateAsync(Collections.Workflows, "c-ttl", "never", Json.Counter(1), DocumentTimeToLive.Never);
        await Store.UpsertAsync(Collections.Workflows, "c-ttl", "two-years", Json.Counter(1), DocumentTimeToLive.After(TimeSpan.FromDays(730)));
        await Store.CreateAsync(Collections.Workflows, "c-ttl", "default", Json.Counter(1));
        Assert.True(await Store.IncrementAsync(Collections.Workflows, "c-ttl", "never", new Dictionary<string, double> { ["count"] = 1 }));

        Assert.Equal(-1, (await TtlOf("never"))?.GetInt32());
        Assert.Equal(730 * 86400, (await TtlOf("two-years"))?.GetInt32());
        Assert.Null(await TtlOf("default"));
        var read = await Store.ReadAsync(Collections.Workflows, "c-ttl", "never");
        Json.Equal(Json.Counter(2), read!.Body); // the ttl stays outside the domain body

        await Store.ReplaceAsync(Collections.Workflows, "c-ttl", "never", Json.Counter(3), read.ETag);
        Assert.Null(await TtlOf("never")); // restated by every write: back to the container's default
        Assert.NotEqual(etag, read.ETag);
    }

    [Fact]
    public async Task ReadPartition_IsASinglePartitionQuery_PagedByContinuation()
    {
        // Cross-partition queries (and ORDER BY, which needs the query-plan service) are not served by
        // the stand-in, and the adapter must never need them: this checks on the wire that every page
        // request names the partition, never enables cross-partition, and asks for pages of 10.
        foreach (var i in Enumerable.Range(0, 25))
        {
            await Store.CreateAsync(Collections.Items, "sku-1", $"n{i:D2}", Json.Counter(i));
        }

        var recorder = new RecordingHandler(EmulatorHttp.CreateHandler());
        var clientOptions = AzureClients.CreateCosmosClientOptions(Environment.Options);
        clientOptions.HttpClientFactory = () => new HttpClient(recorder, disposeHandler: false);
        using var client = new CosmosClient(AzureEmulators.CosmosConnectionString, clientOptions);
        var store = new CosmosDocumentStore(client, Environment.Options.CosmosDatabase, queryPageSize: 10);

        var ids = new List<string>();
        await foreach (var document in store.ReadPartitionAsync(Collections.Items, "sku-1"))
        {
            ids.Add(document.Id);
        }

        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"n{i:D2}"), ids);
        var queries = recorder.Requests.Where(r => r.Header("x-ms-documentdb-isquery") is "True" or "true").ToList();
        Assert.Equal(3, queries.Count); // 10 + 10 + 5: the continuation was followed
        Assert.All(queries, q =>
        {
            Assert.Equal(HttpMethod.Post, q.Method);
            Assert.EndsWith($"/colls/{Collections.Items}/docs", q.Uri.AbsolutePath, StringComparison.Ordinal);
            Assert.Equal("[\"sku-1\"]", q.Header("x-ms-documentdb-partitionkey"));
            Assert.NotEqual("True", q.Header("x-ms-documentdb-query-enablecrosspartition"), StringComparer.OrdinalIgnoreCase);
            Assert.Equal("10", q.Header("x-ms-max-item-count"));
        });
        Assert.Null(queries[0].Header("x-ms-continuation"));
        Assert.All(queries.Skip(1), q => Assert.NotNull(q.Header("x-ms-continuation")));
    }

    [Fact]
    public async Task Replace_SendsIfMatch_AndWritesSkipTheResponseBody()
    {
        var recorder = new RecordingHandler(EmulatorHttp.CreateHandler());
        var clientOptions = AzureClients.CreateCosmosClientOptions(Environment.Options);
        clientOptions.HttpClientFactory = () => new HttpClient(recorder, disposeHandler: false);
        using var client = new CosmosClient(AzureEmulators.CosmosConnectionString, clientOptions);
        var store = new CosmosDocumentStore(client, Environment.Options.CosmosDatabase);

        var etag = await store.CreateAsync(Collections.Workflows, "c-1", "wf", Json.Counter(1));
        await store.ReplaceAsync(Collections.Workflows, "c-1", "wf", Json.Counter(2), etag);

        var replace = Assert.Single(recorder.Requests, r => r.Method == HttpMethod.Put);
        Assert.Equal(etag, replace.Header("If-Match"));
        Assert.Equal("return=minimal", replace.Header("Prefer"));
    }

    [Fact]
    public async Task ConnectionStringWithDisableServerCertificateValidation_AlsoReachesTheStandIn()
    {
        var options = new AzureOptions
        {
            CosmosConnectionString = AzureEmulators.CosmosConnectionString + "DisableServerCertificateValidation=True;",
            StorageConnectionString = AzureEmulators.StorageConnectionString,
        };
        using var client = AzureClients.CreateCosmosClient(options, () => throw new InvalidOperationException("no credential in emulator mode"));

        var account = await client.ReadAccountAsync();

        Assert.NotNull(account);
    }
}
