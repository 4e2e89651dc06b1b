using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Adapters.Azure;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>
/// The Azure adapters wired exactly as the app wires them (<see cref="AzureServiceCollectionExtensions.AddAzureAdapters"/>
/// with emulator connection strings and <see cref="AzureResourceInitializer"/>), with a database,
/// blob container and queue whose names are unique to one test, and removed afterwards.
/// </summary>
public sealed class AzureTestEnvironment : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private AzureTestEnvironment(ServiceProvider provider, AzureOptions options, string queueName)
    {
        _provider = provider;
        Options = options;
        QueueName = queueName;
    }

    public AzureOptions Options { get; }

    public string QueueName { get; }

    public IServiceProvider Services => _provider;

    public CosmosClient Cosmos => _provider.GetRequiredService<CosmosClient>();

    public static async Task<AzureTestEnvironment> CreateAsync(int cosmosQueryPageSize = 10, bool auditContainer = false)
    {
        await AzureEmulators.EnsureReachableAsync();
        var unique = "t" + Guid.NewGuid().ToString("N")[..16];
        var options = new AzureOptions
        {
            CosmosConnectionString = AzureEmulators.CosmosConnectionString,
            StorageConnectionString = AzureEmulators.StorageConnectionString,
            CosmosDatabase = unique,
            BlobContainer = unique,
            CreateResourcesIfMissing = true,
            CosmosQueryPageSize = cosmosQueryPageSize,
            AuditContainer = auditContainer ? unique + "-audit" : null,
        };
        var provider = new ServiceCollection().AddAzureAdapters(options).BuildServiceProvider();
        var environment = new AzureTestEnvironment(provider, options, unique);
        try
        {
            await provider.GetRequiredService<AzureResourceInitializer>().EnsureCreatedAsync();
            await provider.GetRequiredService<QueueServiceClient>().CreateQueueAsync(unique);
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var _ = await Cosmos.GetDatabase(Options.CosmosDatabase).DeleteStreamAsync();
            await _provider.GetRequiredService<BlobContainerClient>().DeleteIfExistsAsync();
            if (Options.AuditContainer is { } audit)
            {
                await _provider.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(audit).DeleteIfExistsAsync();
            }
            await _provider.GetRequiredService<QueueServiceClient>().GetQueueClient(QueueName).DeleteIfExistsAsync();
        }
        finally
        {
            await _provider.DisposeAsync();
        }
    }
}
