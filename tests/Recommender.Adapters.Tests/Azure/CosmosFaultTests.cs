using System.Net;
using Microsoft.Azure.Cosmos;
using Recommender.Adapters.Azure;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

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
    private CosmosClient? _servingClient;

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
        // The serving reads' client on its default budget (1 retry of a 429, 1 s; 1 transient retry), through the same faults.
        var servingOptions = new AzureOptions { CosmosConnectionString = AzureEmulators.CosmosConnectionString };
        var servingClientOptions = AzureClients.CreateCosmosClientOptions(servingOptions, serving: true);
        servingClientOptions.HttpClientFactory = () => new HttpClient(Faults, disposeHandler: false);
        _servingClient = new CosmosClient(AzureEmulators.CosmosConnectionString, servingClientOptions);
        Store = new CosmosDocumentStore(_client, _environment.Options.CosmosDatabase, queryPageSize: 10, NoWait,
            servingReads: new CosmosServingReads(_servingClient, NoWait with { MaxRetries = servingOptions.CosmosServingTransientRetries }));
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        _servingClient?.Dispose();
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

    /// <summary>A point read or a partition query, as serving makes them.</summary>
    public static TheoryData<string> ReadKinds => new() { "read", "query" };

    private Func<HttpRequestMessage, bool> ReadRequests(string kind) => kind == "read" ? FaultInjectingHandler.CosmosDocuments(HttpMethod.Get) : Query;

    private async Task ReadAsync(string kind)
    {
        if (kind == "read")
        {
            await Store.ReadAsync(Collections.Items, "p", "c");
        }
        else
        {
            await foreach (var _ in Store.ReadPartitionAsync(Collections.Items, "p"))
            {
            }
        }
    }

    [Theory]
    [MemberData(nameof(ReadKinds))]
    public async Task ServingRead_UnderA429Storm_GivesUpAfterTheServingBudget(string kind)
    {
        // CosmosServingRateLimitRetries = 1: 1 + 1 requests, then the 429 reaches the route (which degrades);
        // the main client would have sent 1 + 3.
        await Store.CreateAsync(Collections.Items, "p", "c", Json.Counter(1));
        Faults.Inject(ReadRequests(kind), HttpFault.TooManyRequests, times: 100);

        CosmosException error;
        using (ServingPath.Enter())
        {
            error = await Assert.ThrowsAsync<CosmosException>(() => ReadAsync(kind));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal(2, Faults.Injected);
    }

    [Theory]
    [MemberData(nameof(ReadKinds))]
    public async Task ServingRead_PersistentServiceUnavailable_IsThrownAfterTheServingRetries(string kind)
    {
        await Store.CreateAsync(Collections.Items, "p", "c", Json.Counter(1));
        Faults.Inject(ReadRequests(kind), HttpFault.ServiceUnavailable, times: 100);

        using (ServingPath.Enter())
        {
            var error = await Assert.ThrowsAsync<CosmosException>(() => ReadAsync(kind));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        }

        Assert.Equal(1 + 1, Faults.Injected); // CosmosServingTransientRetries = 1; the main budget is 1 + 3
    }

    [Theory]
    [MemberData(nameof(ReadKinds))]
    public async Task ReadOutsideServing_UnderThrottling_KeepsTheLongBudget(string kind)
    {
        // Three 429s in a row: more than serving's budget, within the main one (3 retries): the read succeeds.
        await Store.CreateAsync(Collections.Items, "p", "c", Json.Counter(1));
        Faults.Inject(ReadRequests(kind), HttpFault.TooManyRequests, times: 3);

        await ReadAsync(kind);

        Assert.Equal(3, Faults.Injected);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IngestionWrite_UnderThrottling_KeepsTheLongBudget_EvenInsideAServingScope(bool insideServing)
    {
        // An increment (what ingestion writes) throttled three times lands once: writes never take the serving budget.
        await Store.CreateAsync(Collections.Items, "p", "c", Json.Counter(1));
        Faults.Inject(Patch, HttpFault.TooManyRequests, times: 3);

        using (insideServing ? ServingPath.Enter() : default(ServingPath.Scope?))
        {
            Assert.True(await Store.IncrementAsync(Collections.Items, "p", "c", PlusOne()));
        }

        Assert.Equal(3, Faults.Injected);
        Assert.Equal(2, await CountAsync("c"));
    }

    [Fact]
    public async Task ServingScope_EndsWithItsUsing()
    {
        await Store.CreateAsync(Collections.Items, "p", "c", Json.Counter(1));
        using (ServingPath.Enter())
        {
            Assert.True(ServingPath.IsActive);
        }

        Assert.False(ServingPath.IsActive);
        Faults.Inject(FaultInjectingHandler.CosmosDocuments(HttpMethod.Get), HttpFault.TooManyRequests, times: 2);
        Assert.NotNull(await Store.ReadAsync(Collections.Items, "p", "c")); // the long budget again
        Assert.Equal(2, Faults.Injected);
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

    [Fact]
    public void ServingClientOptions_CarryTheServingBounds_ByDefaultOneRetryAndOneSecond()
    {
        var options = new AzureOptions { CosmosConnectionString = AzureEmulators.CosmosConnectionString, StorageConnectionString = AzureEmulators.StorageConnectionString };

        var serving = AzureClients.CreateCosmosClientOptions(options, serving: true);
        var main = AzureClients.CreateCosmosClientOptions(options);

        Assert.Equal(1, serving.MaxRetryAttemptsOnRateLimitedRequests);
        Assert.Equal(TimeSpan.FromSeconds(1), serving.MaxRetryWaitTimeOnRateLimitedRequests);
        Assert.Equal(9, main.MaxRetryAttemptsOnRateLimitedRequests);
        Assert.Equal(TimeSpan.FromSeconds(30), main.MaxRetryWaitTimeOnRateLimitedRequests);
        Assert.Equal(1, options.CosmosServingRetry.MaxRetries);
        Assert.Equal(options.CosmosTransientRetryDelay, options.CosmosServingRetry.BaseDelay);
    }

    [Theory]
    [InlineData(nameof(AzureOptions.CosmosServingRateLimitRetries), -1)]
    [InlineData(nameof(AzureOptions.CosmosServingRateLimitRetries), 31)]
    [InlineData(nameof(AzureOptions.CosmosServingRateLimitMaxWait), 0)]
    [InlineData(nameof(AzureOptions.CosmosServingRateLimitMaxWait), 31)]
    [InlineData(nameof(AzureOptions.CosmosServingTransientRetries), -1)]
    [InlineData(nameof(AzureOptions.CosmosServingTransientRetries), 11)]
    public void ServingOptions_OutOfBounds_AreRefusedNamingTheSetting(string setting, int value)
    {
        var options = new AzureOptions { CosmosConnectionString = AzureEmulators.CosmosConnectionString, StorageConnectionString = AzureEmulators.StorageConnectionString };
        switch (setting)
        {
            case nameof(AzureOptions.CosmosServingRateLimitRetries):
                options.CosmosServingRateLimitRetries = value;
                break;
            case nameof(AzureOptions.CosmosServingRateLimitMaxWait):
                options.CosmosServingRateLimitMaxWait = TimeSpan.FromSeconds(value);
                break;
            default:
                options.CosmosServingTransientRetries = value;
                break;
        }

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServingOptions_AtTheirBounds_AreAccepted()
    {
        new AzureOptions
        {
            CosmosConnectionString = AzureEmulators.CosmosConnectionString,
            StorageConnectionString = AzureEmulators.StorageConnectionString,
            CosmosServingRateLimitRetries = 0,
            CosmosServingRateLimitMaxWait = TimeSpan.FromSeconds(30),
            CosmosServingTransientRetries = 10,
        }.Validate();
    }
}
