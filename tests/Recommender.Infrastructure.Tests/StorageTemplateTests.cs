using System.Text.Json.Nodes;

namespace Recommender.Infrastructure.Tests;

/// <summary>Storage: Entra ID only, the data and package containers, the work queues and retention.</summary>
[Collection(BicepCollection.Name)]
public sealed class StorageTemplateTests(CompiledTemplate compiled)
{
    private const string AccountType = "Microsoft.Storage/storageAccounts";

    private ModuleDeployment Storage => compiled.Main.Module(AccountType);

    [Fact]
    public void Account_AcceptsOnlyEntraIdOverTls12()
    {
        var account = Storage.Template.SingleResource(AccountType);
        var properties = account["properties"]!;

        Assert.Equal("StorageV2", (string?)account["kind"]);
        Assert.False(properties["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(properties["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.True(properties["supportsHttpsTrafficOnly"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
    }

    [Fact]
    public void BlobContainers_AreDataAndTheDeploymentPackage()
    {
        var containerNames = Storage.Template
            .ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Select(container => (string?)container["name"])
            .ToList();

        Assert.Equal("data", (string?)Storage.ParameterValue("dataContainerName"));
        Assert.False(string.IsNullOrEmpty((string?)Storage.ParameterValue("deploymentContainerName")));
        Assert.Contains(containerNames, name => name!.Contains("parameters('dataContainerName')", StringComparison.Ordinal));
        Assert.Contains(containerNames, name => name!.Contains("parameters('deploymentContainerName')", StringComparison.Ordinal));
    }

    [Fact]
    public void Queues_AreTheWorkQueuesOfTheApp()
    {
        // loadJsonContent of the queue registry: the variable refers to the file's content, inlined by bicep.
        var queues = Storage.Template.Resolve(Storage.Template.Variable("queueNames"))!.AsArray().Select(queue => (string?)queue);

        Assert.Equal(["cart-abandonment", "browse-abandonment", "erasure-tasks", "recommendation-refresh", "training", "message-delivery", "catalog-alerts", "post-purchase", "replenishment", "segmentation"], queues);
        Assert.Contains(
            "variables('queueNames')",
            (string?)Storage.Template.SingleResource("Microsoft.Storage/storageAccounts/queueServices/queues")["copy"]!["count"],
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/events/behavioural/", 790)]
    [InlineData("/events/search/", 90)]
    [InlineData("/events/orders/", 2557)]
    [InlineData("/events/records/", 2557)]
    [InlineData("/deadletter/", 30)]
    public void Lifecycle_DeletesBlobsUnderPrefixAfterDays(string prefix, int days)
    {
        var rules = Storage.Template.SingleResource("Microsoft.Storage/storageAccounts/managementPolicies")["properties"]!["policy"]!["rules"]!.AsArray();

        var rule = Assert.Single(rules, candidate => PrefixesOf(candidate!).Any(match => match.Contains(prefix, StringComparison.Ordinal)));
        var prefixes = PrefixesOf(rule!);
        Assert.All(prefixes, match => Assert.Contains("parameters('dataContainerName')", match, StringComparison.Ordinal));
        Assert.True(rule!["enabled"]!.GetValue<bool>());
        var delete = rule["definition"]!["actions"]!["baseBlob"]!["delete"]!;
        Assert.Equal(days, Storage.Resolve(delete["daysAfterModificationGreaterThan"])!.GetValue<int>());
    }

    private static List<string> PrefixesOf(JsonNode rule) =>
        rule["definition"]!["filters"]!["prefixMatch"]!.AsArray().Select(match => (string)match!).ToList();
}
