using Microsoft.Azure.Cosmos;

namespace Recommender.Adapters.Azure;

/// <summary>
/// How <see cref="CosmosDocumentStore"/> reads on the serving path (<see cref="Recommender.Domain.Ports.ServingPath"/>):
/// through <paramref name="Client"/>, whose 429 budget is the short one
/// (<see cref="AzureOptions.CosmosServingRateLimitRetries"/>, <see cref="AzureOptions.CosmosServingRateLimitMaxWait"/>;
/// the SDK sets it per client), and with <paramref name="Retry"/> for transient failures. Writes never use it.
/// </summary>
/// <param name="Client">A client of the same account as the store's main one, built with the serving budget.</param>
/// <param name="Retry">The transient retries of a serving read (<see cref="AzureOptions.CosmosServingTransientRetries"/>).</param>
public sealed record CosmosServingReads(CosmosClient Client, CosmosRetryOptions Retry);
