using Recommender.Domain.Ports.Storage;

namespace Recommender.Adapters.Azure;

/// <summary>
/// The container settings of each collection: partition key <c>/pk</c> and the default time-to-live
/// in seconds from <see cref="Collections.TimeToLive"/> (<c>null</c>: no TTL, documents live until
/// deleted). The infrastructure templates declare the same values.
/// </summary>
public static class CosmosContainers
{
    /// <summary>Default TTL in seconds per collection name, from <see cref="Collections.TimeToLive"/>; a missing name means no TTL.</summary>
    public static readonly IReadOnlyDictionary<string, int?> DefaultTimeToLiveSeconds = Collections.TimeToLive.ToDictionary(
        c => c.Key, c => c.Value is { } ttl ? (int?)(int)ttl.TotalSeconds : null, StringComparer.Ordinal);

    /// <summary>The container definition of <paramref name="collection"/>.</summary>
    public static Microsoft.Azure.Cosmos.ContainerProperties Properties(string collection) =>
        new(collection, CosmosDocumentJson.PartitionKeyPath)
        {
            DefaultTimeToLive = DefaultTimeToLiveSeconds.GetValueOrDefault(collection),
        };
}
