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

    public static readonly IReadOnlyList<string> All = [CurrencyMismatch, DuplicateOrder, ClockSkew, UnknownRecommendationId, RefundOfUnknownOrder, RefundExceedsOrder];
}

/// <summary>
/// A consenting customer's touchpoints (collection <c>workflows</c>, partition = subject, id
/// <see cref="AttributionStore.JourneyId"/>): the newest touches within the windows. Erased with the
/// customer, expires <see cref="AttributionOptions.JourneyRetention"/> after its last write, pruned at every write.
/// </summary>
public sealed class AttributionJourney
{
    public List<Touchpoint> Touches { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; }
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
/// — a hash of the subject — id a hash of the order id): created once, which makes a second purchase event of
/// the same order a duplicate; refunds reverse its shares and are remembered by event id.
/// </summary>
public sealed class OrderAttribution
{
    /// <summary>The order's day (yyyy-MM-dd): refunds are booked back on it.</summary>
    public required string Day { get; init; }
    public required decimal Amount { get; init; }
    public decimal Refunded { get; set; }
    public bool Influenced { get; init; }
    /// <summary>The customer's segments when the order was counted (their segment rows are reversed too).</summary>
    public List<string> Segments { get; init; } = [];
    public List<OrderShare> Shares { get; init; } = [];
    public List<string> RefundEventIds { get; set; } = [];
}
