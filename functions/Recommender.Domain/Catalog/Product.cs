namespace Recommender.Domain.Catalog;

/// <summary>
/// A catalog product as the recommendations show it. <see cref="Attributes"/> holds facets such as
/// <c>size</c> and <c>colour</c> (feeding attribute affinities). <see cref="AgeRestricted"/> products
/// are shown only to customers verified adult; a <see cref="ReplenishAfterDays"/> product may be
/// recommended again that long after its purchase (consumables). Ids, categories and brands are read as
/// shared strings (see <see cref="InternedStringConverter"/>): the catalog's keys are then the very
/// instances cached lists hold, and the few category and brand names are one instance each, which the
/// serving rules compare many times per request.
/// </summary>
public sealed record Product([property: System.Text.Json.Serialization.JsonConverter(typeof(InternedStringConverter))] string Id, string Name,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(InternedStringConverter))] string Category, decimal Price, bool InStock = true,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(InternedStringConverter))] string? Brand = null, string? ImageUrl = null,
    string? Url = null, IReadOnlyDictionary<string, string>? Attributes = null, bool AgeRestricted = false, int? ReplenishAfterDays = null)
{
    /// <summary>In a sensitive category (<c>Recommender:Privacy:SensitiveCategories</c>): set when the catalog is loaded, never stored.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Sensitive { get; init; }

    /// <summary>How long a purchase of this consumable lasts (<see cref="ReplenishAfterDays"/>); null when it is not replenishable.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan? ReplenishmentInterval => ReplenishAfterDays is { } days ? TimeSpan.FromDays(days) : null;
}
