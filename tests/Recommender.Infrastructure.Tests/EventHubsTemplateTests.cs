namespace Recommender.Infrastructure.Tests;

/// <summary>Event Hubs: Standard namespace without SAS, the clickstream hub and the ingest consumer group.</summary>
[Collection(BicepCollection.Name)]
public sealed class EventHubsTemplateTests(CompiledTemplate compiled)
{
    private const string NamespaceType = "Microsoft.EventHub/namespaces";

    private ModuleDeployment EventHubs => compiled.Main.Module(NamespaceType);

    [Fact]
    public void Namespace_IsStandardWithLocalAuthDisabled()
    {
        var eventHubNamespace = EventHubs.Template.SingleResource(NamespaceType);

        Assert.Equal("Standard", (string?)eventHubNamespace["sku"]!["name"]);
        Assert.True(eventHubNamespace["properties"]!["disableLocalAuth"]!.GetValue<bool>());
    }

    [Fact]
    public void Hub_IsClickstreamWithFourPartitionsByDefault()
    {
        var hub = EventHubs.Template.SingleResource("Microsoft.EventHub/namespaces/eventhubs");

        Assert.Equal("clickstream", (string?)EventHubs.ParameterValue("eventHubName"));
        Assert.Contains("parameters('eventHubName')", (string?)hub["name"], StringComparison.Ordinal);
        Assert.Equal(4, EventHubs.Resolve(hub["properties"]!["partitionCount"])!.GetValue<int>());
    }

    [Fact]
    public void ConsumerGroup_IsIngest()
    {
        var group = EventHubs.Template.SingleResource("Microsoft.EventHub/namespaces/eventhubs/consumergroups");

        Assert.Equal("ingest", (string?)EventHubs.ParameterValue("consumerGroupName"));
        Assert.Contains("parameters('consumerGroupName')", (string?)group["name"], StringComparison.Ordinal);
    }
}
