using System.Text.Json.Nodes;

namespace Recommender.Infrastructure.Tests;

/// <summary>Cosmos DB: serverless, keyless, one database and the seven collections of the domain.</summary>
[Collection(BicepCollection.Name)]
public sealed class CosmosTemplateTests(CompiledTemplate compiled)
{
    private const string AccountType = "Microsoft.DocumentDB/databaseAccounts";
    private const string ContainerType = "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers";

    private static readonly string[] CollectionNames = ["profiles", "items", "recommendations", "workflows", "customers", "erasures", "watchers"];

    private ModuleDeployment Cosmos => compiled.Main.Module(AccountType);

    [Fact]
    public void Account_IsServerlessSessionConsistentAndRejectsKeys()
    {
        var properties = Cosmos.Template.SingleResource(AccountType)["properties"]!;

        var capabilities = properties["capabilities"]!.AsArray().Select(capability => (string?)capability!["name"]);
        Assert.Contains("EnableServerless", capabilities);
        Assert.True(properties["disableLocalAuth"]!.GetValue<bool>());
        Assert.Equal("Session", (string?)properties["consistencyPolicy"]!["defaultConsistencyLevel"]);
    }

    [Fact]
    public void Database_IsNamedRecommender()
    {
        var database = Cosmos.Template.SingleResource("Microsoft.DocumentDB/databaseAccounts/sqlDatabases");

        Assert.Equal("recommender", (string?)Cosmos.Resolve(database["properties"]!["resource"]!["id"]));
    }

    [Fact]
    public void Containers_AreExactlyTheSevenCollections()
    {
        var names = Containers().Select(container => (string?)container["name"]);

        Assert.Equal(CollectionNames, names);
    }

    [Fact]
    public void Containers_ArePartitionedOnPkWithHashVersion2()
    {
        var container = Cosmos.Template.SingleResource(ContainerType);
        var resource = container["properties"]!["resource"]!;
        var partitionKey = resource["partitionKey"]!;

        Assert.Contains("variables('containers')", (string?)container["copy"]!["count"], StringComparison.Ordinal);
        Assert.Equal(["/pk"], partitionKey["paths"]!.AsArray().Select(path => (string?)path));
        Assert.Equal("Hash", (string?)partitionKey["kind"]);
        Assert.Equal(2, partitionKey["version"]!.GetValue<int>());
        Assert.Contains("'defaultTtl'", (string?)resource["defaultTtl"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("profiles", 68256000)] // 790 days ≈ 26 months
    [InlineData("items", null)]
    [InlineData("recommendations", 604800)] // 7 days
    [InlineData("workflows", 7776000)] // 90 days
    [InlineData("customers", 68256000)]
    [InlineData("erasures", null)] // proofs of erasure are kept
    [InlineData("watchers", 15552000)] // 180 days
    public void Container_HasTheDocumentedTimeToLive(string name, int? defaultTtl)
    {
        var container = Containers().Single(candidate => (string?)candidate["name"] == name);

        Assert.Equal(defaultTtl, container["defaultTtl"]?.GetValue<int>());
    }

    private IEnumerable<JsonObject> Containers() => Cosmos.Template.Variable("containers").AsArray().OfType<JsonObject>();
}
