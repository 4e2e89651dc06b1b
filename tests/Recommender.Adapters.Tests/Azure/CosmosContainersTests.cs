using System.Globalization;
using System.Text.RegularExpressions;
using Recommender.Adapters.Azure;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Adapters.Tests.Azure;

public sealed partial class CosmosContainersTests
{
    [Fact]
    public void EveryCollection_HasAContainerDefinition_WithPkPartitionKey()
    {
        foreach (var collection in Collections.All)
        {
            Assert.True(CosmosContainers.DefaultTimeToLiveSeconds.ContainsKey(collection), collection);
            Assert.Equal("/pk", CosmosContainers.Properties(collection).PartitionKeyPath);
        }
    }

    [Fact]
    public void DefaultTtls_MatchTheInfrastructureTemplate()
    {
        // The emulator initializer and infra/modules/cosmos.bicep must declare the same containers.
        var template = File.ReadAllText(Path.Combine(RepositoryRoot(), "infra", "modules", "cosmos.bicep"));
        var declared = ContainerSpec().Matches(template).ToDictionary(
            m => m.Groups["name"].Value,
            m => m.Groups["ttl"].Success ? int.Parse(m.Groups["ttl"].Value, CultureInfo.InvariantCulture) : (int?)null,
            StringComparer.Ordinal);

        Assert.Equal(Collections.All.Order(StringComparer.Ordinal), declared.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, ttl) in declared)
        {
            Assert.Equal(ttl, CosmosContainers.DefaultTimeToLiveSeconds[name]);
            // The embedded store enforces the same rule from the same place (Collections.TimeToLive).
            Assert.Equal(ttl, Collections.TimeToLive[name] is { } span ? (int)span.TotalSeconds : null);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Recommender.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Recommender.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\{\s*name:\s*'(?<name>[a-z-]+)'(?:\s*,\s*defaultTtl:\s*(?<ttl>\d+))?\s*\}")]
    private static partial Regex ContainerSpec();
}
