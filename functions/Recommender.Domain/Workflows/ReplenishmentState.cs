using System.Text.Json.Serialization;

namespace Recommender.Domain.Workflows;

/// <summary>Configuration section <c>Recommender:Replenishment</c>.</summary>
public sealed class ReplenishmentOptions
{
    public const string Section = "Recommender:Replenishment";

    /// <value>How long before the product runs out the reminder goes (at most half the interval). Default 2 days.</value>
    public TimeSpan LeadTime { get; set; } = TimeSpan.FromDays(2);
    /// <value>Reminders due within this long after the first due one go in the same message: at most one replenishment message a day. Default 1 day.</value>
    public TimeSpan GroupWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>What start-up validation checks.</summary>
    public bool IsValid => LeadTime >= TimeSpan.Zero && LeadTime <= TimeSpan.FromDays(30) && GroupWindow >= TimeSpan.Zero && GroupWindow <= TimeSpan.FromDays(7);
}

/// <summary>The customer's replenishment instance as a whole.</summary>
public enum ReplenishmentStatus
{
    /// <summary>No reminder pending (nothing replenishable bought, or every reminder sent or cancelled).</summary>
    Idle,
    /// <summary>A timer runs until <see cref="ReplenishmentState.DueAt"/>, the earliest pending reminder.</summary>
    Armed,
    /// <summary>A message is decided (<see cref="ReplenishmentState.MessageId"/>, <see cref="ReplenishmentState.Sending"/>) and being handed to the outbox.</summary>
    Sending,
}

/// <summary>Where one product stands.</summary>
public enum ReminderStatus
{
    /// <summary>No interval yet: not replenishable in the catalog, and fewer than two repeat gaps to learn from.</summary>
    Learning,
    /// <summary>A reminder is due at <see cref="ReplenishmentItem.RemindAt"/>.</summary>
    Armed,
    /// <summary>Reminded for the latest purchase; the next purchase arms it again.</summary>
    Reminded,
    /// <summary>Its reminder was decided not to send (no consent, no provider).</summary>
    Suppressed,
    /// <summary>The purchase it counted from was returned, or an operator cancelled it.</summary>
    Cancelled,
}

/// <summary>One purchase of a product: the order and when.</summary>
public sealed record ProductPurchase(string OrderId, DateTimeOffset At);

/// <summary>One product the customer buys, with the purchases its interval is learned from.</summary>
public sealed class ReplenishmentItem
{
    /// <summary>Purchases kept per product (the learned interval is the median of their gaps).</summary>
    public const int MaxPurchases = 12;

    public required string ProductId { get; init; }
    /// <summary>Purchases, oldest first (at most <see cref="MaxPurchases"/>).</summary>
    public List<ProductPurchase> Purchases { get; set; } = [];
    public ReminderStatus Status { get; set; }
    /// <summary>How long a purchase lasts; null while <see cref="ReminderStatus.Learning"/>.</summary>
    public TimeSpan? Interval { get; set; }
    /// <summary><c>catalog</c> (the product's <c>replenishAfterDays</c>) or <c>learned</c> (the customer's own repeat purchases).</summary>
    public string? IntervalSource { get; set; }
    public DateTimeOffset? RemindAt { get; set; }
    /// <summary>The order of the purchase last reminded about (or suppressed): it is never reminded about again.</summary>
    public string? RemindedFor { get; set; }
    /// <summary>Orders returned with this product (a purchase arriving after its return is not counted).</summary>
    public List<string> ReturnedOrders { get; set; } = [];

    [JsonIgnore]
    public ProductPurchase? Last => Purchases.Count == 0 ? null : Purchases[^1];
}

/// <summary>
/// A customer's replenishment reminders (collection <c>workflows</c>, partition = customer id, id
/// <see cref="ReplenishmentWorkflow.InstanceId"/>): one item per product bought, and one timer for the
/// earliest reminder. <see cref="Generation"/> grows whenever the timer moves, so an older timer
/// message is recognised as stale.
/// </summary>
public sealed class ReplenishmentState : ITimerState
{
    /// <summary>Products kept per customer; beyond it the ones bought longest ago without a pending reminder are forgotten.</summary>
    public const int MaxProducts = 200;
    /// <summary>Order events remembered (the customer's latest purchases and returns), so a replayed one changes nothing.</summary>
    public const int MaxAppliedEvents = 100;

    public required string CustomerId { get; init; }
    public ReplenishmentStatus Status { get; set; }
    public int Generation { get; set; }
    /// <summary>Next wake-up: the earliest <see cref="ReplenishmentItem.RemindAt"/> of the armed products.</summary>
    public DateTimeOffset? DueAt { get; set; }
    /// <summary>Idempotency key of the message being or last sent.</summary>
    public string? MessageId { get; set; }
    /// <summary>The products of the message being sent.</summary>
    public List<string> Sending { get; set; } = [];
    public Dictionary<string, ReplenishmentItem> Products { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Ids of the order events applied (the latest <see cref="MaxAppliedEvents"/>).</summary>
    public List<string> AppliedEvents { get; set; } = [];
    public List<WorkflowEvent> History { get; set; } = [];

    /// <summary>Remembers an order event as applied; false when it was already (a replayed batch).</summary>
    public bool MarkApplied(string eventId) => AppliedEventIds.MarkApplied(AppliedEvents, eventId, MaxAppliedEvents);

    public void Record(DateTimeOffset at, string what) => WorkflowEvent.Append(History, at, what, CartAbandonmentState.MaxHistory);

    bool ITimerState.IsRunning => Status is ReplenishmentStatus.Armed or ReplenishmentStatus.Sending;
    DateTimeOffset? ITimerState.WakeAt => Status == ReplenishmentStatus.Armed ? DueAt : null;
    string ITimerState.StatusName => Status.ToString();
}

/// <summary>The replenishment timer message: whose, which generation.</summary>
public sealed record ReplenishmentTimerMessage(string CustomerId, int Generation) : ITimerMessage;
