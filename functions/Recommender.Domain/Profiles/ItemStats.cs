namespace Recommender.Domain.Profiles;

/// <summary>
/// Real-time counters of one product (partition = product id): interactions and the products
/// viewed together and bought together with it. Anonymous aggregates: they carry no customer
/// identifier. The pair maps hold forward-decayed sums (<see cref="PairDecay"/>, 30-day half-life),
/// so they rank by recent strength and can be incremented without reading.
/// </summary>
public sealed class ItemStats
{
    /// <summary>How many neighbours each pair map keeps (the weakest are dropped).</summary>
    public const int MaxNeighbors = 100;
    public static readonly ForwardDecay PairDecay = new(TimeSpan.FromDays(30));

    public required string ProductId { get; init; }
    public long Views { get; set; }
    public long AddToCarts { get; set; }
    public long Purchases { get; set; }
    public long Wishlists { get; set; }
    public Dictionary<string, double> CoViewed { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, double> BoughtTogether { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Purchases per view (0 before the first view); computed, never stored.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double ConversionRate => Views == 0 ? 0 : Math.Round((double)Purchases / Views, 6);

    public void Add(ItemStats delta)
    {
        Views += delta.Views;
        AddToCarts += delta.AddToCarts;
        Purchases += delta.Purchases;
        Wishlists += delta.Wishlists;
        Merge(CoViewed, delta.CoViewed);
        Merge(BoughtTogether, delta.BoughtTogether);
        CoViewed = Trim(CoViewed);
        BoughtTogether = Trim(BoughtTogether);
    }

    private static void Merge(Dictionary<string, double> into, Dictionary<string, double> from)
    {
        foreach (var (key, value) in from)
        {
            into[key] = into.GetValueOrDefault(key) + value;
        }
    }

    private static Dictionary<string, double> Trim(Dictionary<string, double> map) =>
        map.Count <= MaxNeighbors ? map
        : map.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(MaxNeighbors).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
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
