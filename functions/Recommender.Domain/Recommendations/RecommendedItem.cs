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
/// repeated in "for you"), the adult flag and the purchase-propensity score. Written with every refresh, which every material profile
/// change triggers; a customer who may no longer be personalized for has no cached list at all.
/// </summary>
public sealed record ProfileSnapshot(IReadOnlyList<string> Cart, IReadOnlyDictionary<string, DateTimeOffset> Purchased, IReadOnlyList<string> RecentViews, bool? AgeVerifiedAdult)
{
    /// <summary>When each of <see cref="RecentViews"/> was viewed (same order; the already-seen policy needs it); null in lists written before it existed.</summary>
    public IReadOnlyList<DateTimeOffset>? RecentViewTimes { get; init; }

    /// <summary>Disliked products with when (<see cref="Profiles.CustomerProfile.Dislikes"/>): never shown, neighbours down-weighted.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset>? Dislikes { get; init; }

    /// <summary>The purchase-propensity score (<see cref="Profiles.CustomerProfile.PurchasePropensity"/>): promotions may be targeted by it.</summary>
    public Profiles.PropensityScore? Propensity { get; init; }

    /// <summary>What the profile says for the bandit's context (<see cref="BanditContext.ProfilePartOf"/>) when the list was written; null in lists written before it existed.</summary>
    public string? BanditProfile { get; init; }

    /// <summary>
    /// The customer's segments (latest segmentation run; <see cref="Segments.SegmentMembership.SegmentsOfPersonalizableAsync"/>)
    /// when the list was written, kept current by the segmentation run (<see cref="KeepSegmentsAsync"/>): the bandit's context
    /// and targeted experiments read them here, not from a second document. Null in lists written before it existed (serving then reads them).
    /// </summary>
    public IReadOnlyList<string>? Segments { get; init; }

    public Profiles.CustomerProfile ToProfile(string customerId) => new()
    {
        CustomerId = customerId,
        Cart = Cart.ToDictionary(id => id, id => new Profiles.CartLine(id, 1, null, default), StringComparer.Ordinal),
        Purchased = new Dictionary<string, DateTimeOffset>(Purchased, StringComparer.Ordinal),
        RecentViews = RecentViews.Select((id, i) => new Profiles.RecentItem(id, RecentViewTimes is { } times && i < times.Count ? times[i] : default)).ToList(),
        AgeVerifiedAdult = AgeVerifiedAdult,
        Dislikes = Dislikes is null ? new(StringComparer.Ordinal) : new Dictionary<string, DateTimeOffset>(Dislikes, StringComparer.Ordinal),
        PurchasePropensity = Propensity,
    };

    public static ProfileSnapshot Of(Profiles.CustomerProfile profile) =>
        new([.. profile.Cart.Keys], profile.Purchased, [.. profile.RecentViews.Select(v => v.ProductId)], profile.AgeVerifiedAdult)
        {
            RecentViewTimes = [.. profile.RecentViews.Select(v => v.At)],
            Dislikes = profile.Dislikes.Count > 0 ? new Dictionary<string, DateTimeOffset>(profile.Dislikes, StringComparer.Ordinal) : null,
            Propensity = profile.PurchasePropensity,
            BanditProfile = BanditContext.ProfilePartOf(profile),
        };

    /// <summary>
    /// The segmentation run scored the customer: their cached list's snapshot takes the new segments (one read; a write
    /// only when they changed). No list, no write: a customer with no list gets one — with segments — at the next refresh,
    /// and an erased customer's list is never brought back. Returns whether the snapshot was written (the segments changed).
    /// </summary>
    public static async Task<bool> KeepSegmentsAsync(Ports.IDocumentStore documents, string customerId, IReadOnlyList<string> segments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var written = false;
        await Ports.Storage.DocumentStoreExtensions.UpdateAsync<CachedRecommendations>(documents, Ports.Storage.Collections.Recommendations, customerId, customerId, list =>
        {
            written = list is { Snapshot: { } snapshot } && !(snapshot.Segments ?? []).SequenceEqual(segments, StringComparer.Ordinal);
            return written ? list! with { Snapshot = list!.Snapshot! with { Segments = [.. segments] } } : null;
        }, cancellationToken).ConfigureAwait(false);
        return written;
    }
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

    /// <summary>
    /// What this list last served its default way (see <see cref="ServedList"/>): made empty with the list, so it is as old
    /// as the list, and filled in place by serving. Never stored.
    /// </summary>
    [JsonIgnore]
    internal ServedList Served { get; } = new(Math.Min(Items.Count, ServedList.DefaultCapacity));

    /// <summary>Two lists are equal when their stored contents are: what serving keeps with a list does not count.</summary>
    public bool Equals(CachedRecommendations? other) =>
        other is not null && CustomerId == other.CustomerId && ModelVersion == other.ModelVersion && GeneratedAt == other.GeneratedAt
        && Equals(Items, other.Items) && Equals(Snapshot, other.Snapshot);

    public override int GetHashCode() => HashCode.Combine(CustomerId, ModelVersion, GeneratedAt, Items, Snapshot);
}

/// <summary>
/// A cached list's items as served for one request shape (count and diversity, no filters or
/// exclusions in the request, the bandit's default strategy) against one catalog instance (a catalog
/// change replaces the instance) and one profile snapshot — valid until a replenishable purchase comes
/// due or a product's availability changes (the exclusions' clock). Everything else the answer depends
/// on is fixed with the list: its items and the serving options.
/// <para>
/// Made empty with its list and filled in place (under its own lock; requests for one customer rarely
/// meet): what it then holds are the list's own items and the catalog, objects at least as old as it, so
/// keeping an answer allocates nothing and leaves no reference from an old object to a young one for the
/// collector to trace. An answer kept in a new object at the first serve did that for every list in the
/// rounds that first serve them, and the collector's pauses there were the serving benchmark's tail
/// (docs/benchmarks.md, "first serves").
/// </para>
/// </summary>
internal sealed class ServedList(int capacity)
{
    /// <summary>The storefront's default count (home): the answer a list keeps without growing its slots.</summary>
    public const int DefaultCapacity = 10;

    private RecommendedItem[] _items = new RecommendedItem[capacity];
    private int _length = -1; // nothing kept
    private IReadOnlyDictionary<string, Catalog.Product>? _catalog;
    private ProfileSnapshot? _snapshot;
    private int _count;
    private double? _diversity;
    private DateTimeOffset _validUntil;

    /// <summary>The last answer id given out: ids are unique in the process, so an id names one kept answer for good.</summary>
    private static long _lastAnswer;

    private long _answer;

    /// <summary>
    /// Keeps <paramref name="items"/> as the answer for this shape, catalog and snapshot, until <paramref name="validUntil"/>;
    /// returns the kept answer's id (see <see cref="RecommendationResponse.KeptAnswer"/>).
    /// </summary>
    public long Keep(IReadOnlyDictionary<string, Catalog.Product> catalog, ProfileSnapshot? snapshot, int count, double? diversity, DateTimeOffset validUntil, IReadOnlyList<RecommendedItem> items)
    {
        lock (this)
        {
            if (items.Count > _items.Length)
            {
                _items = new RecommendedItem[items.Count]; // a longer answer than the list was made for: slots once
            }

            for (var i = 0; i < items.Count; i++)
            {
                _items[i] = items[i];
            }

            Array.Clear(_items, items.Count, _items.Length - items.Count);
            (_length, _catalog, _snapshot, _count, _diversity, _validUntil) = (items.Count, catalog, snapshot, count, diversity, validUntil);
            return _answer = Interlocked.Increment(ref _lastAnswer);
        }
    }

    /// <summary>The kept items (a copy, in order) when they were kept for this catalog instance, snapshot and shape and are still valid at <paramref name="now"/>, with the kept answer's id in <paramref name="answer"/>; else null (and 0).</summary>
    public RecommendedItem[]? ItemsFor(IReadOnlyDictionary<string, Catalog.Product> currentCatalog, ProfileSnapshot? snapshot, int requestedCount, double? requestedDiversity, DateTimeOffset now,
        out long answer)
    {
        lock (this)
        {
            var holds = _length >= 0 && ReferenceEquals(_catalog, currentCatalog) && ReferenceEquals(_snapshot, snapshot) && _count == requestedCount
                && Nullable.Equals(_diversity, requestedDiversity) && now < _validUntil;
            answer = holds ? _answer : 0;
            return holds ? _items.AsSpan(0, _length).ToArray() : null;
        }
    }
}
