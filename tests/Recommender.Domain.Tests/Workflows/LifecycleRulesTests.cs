using Recommender.Domain.Workflows;

namespace Recommender.Domain.Tests.Workflows;

/// <summary>The rules of the lifecycle workflows that need no store: returned orders, message ids.</summary>
public class LifecycleRulesTests
{
    [Fact]
    public void PostPurchase_KnownOrder_IsWhollyReturnedOnlyWhenEveryQuantityCameBack()
    {
        var state = new PostPurchaseState { CustomerId = "c1", OrderId = "o1", Bought = new() { ["p1"] = 2, ["p2"] = 1 }, Returned = new() { ["p1"] = 1, ["p2"] = 1 } };
        Assert.Equal(["p1"], state.Kept);
        Assert.False(state.WhollyReturned);

        state.Returned["p1"] = 2;
        Assert.True(state.WhollyReturned);
    }

    [Fact]
    public void PostPurchase_OrderKnownOnlyFromItsDelivery_AnyReturnOfAProductCounts()
    {
        var state = new PostPurchaseState { CustomerId = "c1", OrderId = "o1", Delivered = ["p1", "p2"], Returned = new() { ["p1"] = 1 } };
        Assert.Equal(["p2"], state.Kept);

        state.Returned["p2"] = 1;
        Assert.True(state.WhollyReturned);
    }

    [Fact]
    public void PostPurchase_UnknownOrder_IsNeverWhollyReturned() =>
        Assert.False(new PostPurchaseState { CustomerId = "c1", OrderId = "o1", Returned = new() { ["p1"] = 1 } }.WhollyReturned);

    [Fact]
    public void MessageId_JoinsItsParts_AndHashesWhatWouldBeTooLong()
    {
        Assert.Equal("post-purchase:c1:o-1", WorkflowMessages.MessageId("post-purchase", "c1", "o-1"));

        var longId = WorkflowMessages.MessageId("post-purchase", new string('c', 128), new string('o', 128));
        Assert.StartsWith("post-purchase:", longId, StringComparison.Ordinal);
        Assert.True(longId.Length <= WorkflowMessages.MaxMessageIdLength);
        Assert.Equal(longId, WorkflowMessages.MessageId("post-purchase", new string('c', 128), new string('o', 128)));
        Assert.NotEqual(longId, WorkflowMessages.MessageId("post-purchase", new string('c', 128), new string('o', 127) + "x"));
    }
}
