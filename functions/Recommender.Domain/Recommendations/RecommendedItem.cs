namespace Recommender.Domain.Recommendations;

/// <summary>
/// One recommended product with why: a human-readable <see cref="Reason"/> and a machine code
/// (<c>viewed:SKU1</c>, <c>in_cart:SKU1</c>, <c>purchased:SKU1</c>, <c>similar:SKU1</c>, <c>popular</c>).
/// </summary>
public sealed record RecommendedItem(string ProductId, double Score, string Reason, string ReasonCode);

/// <summary>A customer's precomputed ranked list (the recommendation cache document).</summary>
public sealed record CachedRecommendations(string CustomerId, string ModelVersion, DateTimeOffset GeneratedAt, IReadOnlyList<RecommendedItem> Items);
