using System.Net;
using Microsoft.Azure.Cosmos;
using Recommender.Adapters.Azure;
using Recommender.Domain.Ports;
using Recommender.Domain.Storage;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>
/// The Cosmos DB adapter against the stand-in through <see cref="FaultInjectingHandler"/>: 429 with
/// <c>x-ms-retry-after-ms</c>, 503, 408 and connection resets on every operation kind, including
/// the worst case where the request applied on the server and only its answer was lost. Each test
/// asserts the exact final document: nothing lost, nothing applied twice. Retries wait 0 ms here.
/// </summary>
public sealed class CosmosFaultTests : IAsyncLifetime
{
    private static readonly CosmosRetryOptions NoWait = new(3, TimeSpan.Zero, TimeSpan.Zero);

    private AzureTestEnvironment? _environment;
    private CosmosClient? _client;

    private FaultInjectingHandler Faults { get; } = new(EmulatorHttp.CreateHandler());

    private CosmosDocumentStore Store { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _environment = await AzureTestEnvironment.CreateAsync();
        var clientOptions = AzureClients.CreateCosmosClientOptions(new AzureOptions
        {
            CosmosConnectionString = AzureEmulators.CosmosConnectionString,
            StorageConnectionString = AzureEmulators.StorageConnectionString,
            CosmosRateLimitRetries = 3,
        });
        clientOptions.HttpClientFactory = () => new HttpClient(Faults, disposeHandler: false);
        _client = new CosmosClient(AzureEmulators.CosmosConnectionString, clientOptions);
        Store = new CosmosDocumentStore(_client, _environment.Options.CosmosDatabase, queryPageSize: 10, NoWait);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }

    private static Func<HttpRequestMessage, bool> Create => FaultInjectingHandler.CosmosDocuments(HttpMethod.Post, r => !FaultInjectingHandler.IsQuery(r) && !Header(r, "x-ms-documentdb-is-upsert"));

    private static Func<HttpRequestMessage, bool> Upsert => FaultInjectingHandler.CosmosDocuments(HttpMethod.Post, r => Header(r, "x-ms-documentdb-is-upsert"));

    private static Func<HttpRequestMessage, bool> Query => FaultInjectingHandler.CosmosDocuments(HttpMethod.Post, FaultInjectingHandler.IsQuery);

    private static Func<HttpRequestMessage, bool> Patch => FaultInjectingHandler.CosmosDocuments(HttpMethod.Patch);

    private static bool Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) && values.Any(v => v.Equals("true", StringComparison.OrdinalIgnoreCase));

    private static Dictionary<string, double> PlusOne(string path = "count") => new() { [path] = 1 };

    private async Task<int> CountAsync(string id) => Json.CountOf((await Store.ReadAsync(Collections.Items, "p", id))!.Body);

    public static TheoryData<HttpFault> EveryFault => new()
    {
        HttpFault.TooManyRequests, HttpFault.ServiceUnavailable, HttpFault.TimeoutAfterApplied,
        HttpFault.ResetBeforeSend, HttpFault.ResetAfterApplied, HttpFault.ServiceUnavailableAfterApplied,
    };

    [Theory]
    [MemberData(nameof(EveryFault))]
    public async Task Increment_AfterAnyFault_AppliesExactlyOnce(HttpFault fault)
    {
        await Store.CreateAsync(Collections.Items, "p", "c", Json.Counter(10));
        await Store.IncrementAsync(Collections.Items, "p", "c", PlusOne()); // the markers object exists from here on
        Faults.Inject(Patch, fault, times: 2);

        Assert.True(await Store.IncrementAsync(Collections.Items, "p", "c", PlusOne()));

        // A fault after the request applied is detected by its marker: no second request is sent at all.
        var applied = fault is HttpFault.TimeoutAfterApplied or HttpFault.ResetAfterApplied or HttpFault.ServiceUnavailableAfterApplied;
        Assert.Equal(applied ? 1 : 2, Faults.Injected);
        Assert.Equal(12, await CountAsync("c"));
    }

    [Theory]
    [InlineData(1)] // the plain patch (answered 400: no parent, no markers object yet) loses its answer
    [InlineData(2)] // the conditional repair patch applies and loses its answer: it must not be applied again
    public async Task Increment_UnderAMissingParent_AppliedOnceWhicheverRequestLosesItsAnswer(int failing)
    {
        await Store.CreateAsync(Collections.Items, "p", "c", Json.Parse("""{"count":1}"""));
        var seen = 0;
        Faults.Inject(r => Patch(r) && Interlocked.Increment(ref seen) == failing, HttpFault.ResetAfterApplied);

        Assert.True(await Store.IncrementAsync(Collections.Items, "p", "c", new Dictionary<string, double> { ["count"] = 1, ["coViewed.a"] = 2 }));

        Assert.Equal(1, Faults.Injected);
        Json.Equal(Json.Parse("""{"count":2,"coViewed":{"a":2}}"""), (await Store.ReadAsync(Collections.Items, "p", "c"))!.Body);
    }

    [Fact]
    public async Task ConcurrentIncrements_WithLostAnswers_CountEachOnce()
    {
        await Store.CreateAsync(Collections.Items, "p", "hot", Json.Counter(0));
        await Store.IncrementAsync(Collections.Items, "p", "hot", PlusOne());
        Faults.Inject(Patch, HttpFault.ResetAfterApplied, times: 6);
        Faults.Inject(Patch, HttpFault.TimeoutAfterApplied, times: 6);

        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Store.IncrementAsync(Collections.Items, "p", "hot", PlusOne())));

        Assert.All(results, Assert.True);
        Assert.Equal(12, Faults.Injected);
        Assert.Equal(25, await CountAsync("hot"));
    }

    [Theory]
    [MemberData(nameof(EveryFault))]
    public async Task Create_AfterAnyFault_CreatesOnce_AndAnswersTheStoredETag(HttpFault fault)
    {
        Faults.Inject(Create, fault);

        var etag = await Store.CreateAsync(Collections.Items, "p", "new", Json.Counter(7));

        Assert.Equal(1, Faults.Injected);
        var stored = (await Store.ReadAsync(Collections.Items, "p", "new"))!;
        Assert.Equal(stored.ETag, etag);
        Assert.Equal(7, Json.CountOf(stored.Body));
    }

    [Fact]
    public async Task Create_LostAnswer_ThenSomeoneElsesDocument_IsStillAConflict()
    {
        await Store.CreateAsync(Collections.Items, "p", "taken", Json.Counter(1));
        Faults.Inject(Create, HttpFault.ResetBeforeSend);

        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.CreateAsync(Collections.Items, "p", "taken", Json.Counter(2)));

        Assert.Equal(1, await CountAsync("taken"));
    }

    [Theory]
    [MemberData(nameof(EveryFault))]
    public async Task Replace_AfterAnyFault_AppliesOnce_AndItsETagWorksForTheNextReplace(HttpFault fault)
    {
        var etag = await Store.CreateAsync(Collections.Items, "p", "r", Json.Counter(1));
        Faults.Inject(FaultInjectingHandler.CosmosDocuments(HttpMethod.Put), fault);

        var next = await Store.ReplaceAsync(Collections.Items, "p", "r", Json.Counter(2), etag);

        Assert.Equal(1, Faults.Injected);
        await Store.ReplaceAsync(Collections.Items, "p", "r", Json.Counter(3), next);
        Assert.Equal(3, await CountAsync("r"));
    }

    [Fact]
    public async Task Replace_LostAnswer_AfterAConcurrentWrite_IsStillAConflict()
    {
        var etag = await Store.CreateAsync(Collections.Items, "p", "r", Json.Counter(1));
        await Store.ReplaceAsync(Collections.Items, "p", "r", Json.Counter(5), etag); // someone else, after our read
        Faults.Inject(FaultInjectingHandler.CosmosDocuments(HttpMethod.Put), HttpFault.TimeoutAfterApplied);

        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync(Collections.Items, "p", "r", Json.Counter(2), etag));

        Assert.Equal(5, await CountAsync("r"));
    }

    [Fact]
    public async Task Replace_LostAnswer_AfterAConcurrentWriteOfTheSameBody_IsStillAConflict()
    {
        // Two read-modify-write loops from the same state compute the same body: the second must
        // conflict (and re-read), or one of the two updates is lost.
        var etag = await Store.CreateAsync(Collections.Items, "p", "r", Json.Counter(1));
        await Store.ReplaceAsync(Collections.Items, "p", "r", Json.Counter(2), etag);
        Faults.Inject(FaultInjectingHandler.CosmosDocuments(HttpMethod.Put), HttpFault.ResetBeforeSend);

        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync(Collections.Items, "p", "r", Json.Counter(2), etag));
    }

    [Theory]
    [MemberData(nameof(EveryFault))]
    public async Task UpsertDeleteReadAndQuery_AfterAnyFault_Succeed(HttpFault fault)
    {
        Faults.Inject(Upsert, fault);
        await Store.UpsertAsync(Collections.Items, "p", "u", Json.Counter(4));
        Assert.Equal(4, await CountAsync("u"));

        foreach (var i in Enumerable.Range(0, 25))
        {
            await Store.CreateAsync(Collections.Items, "q", $"n{i:D2}", Json.Counter(i));
        }

        var pages = 0;
        Faults.Inject(r => Query(r) && Interlocked.Increment(ref pages) == 2, fault); // the second page
        var ids = new List<string>();
        await foreach (var document in Store.ReadPartitionAsync(Collections.Items, "q"))
        {
            ids.Add(document.Id);
        }

        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"n{i:D2}"), ids);

        Faults.Inject(FaultInjectingHandler.CosmosDocuments(HttpMethod.Get), fault);
        Assert.Equal(4, await CountAsync("u"));

        Faults.Inject(FaultInjectingHandler.CosmosDocuments(HttpMethod.Delete), fault);
        Assert.True(await Store.DeleteAsync(Collections.Items, "p", "u"));
        Assert.Null(await Store.ReadAsync(Collections.Items, "p", "u"));
        Assert.Equal(4, Faults.Injected);
    }

    [Fact]
    public async Task PersistentServiceUnavailable_IsThrownAfterTheConfiguredRetries()
    {
        await Store.CreateAsync(Collections.Items, "p", "c", Json.Counter(1));
        Faults.Inject(Patch, HttpFault.ServiceUnavailable, times: 100);

        var error = await Assert.ThrowsAsync<CosmosException>(() => Store.IncrementAsync(Collections.Items, "p", "c", PlusOne()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(1 + NoWait.MaxRetries, Faults.Injected);
        Faults.Clear();
        Assert.Equal(1, await CountAsync("c"));
    }

    [Fact]
    public async Task RateLimitStorm_IsRetriedByTheSdkWithinItsBound_ThenThrows429()
    {
        // CosmosRateLimitRetries = 3: the SDK sends 1 + 3 requests, each answered 429 after 5 ms, then gives up;
        // the store does not add retries of its own on top.
        await Store.CreateAsync(Collections.Items, "p", "c", Json.Counter(1));
        Faults.Inject(Patch, HttpFault.TooManyRequests, times: 100);

        var error = await Assert.ThrowsAsync<CosmosException>(() => Store.IncrementAsync(Collections.Items, "p", "c", PlusOne()));

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal(4, Faults.Injected);
        Faults.Clear();
        Assert.Equal(1, await CountAsync("c"));
    }

    [Fact]
    public void Options_OutOfBounds_AreRefusedNamingTheSetting()
    {
        var options = new AzureOptions
        {
            CosmosConnectionString = AzureEmulators.CosmosConnectionString,
            StorageConnectionString = AzureEmulators.StorageConnectionString,
            CosmosRateLimitRetries = 31,
            CosmosTransientRetries = -1,
            CosmosTransientRetryDelay = TimeSpan.FromSeconds(3),
            CosmosTransientRetryMaxDelay = TimeSpan.FromSeconds(1),
            StorageNetworkTimeout = TimeSpan.Zero,
        };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        foreach (var setting in new[] { "CosmosRateLimitRetries", "CosmosTransientRetries", "CosmosTransientRetryMaxDelay", "StorageNetworkTimeout" })
        {
            Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ClientOptions_CarryTheRateLimitBounds()
    {
        var options = new AzureOptions
        {
            CosmosConnectionString = AzureEmulators.CosmosConnectionString,
            StorageConnectionString = AzureEmulators.StorageConnectionString,
            CosmosRateLimitRetries = 5,
            CosmosRateLimitMaxWait = TimeSpan.FromSeconds(12),
        };

        var clientOptions = AzureClients.CreateCosmosClientOptions(options);

        Assert.Equal(5, clientOptions.MaxRetryAttemptsOnRateLimitedRequests);
        Assert.Equal(TimeSpan.FromSeconds(12), clientOptions.MaxRetryWaitTimeOnRateLimitedRequests);
    }
}
