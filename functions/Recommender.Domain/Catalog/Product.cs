namespace Recommender.Domain.Catalog;

/// <summary>
/// A catalog product as the recommendations show it. <see cref="Attributes"/> holds facets such as
/// <c>size</c> and <c>colour</c> (feeding attribute affinities). <see cref="AgeRestricted"/> products
/// are shown only to customers verified adult; a <see cref="ReplenishAfterDays"/> product may be
/// recommended again that long after its purchase (consumables). A product is recommended only while
/// <see cref="IsRecommendable"/>: <see cref="Visibility"/> <c>visible</c> (<c>hidden</c>: nowhere;
/// <c>search_only</c>: found by search, never recommended) and within its availability window
/// (<see cref="LaunchAt"/> inclusive, <see cref="EndOfSaleAt"/> exclusive; see <see cref="CatalogAvailability"/>). Ids, categories and brands are read as
/// shared strings (see <see cref="InternedStringConverter"/>): the catalog's keys are then the very
/// instances cached lists hold, and the few category and brand names are one instance each, which the
/// serving rules compare many times per request.
/// </summary>
public sealed record Product([property: System.Text.Json.Serialization.JsonConverter(typeof(InternedStringConverter))] string Id, string Name,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(InternedStringConverter))] string Category, decimal Price, bool InStock = true,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(InternedStringConverter))] string? Brand = null, string? ImageUrl = null,
    string? Url = null, IReadOnlyDictionary<string, string>? Attributes = null, bool AgeRestricted = false, int? ReplenishAfterDays = null,
    ProductVisibility Visibility = ProductVisibility.Visible, DateTimeOffset? LaunchAt = null, DateTimeOffset? EndOfSaleAt = null)
{
    /// <summary>Whether any placement may show it at <paramref name="now"/>: visible, launched and not past its end of sale.</summary>
    public bool IsRecommendable(DateTimeOffset now) =>
        Visibility == ProductVisibility.Visible && (LaunchAt is not { } launch || launch <= now) && (EndOfSaleAt is not { } end || now < end);

    /// <summary>Whether its recommendability can differ from a plain visible, always-on product's (hidden, search-only, or a window).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsRestricted => Visibility != ProductVisibility.Visible || LaunchAt is not null || EndOfSaleAt is not null;

    /// <summary>In a sensitive category (<c>Recommender:Privacy:SensitiveCategories</c>): set when the catalog is loaded, never stored.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Sensitive { get; init; }

    /// <summary>How long a purchase of this consumable lasts (<see cref="ReplenishAfterDays"/>); null when it is not replenishable.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan? ReplenishmentInterval => ReplenishAfterDays is { } days ? TimeSpan.FromDays(days) : null;
}

/// <summary>Where a product may appear (<c>visibility</c> in the catalog; wire names <c>visible</c>, <c>hidden</c>, <c>search_only</c>).</summary>
public enum ProductVisibility
{
    /// <summary>Searched and recommended (the default).</summary>
    Visible,
    /// <summary>Nowhere: neither recommended nor, by this app, re-ranked into a search.</summary>
    Hidden,
    /// <summary>Found by the storefront's search (and re-ranked there), never recommended by a placement.</summary>
    SearchOnly,
}
