namespace Recommender.Domain.Profiles;

/// <summary>A product and when the customer last touched it.</summary>
public sealed record RecentItem(string ProductId, DateTimeOffset At);

/// <summary>A line of the customer's current cart.</summary>
public sealed record CartLine(string ProductId, int Quantity, decimal? Price, DateTimeOffset AddedAt);

/// <summary>The latest recorded consent decision for one channel or purpose, kept with its proof.</summary>
public sealed record ConsentRecord(bool Granted, DateTimeOffset At, string PolicyVersion, string Source, string EventId);

/// <summary>
/// Everything the system keeps about one customer: recent behaviour, decayed category affinities,
/// the cart, purchases and consent. One document per customer (partition = customer id).
/// </summary>
public sealed class CustomerProfile
{
    /// <summary>How many recent views are kept.</summary>
    public const int MaxRecentViews = 20;
    /// <summary>How many processed event ids are remembered for de-duplication.</summary>
    public const int MaxProcessedEventIds = 500;
    /// <summary>Half-life of category affinities.</summary>
    public static readonly TimeSpan AffinityHalfLife = TimeSpan.FromDays(30);

    public required string CustomerId { get; init; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Latest event time applied; affinities are decayed to this instant.</summary>
    public DateTimeOffset LastEventAt { get; set; }
    public List<RecentItem> RecentViews { get; set; } = [];
    public Dictionary<string, double> CategoryAffinities { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, CartLine> Cart { get; set; } = new(StringComparer.Ordinal);
    public DateTimeOffset? CartChangedAt { get; set; }
    /// <summary>Product id → time of the latest purchase.</summary>
    public Dictionary<string, DateTimeOffset> Purchased { get; set; } = new(StringComparer.Ordinal);
    public int OrderCount { get; set; }
    public decimal TotalSpent { get; set; }
    public Dictionary<string, ConsentRecord> Consents { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Ids of the latest events applied, oldest first (bounded by <see cref="MaxProcessedEventIds"/>).</summary>
    public List<string> ProcessedEventIds { get; set; } = [];
    public long EventCount { get; set; }

    public bool HasConsent(string channel) => Consents.TryGetValue(channel, out var c) && c.Granted;
}
