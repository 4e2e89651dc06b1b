using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>Storage queue messages as the Functions host will see them (plain text, no expiry).</summary>
public sealed class StorageConfigurationTests : IAsyncLifetime
{
    private AzureTestEnvironment? _environment;

    private AzureTestEnvironment Environment => _environment ?? throw new InvalidOperationException("Not initialized.");

    public async Task InitializeAsync() => _environment = await AzureTestEnvironment.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }

    [Fact]
    public async Task SentMessages_ArePlainText_AndNeverExpire()
    {
        const string Body = """{"step":"remind","at":"2024-05-01"}""";
        await Environment.Services.GetRequiredService<IWorkQueue>().SendAsync(Environment.QueueName, Body);

        // Read with a client that does no decoding at all: the host (messageEncoding "none") sees exactly this.
        var raw = new QueueClient(AzureEmulators.StorageConnectionString, Environment.QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var peeked = Assert.Single((await raw.PeekMessagesAsync(10)).Value);

        Assert.Equal(Body, peeked.Body.ToString());
        Assert.True(peeked.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100), $"expires {peeked.ExpiresOn}");
    }

    [Fact]
    public async Task SubSecondLease_IsRoundedUp_NotTruncatedToNoLease()
    {
        var queue = Environment.Services.GetRequiredService<IWorkQueue>();
        await queue.SendAsync(Environment.QueueName, "x");

        Assert.Single(await queue.ReceiveAsync(Environment.QueueName, 1, TimeSpan.FromMilliseconds(500)));
        Assert.Empty(await queue.ReceiveAsync(Environment.QueueName, 1, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Initializer_CreatesTheAppQueues_AndTheBlobContainer()
    {
        var queues = Environment.Services.GetRequiredService<QueueServiceClient>();
        foreach (var queue in Recommender.Domain.Ports.Storage.Queues.All)
        {
            Assert.True((await queues.GetQueueClient(queue).ExistsAsync()).Value, queue);
        }

        Assert.True((await Environment.Services.GetRequiredService<global::Azure.Storage.Blobs.BlobContainerClient>().ExistsAsync()).Value);
    }
}
