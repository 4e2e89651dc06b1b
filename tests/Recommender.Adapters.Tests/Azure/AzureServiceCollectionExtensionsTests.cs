using Azure.Core;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Recommender.Adapters.Azure;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>Registration and settings; nothing here talks to a server.</summary>
public sealed class AzureServiceCollectionExtensionsTests
{
    private static AzureOptions ProductionOptions() => new()
    {
        CosmosEndpoint = new Uri("https://acct.documents.azure.com:443/"),
        BlobServiceUri = new Uri("https://acct.blob.core.windows.net"),
        QueueServiceUri = new Uri("https://acct.queue.core.windows.net"),
    };

    [Fact]
    public void Validate_ListsEveryMissingSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new AzureOptions().Validate());

        Assert.Contains(nameof(AzureOptions.CosmosEndpoint), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(AzureOptions.BlobServiceUri), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(AzureOptions.QueueServiceUri), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AcceptsIdentityBasedEndpoints_OrEmulatorConnectionStrings()
    {
        ProductionOptions().Validate();
        new AzureOptions { CosmosConnectionString = AzureEmulators.CosmosConnectionString, StorageConnectionString = AzureEmulators.StorageConnectionString }.Validate();
    }

    [Fact]
    public async Task AddAzureAdapters_WithIdentityEndpoints_UsesTheRegisteredCredential_AndDirectMode()
    {
        var credential = new StaticTokenCredential();
        var services = new ServiceCollection().AddSingleton<TokenCredential>(credential);
        await using var provider = services.AddAzureAdapters(ProductionOptions()).BuildServiceProvider();

        Assert.IsType<CosmosDocumentStore>(provider.GetRequiredService<IDocumentStore>());
        Assert.IsType<BlobStorageStore>(provider.GetRequiredService<IBlobStore>());
        Assert.IsType<StorageQueueWorkQueue>(provider.GetRequiredService<IWorkQueue>());
        Assert.Same(provider.GetRequiredService<IDocumentStore>(), provider.GetRequiredService<IDocumentStore>());
        var cosmos = provider.GetRequiredService<CosmosClient>();
        Assert.Equal(ConnectionMode.Direct, cosmos.ClientOptions.ConnectionMode);
        Assert.False(cosmos.ClientOptions.LimitToEndpoint);
        Assert.Null(cosmos.ClientOptions.HttpClientFactory); // certificates are validated in production
        Assert.Empty(provider.GetServices<IHostedService>());
    }

    [Fact]
    public async Task AddAzureAdapters_WithEmulator_UsesGatewayLimitedToEndpoint_AndRegistersTheInitializer()
    {
        var options = new AzureOptions
        {
            CosmosConnectionString = AzureEmulators.CosmosConnectionString,
            StorageConnectionString = AzureEmulators.StorageConnectionString,
            CreateResourcesIfMissing = true,
        };
        await using var provider = new ServiceCollection().AddAzureAdapters(options).BuildServiceProvider();

        var cosmos = provider.GetRequiredService<CosmosClient>();
        Assert.Equal(ConnectionMode.Gateway, cosmos.ClientOptions.ConnectionMode);
        Assert.True(cosmos.ClientOptions.LimitToEndpoint);
        Assert.NotNull(cosmos.ClientOptions.HttpClientFactory);
        Assert.IsType<AzureResourceInitializer>(Assert.Single(provider.GetServices<IHostedService>()));
    }

    [Fact]
    public async Task AddAzureAdapters_RegistersASecondCosmosClient_WithTheServingBudget()
    {
        var options = ProductionOptions();
        options.CosmosServingRateLimitRetries = 2;
        options.CosmosServingRateLimitMaxWait = TimeSpan.FromSeconds(3);
        await using var provider = new ServiceCollection().AddSingleton<TokenCredential>(new StaticTokenCredential()).AddAzureAdapters(options).BuildServiceProvider();

        var main = provider.GetRequiredService<CosmosClient>();
        var serving = provider.GetRequiredKeyedService<CosmosClient>(AzureClients.ServingCosmosClient);

        Assert.NotSame(main, serving);
        Assert.Equal(2, serving.ClientOptions.MaxRetryAttemptsOnRateLimitedRequests);
        Assert.Equal(TimeSpan.FromSeconds(3), serving.ClientOptions.MaxRetryWaitTimeOnRateLimitedRequests);
        Assert.Equal(9, main.ClientOptions.MaxRetryAttemptsOnRateLimitedRequests);
    }

    private sealed class StaticTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
