using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Hosting;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Adapters.Azure;

/// <summary>
/// Creates what the adapters expect to exist: the Cosmos database, one container per collection
/// (partition key <c>/pk</c>, default TTL from <see cref="CosmosContainers"/>), the blob container
/// and the queues in <see cref="Queues.All"/>. For emulators; in Azure the infrastructure does it.
/// Runs at host start when <see cref="AzureOptions.CreateResourcesIfMissing"/> is set.
/// </summary>
public sealed class AzureResourceInitializer : IHostedService
{
    private readonly CosmosClient _cosmos;
    private readonly BlobServiceClient _blobs;
    private readonly QueueServiceClient _queues;
    private readonly AzureOptions _options;

    /// <summary>Creates resources named by <paramref name="options"/> through the given clients.</summary>
    public AzureResourceInitializer(CosmosClient cosmos, BlobServiceClient blobs, QueueServiceClient queues, AzureOptions options)
    {
        ArgumentNullException.ThrowIfNull(cosmos);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(options);
        _cosmos = cosmos;
        _blobs = blobs;
        _queues = queues;
        _options = options;
    }

    /// <summary>Creates every missing resource; existing ones are left as they are.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        var database = (await _cosmos.CreateDatabaseIfNotExistsAsync(_options.CosmosDatabase, cancellationToken: cancellationToken)).Database;
        foreach (var collection in Collections.All)
        {
            await database.CreateContainerIfNotExistsAsync(CosmosContainers.Properties(collection), cancellationToken: cancellationToken);
        }

        await _blobs.GetBlobContainerClient(_options.BlobContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        if (_options.AuditContainer is { } audit)
        {
            await _blobs.GetBlobContainerClient(audit).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        foreach (var queue in Queues.All)
        {
            await _queues.GetQueueClient(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => EnsureCreatedAsync(cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
