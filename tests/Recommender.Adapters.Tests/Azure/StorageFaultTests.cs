using Azure;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Recommender.Adapters.Azure;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>
/// Blob and queue adapters against Azurite through <see cref="FaultInjectingHandler"/> as the Azure.Core
/// transport, with the app's retry settings (<see cref="AzureClients"/>) and no wait between retries:
/// 503, 408, resets before the request and after it applied. Asserts the exact final state.
/// </summary>
public sealed class StorageFaultTests : IAsyncLifetime
{
    private AzureTestEnvironment? _environment;
    private readonly FaultInjectingHandler _faults = new(new HttpClientHandler());
    private readonly AzureOptions _options = new()
    {
        CosmosConnectionString = AzureEmulators.CosmosConnectionString,
        StorageConnectionString = AzureEmulators.StorageConnectionString,
        StorageRetries = 3,
        StorageRetryDelay = TimeSpan.Zero,
    };

    private BlobStorageStore Blobs { get; set; } = null!;

    private StorageQueueWorkQueue Queue { get; set; } = null!;

    private string QueueName => _environment!.QueueName;

    public async Task InitializeAsync()
    {
        _environment = await AzureTestEnvironment.CreateAsync();
        var transport = new HttpClientTransport(new HttpClient(_faults, disposeHandler: false));
        var blobOptions = AzureClients.CreateBlobClientOptions(_options);
        blobOptions.Transport = transport;
        Blobs = new BlobStorageStore(new BlobServiceClient(AzureEmulators.StorageConnectionString, blobOptions).GetBlobContainerClient(_environment.Options.BlobContainer));
        var queueOptions = AzureClients.CreateQueueClientOptions(_options);
        queueOptions.Transport = transport;
        Queue = new StorageQueueWorkQueue(new QueueServiceClient(AzureEmulators.StorageConnectionString, queueOptions));
    }

    public async Task DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }

    private static Func<HttpRequestMessage, bool> Blob(HttpMethod method) => r => r.Method == method && r.RequestUri!.Port == 10000;

    private static Func<HttpRequestMessage, bool> Messages(HttpMethod method) =>
        r => r.Method == method && r.RequestUri!.Port == 10001 && r.RequestUri.AbsolutePath.Contains("/messages", StringComparison.Ordinal);

    public static TheoryData<HttpFault> WriteFaults => new()
    {
        HttpFault.ServiceUnavailable, HttpFault.ResetBeforeSend, HttpFault.TimeoutAfterApplied, HttpFault.ResetAfterApplied, HttpFault.ServiceUnavailableAfterApplied,
    };

    [Theory]
    [MemberData(nameof(WriteFaults))]
    public async Task CreateOnlyPut_AfterAnyFault_StoresTheBlobOnce_AndAnswersItsETag(HttpFault fault)
    {
        _faults.Inject(Blob(HttpMethod.Put), fault);

        var etag = await Blobs.PutAsync("archive/2026/05/01/part-1.json.gz", "events"u8.ToArray(), overwrite: false);

        Assert.Equal(1, _faults.Injected);
        var stored = (await Blobs.GetAsync("archive/2026/05/01/part-1.json.gz"))!.Value;
        Assert.Equal("events"u8.ToArray(), stored.Content);
        Assert.Equal(stored.ETag, etag);
    }

    [Fact]
    public async Task CreateOnlyPut_LostAnswer_OverSomeoneElsesBlob_IsStillAConflict()
    {
        await Blobs.PutAsync("models/v1.json", "theirs"u8.ToArray(), overwrite: false);
        _faults.Inject(Blob(HttpMethod.Put), HttpFault.ResetBeforeSend);

        await Assert.ThrowsAsync<DocumentConflictException>(() => Blobs.PutAsync("models/v1.json", "ours"u8.ToArray(), overwrite: false));

        Assert.Equal("theirs"u8.ToArray(), (await Blobs.GetAsync("models/v1.json"))!.Value.Content);
    }

    [Theory]
    [MemberData(nameof(WriteFaults))]
    public async Task ConditionalReplace_AfterAnyFault_AppliesOnce_AndItsETagWorksNext(HttpFault fault)
    {
        var etag = await Blobs.PutAsync("catalog.json", "v1"u8.ToArray());
        _faults.Inject(Blob(HttpMethod.Put), fault);

        var next = await Blobs.ReplaceAsync("catalog.json", "v2"u8.ToArray(), etag);

        await Blobs.ReplaceAsync("catalog.json", "v3"u8.ToArray(), next);
        Assert.Equal("v3"u8.ToArray(), (await Blobs.GetAsync("catalog.json"))!.Value.Content);
    }

    [Fact]
    public async Task ConditionalReplace_ETagRace_LosesCleanly()
    {
        var etag = await Blobs.PutAsync("catalog.json", "v1"u8.ToArray());
        await Blobs.ReplaceAsync("catalog.json", "theirs"u8.ToArray(), etag);
        _faults.Inject(Blob(HttpMethod.Put), HttpFault.TimeoutAfterApplied);

        await Assert.ThrowsAsync<DocumentConflictException>(() => Blobs.ReplaceAsync("catalog.json", "ours"u8.ToArray(), etag));

        Assert.Equal("theirs"u8.ToArray(), (await Blobs.GetAsync("catalog.json"))!.Value.Content);
    }

    [Fact]
    public async Task ConditionalReplace_LostAnswer_AfterAConcurrentWriteOfTheSameContent_IsStillAConflict()
    {
        var etag = await Blobs.PutAsync("counter", "1"u8.ToArray());
        await Blobs.ReplaceAsync("counter", "2"u8.ToArray(), etag); // another loop, from the same read
        _faults.Inject(Blob(HttpMethod.Put), HttpFault.ResetBeforeSend);

        await Assert.ThrowsAsync<DocumentConflictException>(() => Blobs.ReplaceAsync("counter", "2"u8.ToArray(), etag));
    }

    [Theory]
    [MemberData(nameof(WriteFaults))]
    public async Task ReadsListsAndDeletes_AfterAnyFault_Succeed(HttpFault fault)
    {
        await Blobs.PutAsync("a/1", "x"u8.ToArray());
        _faults.Inject(Blob(HttpMethod.Get), fault, times: 2);

        Assert.Equal("x"u8.ToArray(), (await Blobs.GetAsync("a/1"))!.Value.Content);
        Assert.Equal(["a/1"], await Blobs.ListAsync("a/").Select(b => b.Name).ToListAsync());

        _faults.Inject(Blob(HttpMethod.Delete), fault);
        await Blobs.DeleteAsync("a/1");
        Assert.Null(await Blobs.GetAsync("a/1"));
        Assert.Equal(3, _faults.Injected);
    }

    [Fact]
    public async Task PersistentServiceUnavailable_IsThrownAfterTheConfiguredRetries()
    {
        _faults.Inject(Blob(HttpMethod.Get), HttpFault.ServiceUnavailable, times: 100);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => Blobs.GetAsync("missing"));

        Assert.Equal(503, error.Status);
        Assert.Equal(1 + _options.StorageRetries, _faults.Injected);
    }

    [Theory]
    [InlineData(HttpFault.ServiceUnavailable, 1)]
    [InlineData(HttpFault.ResetBeforeSend, 1)]
    [InlineData(HttpFault.ResetAfterApplied, 2)] // at least once: the consumers are idempotent (see docs/robustness.md)
    [InlineData(HttpFault.TimeoutAfterApplied, 2)]
    public async Task QueueSend_AfterAFault_IsSentAtLeastOnce(HttpFault fault, int expected)
    {
        _faults.Inject(Messages(HttpMethod.Post), fault);

        await Queue.SendAsync(QueueName, "step-1");

        var received = await Queue.ReceiveAsync(QueueName, 32, TimeSpan.FromMinutes(1));
        Assert.Equal(Enumerable.Repeat("step-1", expected), received.Select(m => m.Body));
    }

    [Theory]
    [MemberData(nameof(WriteFaults))]
    public async Task QueueReceiveAndDelete_AfterAnyFault_LeaveNoMessageBehind(HttpFault fault)
    {
        await Queue.SendAsync(QueueName, "step-1");
        _faults.Inject(Messages(HttpMethod.Delete), fault);

        var message = Assert.Single(await Queue.ReceiveAsync(QueueName, 1, TimeSpan.FromSeconds(1)));
        await Queue.DeleteAsync(message);

        var raw = new QueueClient(AzureEmulators.StorageConnectionString, QueueName);
        Assert.Equal(0, (await raw.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(1, _faults.Injected);
    }
}
