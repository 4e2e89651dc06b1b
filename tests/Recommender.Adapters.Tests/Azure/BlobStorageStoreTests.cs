using Microsoft.Extensions.DependencyInjection;
using Recommender.Adapters.Tests.Contracts;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>The blob contract against Azurite.</summary>
public sealed class BlobStorageStoreTests : BlobStoreContract
{
    private AzureTestEnvironment? _environment;

    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        _environment = await AzureTestEnvironment.CreateAsync();
        return _environment.Services.GetRequiredService<IBlobStore>();
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}
