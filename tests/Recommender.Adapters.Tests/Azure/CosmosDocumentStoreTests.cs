using Microsoft.Extensions.DependencyInjection;
using Recommender.Adapters.Tests.Contracts;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>The document contract against the Cosmos DB stand-in, with 10 documents per query page.</summary>
public sealed class CosmosDocumentStoreTests : DocumentStoreContract
{
    private AzureTestEnvironment? _environment;

    protected override int MoreThanOnePage => 25; // pages of 10: three round trips

    protected override async Task<IDocumentStore> CreateStoreAsync()
    {
        _environment = await AzureTestEnvironment.CreateAsync(cosmosQueryPageSize: 10);
        return _environment.Services.GetRequiredService<IDocumentStore>();
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}
