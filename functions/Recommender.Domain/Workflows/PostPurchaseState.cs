using System.Text.Json.Serialization;

namespace Recommender.Domain.Workflows;

public enum PostPurchaseStatus
{
    /// <summary>The order is known (its purchase or a return arrived); its delivery is not yet.</summary>
    AwaitingDelivery,
    /// <summary>Delivered: the cross-sell timer runs until <see cref="PostPurchaseState.DueAt"/>.</summary>
    Armed,
    /// <summary>The message is decided and being handed to the outbox.</summary>
    Sending,
    Sent,
    /// <summary>Decided not to send (no consent, no provider, nothing to cross-sell).</summary>
    Suppressed,
    /// <summary>The whole order was returned, or an operator cancelled it.</summary>
    Cancelled,
}

/// <summary>
/// One order's post-purchase cross-sell (collection <c>workflows</c>, partition = customer id, id
/// <c>post-purchase:{orderId}</c>): what was bought, delivered and returned, so events arriving in any
/// order lead to the same decision. <see cref="Generation"/> grows with every arm or cancel, so a
/// timer message of an older generation is recognised as stale.
/// </summary>
public sealed class PostPurchaseState : IMessageTimerState
{
    /// <summary>Order events remembered per instance (an order has a purchase, a delivery and a few returns).</summary>
    public const int MaxAppliedEvents = 50;

    public required string CustomerId { get; init; }
    public required string OrderId { get; init; }
    public PostPurchaseStatus Status { get; set; }
    public int Generation { get; set; }
    /// <summary>When the (first) delivery event says the order arrived.</summary>
    public DateTimeOffset? DeliveredAt { get; set; }
    /// <summary>Next wake-up: <see cref="PostPurchaseWorkflow.Delay"/> after the delivery.</summary>
    public DateTimeOffset? DueAt { get; set; }
    /// <summary>Product id → quantity bought, from the purchase event (empty while it is unknown).</summary>
    public Dictionary<string, int> Bought { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Products the delivery event named (the order's products when its purchase is unknown).</summary>
    public List<string> Delivered { get; set; } = [];
    /// <summary>Product id → quantity returned so far.</summary>
    public Dictionary<string, int> Returned { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Idempotency key of the message being or last sent.</summary>
    public string? MessageId { get; set; }
    /// <summary>Ids of the order events applied (the latest <see cref="MaxAppliedEvents"/>): a replayed one changes nothing.</summary>
    public List<string> AppliedEvents { get; set; } = [];
    public List<WorkflowEvent> History { get; set; } = [];

    /// <summary>The order's products: the purchase's lines when known, else what the delivery named.</summary>
    [JsonIgnore]
    public IReadOnlyCollection<string> Products => Bought.Count > 0 ? Bought.Keys : Delivered;

    /// <summary>The products the customer kept: not returned in the quantity bought (any return counts when quantities are unknown).</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Kept => [.. Products.Where(p => Returned.GetValueOrDefault(p) < Bought.GetValueOrDefault(p, 1))];

    /// <summary>Every product of a known order went back.</summary>
    [JsonIgnore]
    public bool WhollyReturned => Products.Count > 0 && Kept.Count == 0;

    /// <summary>A timer may still act (or a return still cancel it).</summary>
    [JsonIgnore]
    public bool IsOpen => Status is PostPurchaseStatus.AwaitingDelivery or PostPurchaseStatus.Armed or PostPurchaseStatus.Sending;

    /// <summary>Remembers an order event as applied; false when it was already (a replayed batch).</summary>
    public bool MarkApplied(string eventId) => AppliedEventIds.MarkApplied(AppliedEvents, eventId, MaxAppliedEvents);

    public void Record(DateTimeOffset at, string what) => WorkflowEvent.Append(History, at, what, CartAbandonmentState.MaxHistory);

    /// <summary>Cancels the cross-sell (the whole order went back, or an operator): a new generation, no wake-up.</summary>
    public void Cancel()
    {
        Generation++;
        Status = PostPurchaseStatus.Cancelled;
        DueAt = null;
    }

    bool ITimerState.IsRunning => Status is PostPurchaseStatus.Armed or PostPurchaseStatus.Sending;
    DateTimeOffset? ITimerState.WakeAt => DueAt;
    string ITimerState.StatusName => Status.ToString();
    bool IMessageTimerState.IsSending => Status == PostPurchaseStatus.Sending;

    void IMessageTimerState.BeginSending(string messageId) => (Status, MessageId) = (PostPurchaseStatus.Sending, messageId);

    void IMessageTimerState.End(TimerOutcome outcome) =>
        (Status, DueAt) = (outcome == TimerOutcome.Sent ? PostPurchaseStatus.Sent : PostPurchaseStatus.Suppressed, null);
}

/// <summary>The post-purchase timer message: which order, which generation.</summary>
public sealed record PostPurchaseTimerMessage(string CustomerId, string OrderId, int Generation) : ITimerMessage;
