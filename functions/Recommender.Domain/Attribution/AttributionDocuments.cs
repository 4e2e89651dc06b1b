using System.Text.Json.Serialization;

namespace Recommender.Domain.Attribution;

/// <summary>
/// The counters of one report row for one day (collection <c>items</c>, partition <c>_attribution-yyyy-MM-dd</c>),
/// added to by atomic increments as batches are ingested. A row is a bucket (channel, source, variant)
/// for one segment (<see cref="AllSegments"/>: every customer); the day's store totals are the row of
/// channel <see cref="TotalsChannel"/>.
/// </summary>
public sealed record AttributionCounters
{
    /// <summary>The segment of the rows that count every customer (consenting or not).</summary>
    public const string AllSegments = "*";
    /// <summary>The channel of the day's store totals row.</summary>
    public const string TotalsChannel = "*";

    public required string Day { get; init; }
    public required string Channel { get; init; }
    public required string Source { get; init; }
    public required string Variant { get; init; }
    public required string Segment { get; init; }

    public long Impressions { get; init; }
    public long Clicks { get; init; }
    /// <summary>Messages sent (email and push rows).</summary>
    public long Sends { get; init; }
    public long Opens { get; init; }
    /// <summary>Cart additions after a click of this row (its latest click within the click window, same product or none named); totals: every cart addition.</summary>
    public long AddToCarts { get; init; }
    /// <summary>Orders credited to this row by last touch; totals: every order counted.</summary>
    public long Orders { get; init; }
    /// <summary>Revenue credited under each model (net of refunds); totals: the store's revenue under each (equal).</summary>
    public double LastTouch { get; init; }
    public double Linear { get; init; }
    public double TimeDecay { get; init; }

    // Totals row only
    /// <summary>The store's revenue, net of refunds.</summary>
    public double Revenue { get; init; }
    /// <summary>Orders (and their revenue, net of refunds) with a recommendation touch in the windows, or a line carrying a recommendation id of the journey.</summary>
    public long InfluencedOrders { get; init; }
    public double InfluencedRevenue { get; init; }
    public long Refunds { get; init; }
    public double RefundedRevenue { get; init; }
    /// <summary>Orders of customers who may not be attributed individually (no analytics consent): in the totals and the unattributed bucket only.</summary>
    public long OrdersWithoutConsent { get; init; }
    /// <summary>Orders re-attributed because a touch before the purchase arrived after it (<see cref="AttributionOptions.LateTouchGrace"/>).</summary>
    public long ReattributedOrders { get; init; }
    /// <summary>What was left out, or not joined, and why (<see cref="DroppedReasons"/>).</summary>
    public Dictionary<string, double> Dropped { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>Why an event was left out of the attribution, or one of its references not joined (counted on the totals row).</summary>
public static class DroppedReasons
{
    /// <summary>A purchase or refund in a currency other than the store's, with no exchange rate configured: left out of revenue and attribution.</summary>
    public const string CurrencyMismatch = "currencyMismatch";
    /// <summary>A second purchase event for an order already counted (another event id): left out.</summary>
    public const string DuplicateOrder = "duplicateOrder";
    /// <summary>An event stamped beyond the clock-skew tolerance ahead of ingestion: left out.</summary>
    public const string ClockSkew = "clockSkew";
    /// <summary>A purchase line naming a recommendation id the customer's journey does not hold: the line's id is ignored (the order is still attributed by the journey).</summary>
    public const string UnknownRecommendationId = "unknownRecommendationId";
    /// <summary>A refund of an order never counted (or whose record expired): reversed from the totals and the unattributed bucket.</summary>
    public const string RefundOfUnknownOrder = "refundOfUnknownOrder";
    /// <summary>A refund beyond what is left of its order: the excess is ignored.</summary>
    public const string RefundExceedsOrder = "refundExceedsOrder";
    /// <summary>A touch arriving after its purchase (within the grace period) when the order was refunded already: the order keeps its attribution.</summary>
    public const string LateTouchAfterRefund = "lateTouchAfterRefund";
    /// <summary>
    /// A unit resumed after a crash found a row written more often since than the row remembers
    /// (<see cref="AttributionStore.RowUnitMemory"/>): whether the crashed delivery had applied it cannot be told, so it is not applied again.
    /// </summary>
    public const string UnitRowUndecidable = "unitRowUndecidable";

    public static readonly IReadOnlyList<string> All = [CurrencyMismatch, DuplicateOrder, ClockSkew, UnknownRecommendationId, RefundOfUnknownOrder, RefundExceedsOrder,
        LateTouchAfterRefund, UnitRowUndecidable];
}

/// <summary>
/// A consenting customer's touchpoints (collection <c>workflows</c>, partition = subject, id
/// <see cref="AttributionStore.JourneyId"/>): the newest touches within the windows, and the orders recorded
/// within <see cref="AttributionOptions.LateTouchGrace"/> (a touch arriving late may still re-attribute them).
/// Erased with the customer, forgotten when analytics consent goes, expires <see cref="AttributionOptions.JourneyRetention"/>
/// after its last write, pruned at every write.
/// </summary>
public sealed class AttributionJourney
{
    public List<Touchpoint> Touches { get; set; } = [];
    /// <summary>Orders recorded within the late-touch grace period.</summary>
    public List<JourneyOrder> Orders { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// The attribution ledger of a subject, consenting or not (collection <c>workflows</c>, id <see cref="AttributionStore.LedgerId"/>
/// in the subject's orders partition, named by a hash): every event attribution took on (a hash of its identity) and the unit
/// (<see cref="AttributionUnit"/>) that took it. An event held by another unit is counted already; one held by this delivery's unit
/// was taken by a delivery of the same batch that crashed, and is finished now. Entries are kept while the event could still be
/// delivered (<see cref="AttributionStore.UnitLifetime"/>); erased with the subject.
/// </summary>
public sealed class AttributionLedger
{
    public List<LedgerEntry> Recorded { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An event attribution took on (<see cref="Key"/>: a hash of its identity), by which unit, and when it happened (for pruning).</summary>
public sealed record LedgerEntry(
    [property: JsonPropertyName("k")] string Key,
    [property: JsonPropertyName("u")] string Unit,
    [property: JsonPropertyName("at")] DateTimeOffset At);

/// <summary>An order of the journey, recorded by <see cref="Unit"/> at <see cref="RecordedAt"/>: a late touch before <see cref="PurchaseAt"/> may re-attribute it.</summary>
public sealed record JourneyOrder(string OrderId, string EventId, DateTimeOffset PurchaseAt, string Unit, DateTimeOffset RecordedAt);

/// <summary>
/// One batch's attribution (collection <c>workflows</c>, partition <c>attribution-units-NN</c>, id a hash of the
/// identities of the batch's attribution events; no personal data): the increments it adds to each report row,
/// decided once and written before any row is touched, then applied row by row — each row remembers the last
/// units applied to it (<see cref="AttributionStore.RowUnitMemory"/>) — and finally marked done. A delivery of the
/// same batch finds it: done, nothing to do; not done (a crash), it applies the rows not applied yet.
/// </summary>
public sealed class AttributionUnit
{
    public bool Done { get; set; }
    public List<UnitRow> Rows { get; set; } = [];
}

/// <summary>The increments of one report row, and the row's version when the unit was written (the rows written since are in its memory).</summary>
public sealed class UnitRow
{
    public required string Day { get; init; }
    public required string Channel { get; init; }
    public required string Source { get; init; }
    public required string Variant { get; init; }
    public required string Segment { get; init; }
    public required Dictionary<string, double> Increments { get; init; }
    public long SeenVersion { get; set; }

    [JsonIgnore]
    public AttributionBucket Bucket => new(Channel, Source, Variant);
}

/// <summary>What an order was credited with, so a refund reverses exactly that (one bucket's share under each model).</summary>
public sealed record OrderShare(string Channel, string Source, string Variant, decimal LastTouch, decimal Linear, decimal TimeDecay)
{
    public AttributionBucket Bucket => new(Channel, Source, Variant);

    public decimal Of(AttributionModel model) => model switch
    {
        AttributionModel.LastTouch => LastTouch,
        AttributionModel.Linear => Linear,
        _ => TimeDecay,
    };
}

/// <summary>
/// The record of one counted order (collection <c>workflows</c>, partition <see cref="AttributionStore.OrdersPartition"/>
/// — a hash of the subject — id a hash of the order id): created once, by its purchase event (<see cref="EventId"/>),
/// which makes a second purchase event of the same order a duplicate; refunds reverse its shares and are remembered
/// by event id with what they reversed; a late touch re-attributes it (<see cref="Revisions"/>: what it was before each).
/// </summary>
public sealed class OrderAttribution
{
    /// <summary>The order's day (yyyy-MM-dd): refunds and re-attributions are booked on it.</summary>
    public required string Day { get; init; }
    public required decimal Amount { get; init; }
    /// <summary>The purchase event that recorded it, and the unit (a delivery of the same batch after a crash finds its own record).</summary>
    public string? EventId { get; init; }
    public string? Unit { get; init; }
    public DateTimeOffset PurchaseAt { get; init; }
    public decimal Refunded { get; set; }
    public bool Influenced { get; set; }
    /// <summary>The customer's segments when the order was counted (their segment rows are reversed too).</summary>
    public List<string> Segments { get; init; } = [];
    public List<OrderShare> Shares { get; set; } = [];
    /// <summary>The bucket credited with the order itself (last touch).</summary>
    public AttributionBucket? LastTouchBucket { get; set; }
    public List<RefundApplied> Refunds { get; set; } = [];
    public List<OrderRevision> Revisions { get; set; } = [];
}

/// <summary>A refund event applied to an order, by which unit, and the amount it reversed.</summary>
public sealed record RefundApplied(string EventId, decimal Reversed, string? Unit = null);

/// <summary>A re-attribution of an order by a late touch (by unit): the shares, influence and last-touch bucket it had before.</summary>
public sealed record OrderRevision(string Unit, List<OrderShare> Shares, bool Influenced, AttributionBucket? LastTouchBucket);
