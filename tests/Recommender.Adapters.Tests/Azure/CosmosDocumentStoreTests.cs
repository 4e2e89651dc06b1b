using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Adapters.Tests.Contracts;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

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

    /// <summary>
    /// What <c>CosmosDocumentStore.IncrementAsync</c> relies on to create a missing parent
    /// object: Cosmos DB refuses an increment whose parent does not exist (400, "can't create path
    /// recursively") rather than writing it elsewhere. @vercel/cosmosdb-server 1.0.1 wrote the value one
    /// level too high (into the grandparent) and answered 200; tests/emulators/patches fixes that.
    /// </summary>
    [Fact]
    public async Task StandIn_IncrementUnderMissingParent_Answers400LikeCosmos()
    {
        await Store.CreateAsync(Collections.Items, "p", "probe", Json.Parse("""{"views":1}"""));
        var container = _environment!.Cosmos.GetContainer(_environment.Options.CosmosDatabase, Collections.Items);

        using var response = await container.PatchItemStreamAsync("probe", new PartitionKey("p"), [PatchOperation.Increment("/body/coViewed/a", 1)]);

        var body = (await Store.ReadAsync(Collections.Items, "p", "probe"))!.Body;
        Assert.True(
            response.StatusCode == HttpStatusCode.BadRequest,
            $"The Cosmos DB stand-in answered {(int)response.StatusCode} and stored {body.GetRawText()}: it lacks the fix for increments under a missing parent " +
            "(lib/handler/_patch-operations.js, getValueAtPath). Apply tests/emulators/patches and restart the stand-in.");
        Json.Equal(Json.Parse("""{"views":1}"""), body);
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}
