namespace Recommender.Domain.Profiles;

/// <summary>
/// Real-time counters of one product (partition = product id): interactions and the products
/// viewed together with it. Anonymous aggregates: they carry no customer identifier.
/// </summary>
public sealed class ItemStats
{
    /// <summary>How many co-viewed neighbours are kept (the weakest are dropped).</summary>
    public const int MaxNeighbors = 100;

    public required string ProductId { get; init; }
    public long Views { get; set; }
    public long AddToCarts { get; set; }
    public long Purchases { get; set; }
    public Dictionary<string, double> CoViewed { get; set; } = new(StringComparer.Ordinal);

    public void Trim()
    {
        if (CoViewed.Count > MaxNeighbors)
        {
            CoViewed = CoViewed.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Take(MaxNeighbors).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        }
    }
}

/// <summary>Time-decayed popularity of products, one document for the whole store.</summary>
public sealed class PopularityBoard
{
    public const string PartitionKey = "_global";
    public const string Id = "popularity";
    public const int MaxItems = 500;
    public static readonly TimeSpan HalfLife = TimeSpan.FromDays(7);

    public DateTimeOffset AsOf { get; set; }
    public Dictionary<string, double> Scores { get; set; } = new(StringComparer.Ordinal);

    public void Add(IReadOnlyDictionary<string, double> weights, DateTimeOffset now)
    {
        if (AsOf != default && now > AsOf)
        {
            var factor = Math.Pow(0.5, (now - AsOf).TotalDays / HalfLife.TotalDays);
            foreach (var key in Scores.Keys.ToList())
            {
                Scores[key] *= factor;
            }
        }

        if (now > AsOf)
        {
            AsOf = now;
        }

        foreach (var (productId, weight) in weights)
        {
            Scores[productId] = Scores.GetValueOrDefault(productId) + weight;
        }

        if (Scores.Count > MaxItems)
        {
            Scores = Scores.OrderByDescending(kv => kv.Value).Take(MaxItems).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        }
    }
}
