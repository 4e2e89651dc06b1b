using System.Text.Json.Serialization;

namespace Recommender.Domain.Recommendations;

/// <summary>
/// One recommended product with why: a human-readable <see cref="Reason"/> and a machine code
/// (<c>viewed:SKU1</c>, <c>in_cart:SKU1</c>, <c>purchased:SKU1</c>, <c>similar:SKU1</c>, <c>popular</c>).
/// Its texts repeat across customers' cached lists, so they are read as shared strings.
/// </summary>
public sealed record RecommendedItem(
    [property: JsonConverter(typeof(InternedStringConverter))] string ProductId,
    double Score,
    [property: JsonConverter(typeof(InternedStringConverter))] string Reason,
    [property: JsonConverter(typeof(InternedStringConverter))] string ReasonCode);

/// <summary>
/// What request-time rules need of the profile, saved with the cached list so a home request reads
/// one document: the cart, purchases with their dates (replenishables come due), recent views (not
/// repeated in "for you") and the adult flag. Written with every refresh, which every material profile
/// change triggers; a customer who may no longer be personalized for has no cached list at all.
/// </summary>
public sealed record ProfileSnapshot(IReadOnlyList<string> Cart, IReadOnlyDictionary<string, DateTimeOffset> Purchased, IReadOnlyList<string> RecentViews, bool? AgeVerifiedAdult)
{
    public Profiles.CustomerProfile ToProfile(string customerId) => new()
    {
        CustomerId = customerId,
        Cart = Cart.ToDictionary(id => id, id => new Profiles.CartLine(id, 1, null, default), StringComparer.Ordinal),
        Purchased = new Dictionary<string, DateTimeOffset>(Purchased, StringComparer.Ordinal),
        RecentViews = RecentViews.Select(id => new Profiles.RecentItem(id, default)).ToList(),
        AgeVerifiedAdult = AgeVerifiedAdult,
    };

    public static ProfileSnapshot Of(Profiles.CustomerProfile profile) =>
        new([.. profile.Cart.Keys], profile.Purchased, [.. profile.RecentViews.Select(v => v.ProductId)], profile.AgeVerifiedAdult);
}

/// <summary>A customer's precomputed ranked list (the recommendation cache document).</summary>
public sealed record CachedRecommendations(string CustomerId, [property: JsonConverter(typeof(InternedStringConverter))] string ModelVersion, DateTimeOffset GeneratedAt, IReadOnlyList<RecommendedItem> Items)
{
    /// <summary>Fixed at construction (no <c>with</c>): the flags below are worked out from it once.</summary>
    public IReadOnlyList<RecommendedItem> Items { get; } = Items;

    /// <summary>No product appears twice in <see cref="Items"/> (true of every list the engine ranks): serving skips its duplicate check. Never stored.</summary>
    [JsonIgnore]
    public bool ItemsAreDistinct { get; } = Items.Select(i => i.ProductId).Distinct(StringComparer.Ordinal).Count() == Items.Count;

    /// <summary>The items are in the order serving considers them (<see cref="ServingRules.InServingOrder"/>): serving skips its sort. Never stored.</summary>
    [JsonIgnore]
    public bool ItemsAreInServingOrder { get; } = ServingRules.InServingOrder(Items);

    public ProfileSnapshot? Snapshot { get; init; }
}
