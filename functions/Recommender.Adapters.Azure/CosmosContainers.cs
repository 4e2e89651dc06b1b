using Recommender.Domain.Storage;

namespace Recommender.Adapters.Azure;

/// <summary>
/// The container settings of each collection, as documented in <see cref="Collections"/>:
/// partition key <c>/pk</c> and the default time-to-live in seconds (<c>null</c>: no TTL,
/// documents live until deleted). The infrastructure templates declare the same values.
/// </summary>
public static class CosmosContainers
{
    private const int Day = 24 * 60 * 60;

    /// <summary>26 months, rounded to 790 days.</summary>
    public const int TwentySixMonths = 790 * Day;

    /// <summary>Default TTL per collection name; a missing name means no TTL.</summary>
    public static readonly IReadOnlyDictionary<string, int?> DefaultTimeToLiveSeconds = new Dictionary<string, int?>(StringComparer.Ordinal)
    {
        [Collections.Profiles] = TwentySixMonths,
        [Collections.Items] = null,
        [Collections.Recommendations] = 7 * Day,
        [Collections.Workflows] = 90 * Day,
        [Collections.Customers] = TwentySixMonths,
        [Collections.Erasures] = null, // proof of erasure is kept
        [Collections.Watchers] = 180 * Day,
    };

    /// <summary>The container definition of <paramref name="collection"/>.</summary>
    public static Microsoft.Azure.Cosmos.ContainerProperties Properties(string collection) =>
        new(collection, CosmosDocumentJson.PartitionKeyPath)
        {
            DefaultTimeToLive = DefaultTimeToLiveSeconds.GetValueOrDefault(collection),
        };
}
