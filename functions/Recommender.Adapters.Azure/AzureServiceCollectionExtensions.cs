using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Azure;

/// <summary>Registers the Azure (Cosmos DB, Blob Storage, Storage queues) implementations of the storage ports.</summary>
public static class AzureServiceCollectionExtensions
{
    /// <summary>
    /// Validates <paramref name="options"/> and registers, as singletons, one <see cref="CosmosClient"/> (and a
    /// second one keyed <see cref="AzureClients.ServingCosmosClient"/> for serving reads, see <see cref="CosmosServingReads"/>),
    /// <see cref="BlobServiceClient"/>, <see cref="BlobContainerClient"/> and <see cref="QueueServiceClient"/>,
    /// the ports <see cref="IDocumentStore"/>, <see cref="IBlobStore"/> and <see cref="IWorkQueue"/>, and
    /// <see cref="AzureResourceInitializer"/> (also as a hosted service when
    /// <see cref="AzureOptions.CreateResourcesIfMissing"/> is set). A <see cref="TokenCredential"/>
    /// registered beforehand replaces the default one.
    /// </summary>
    public static IServiceCollection AddAzureAdapters(this IServiceCollection services, AzureOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        services.AddSingleton(options);
        services.TryAddSingleton<TokenCredential>(_ => AzureClients.CreateCredential(options));
        services.AddSingleton(sp => AzureClients.CreateCosmosClient(options, sp.GetRequiredService<TokenCredential>));
        services.AddKeyedSingleton(AzureClients.ServingCosmosClient, (sp, _) => AzureClients.CreateCosmosClient(options, sp.GetRequiredService<TokenCredential>, serving: true));
        services.AddSingleton(sp => AzureClients.CreateBlobServiceClient(options, sp.GetRequiredService<TokenCredential>));
        services.AddSingleton(sp => AzureClients.CreateQueueServiceClient(options, sp.GetRequiredService<TokenCredential>));
        services.AddSingleton(sp => sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(options.BlobContainer));

        services.AddSingleton<IDocumentStore>(sp => new CosmosDocumentStore(sp.GetRequiredService<CosmosClient>(), options.CosmosDatabase, options.CosmosQueryPageSize, options.CosmosRetry,
            servingReads: new CosmosServingReads(sp.GetRequiredKeyedService<CosmosClient>(AzureClients.ServingCosmosClient), options.CosmosServingRetry)));
        services.AddSingleton<IBlobStore>(sp =>
        {
            var data = new BlobStorageStore(sp.GetRequiredService<BlobContainerClient>());
            return options.AuditContainer is { } audit
                ? new AuditRoutingBlobStore(data, new BlobStorageStore(sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(audit)))
                : data;
        });
        services.AddSingleton<IWorkQueue>(sp => new StorageQueueWorkQueue(sp.GetRequiredService<QueueServiceClient>()));

        services.AddSingleton<AzureResourceInitializer>();
        if (options.CreateResourcesIfMissing)
        {
            services.AddHostedService(sp => sp.GetRequiredService<AzureResourceInitializer>());
        }

        return services;
    }
}
