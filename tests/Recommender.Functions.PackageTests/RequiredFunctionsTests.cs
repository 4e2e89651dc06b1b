using Recommender.Domain.Ports.Storage;

namespace Recommender.Functions.PackageTests;

/// <summary>The functions the product needs are in the package, each with the trigger it needs.</summary>
[Collection(PublishedPackageCollection.Name)]
public sealed class RequiredFunctionsTests(PublishedPackage package)
{
    [Fact]
    public void Published_IngestClickstream_IsAnEventHubBatchTrigger()
    {
        var trigger = Function("IngestClickstream").Trigger;
        Assert.Equal("eventHubTrigger", trigger.Type);
        Assert.Equal("many", trigger.String("cardinality"));
    }

    [Fact]
    public void Published_CollectEvents_TakesPostToEventsAndForwardsToEventHubs()
    {
        var function = Function("CollectEvents");
        AssertHttpTrigger(function, "POST", "events");
        Assert.Single(function.OfType("eventHub"), b => b.Direction == "out");
        Assert.Single(function.OfType("http"), b => b.Direction == "out");
        Assert.False(function.IsProxied);
    }

    [Fact]
    public void Published_GetRecommendations_TakesGetOnCustomerRoute()
    {
        AssertHttpTrigger(Function("GetRecommendations"), "GET", "recommendations/{customerId}");
    }

    [Fact]
    public void Published_Erasure_HasStartStatusAndTaskFunctions()
    {
        AssertHttpTrigger(Function("StartErasure"), "POST", route: null);
        AssertHttpTrigger(Function("GetErasureStatus"), "GET", route: null);
        Assert.Equal("queueTrigger", Function("ErasureTask").Trigger.Type);
    }

    [Fact]
    public void Published_CartAbandonmentStep_IsAQueueTrigger()
    {
        Assert.Equal("queueTrigger", Function("CartAbandonmentStep").Trigger.Type);
    }

    [Fact]
    public void Published_Retraining_HasTimerAndHttpFunctions()
    {
        Assert.Equal("timerTrigger", Function("Retrain").Trigger.Type);
        Assert.Equal("httpTrigger", Function("StartRetrain").Trigger.Type);
    }

    /// <summary>Each queue the app writes to is read by the queue-triggered function its dispatcher routes it to.</summary>
    [Fact]
    public void Published_QueueTriggers_ListenOnTheQueuesTheAppWritesTo()
    {
        foreach (var queue in Queues.All)
        {
            var registered = QueueRegistry.Find(queue);
            Assert.True(registered is not null, $"no function handles queue '{queue}'");
            var trigger = Function(registered.Function).Trigger;
            Assert.Equal("queueTrigger", trigger.Type);
            Assert.Equal(queue, trigger.String("queueName"));
        }
    }

    private static void AssertHttpTrigger(FunctionDefinition function, string method, string? route)
    {
        var trigger = function.Trigger;
        Assert.Equal("httpTrigger", trigger.Type);
        Assert.Equal([method], trigger.Methods);
        if (route is not null)
        {
            Assert.Equal(route, trigger.String("route"));
        }
    }

    private FunctionDefinition Function(string name)
    {
        Assert.True(package.Functions.TryGetValue(name, out var function), $"the package has no function '{name}'");
        return function!;
    }
}
