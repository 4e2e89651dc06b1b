using Recommender.Domain.Workflows;

namespace Recommender.Domain.Tests.Workflows;

/// <summary>The rules of the post-purchase and replenishment workflows that need no store: learned intervals, returned orders, message ids.</summary>
public class LifecycleRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    private static TimeSpan? Learned(params double[] days) => ReplenishmentWorkflow.LearnedInterval(days.Select(d => T0.AddDays(d)));

    [Fact]
    public void LearnedInterval_IsTheMedianGap_NotTheMean() =>
        Assert.Equal(TimeSpan.FromDays(10), Learned(0, 10, 20, 50)); // gaps 10, 10, 30

    [Fact]
    public void LearnedInterval_OfAnEvenNumberOfGaps_IsTheMeanOfTheMiddleTwo() =>
        Assert.Equal(TimeSpan.FromDays(10), Learned(0, 12, 20, 26, 46)); // gaps 12, 8, 6, 20: middle two 8 and 12 (the mean would be 11.5)

    [Fact]
    public void LearnedInterval_NeedsTwoGaps() => Assert.Null(Learned(0, 10));

    [Fact]
    public void LearnedInterval_PurchasesWithinADay_CountAsOne() =>
        Assert.Null(Learned(0, 0.2, 10, 10.5)); // one repeat gap, however many orders

    [Fact]
    public void LearnedInterval_IgnoresTheOrderPurchasesArriveIn() =>
        Assert.Equal(TimeSpan.FromDays(10), Learned(20, 0, 10));

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
