namespace Recommender.Domain.Recommendations;

/// <summary>A product and how strongly it relates to another (or how popular it is).</summary>
public sealed record ScoredItem(string ProductId, double Score);

/// <summary>
/// The trained item-item model: for each product its most similar products (Jaccard over the
/// customers who interacted with both), plus the popularity ranking used for fallbacks.
/// Immutable once written; identified by <see cref="Version"/>.
/// </summary>
public sealed record ItemSimilarityModel
{
    public required string Version { get; init; }
    public required DateTimeOffset TrainedAt { get; init; }
    public required int EventCount { get; init; }
    public required int CustomerCount { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<ScoredItem>> Neighbors { get; init; }
    public required IReadOnlyList<ScoredItem> Popular { get; init; }
    /// <summary>
    /// The trained model's own user scoring (EASE's B rows, ALS item factors, SAR or kNN similarity
    /// rows) over the items it covers, which the cache refresh scores a customer's whole history
    /// with. Null for item-item Jaccard and models written before it existed: those score the
    /// history against <see cref="Neighbors"/>.
    /// </summary>
    public Recommender.Models.UserScorer? Scorer { get; init; }

    /// <summary>A LightGBM LambdaRank re-ranker over this model's served list (a promoted <c>…+ltr</c> candidate); null for plain models.</summary>
    public ReRanker? ReRanker { get; init; }

    /// <summary>The event weights table it was trained with (<see cref="Events.EventWeights.ToTable"/>); null for models written before it existed.</summary>
    public IReadOnlyDictionary<string, double>? EventWeights { get; init; }

    public static ItemSimilarityModel Empty { get; } = new()
    {
        Version = "none",
        TrainedAt = DateTimeOffset.MinValue,
        EventCount = 0,
        CustomerCount = 0,
        Neighbors = new Dictionary<string, IReadOnlyList<ScoredItem>>(),
        Popular = [],
    };

    public IReadOnlyList<ScoredItem> NeighborsOf(string productId) =>
        Neighbors.TryGetValue(productId, out var list) ? list : [];
}
