namespace Recommender.Domain.Catalog;

/// <summary>
/// A catalog product as the recommendations show it. <see cref="Attributes"/> holds facets such as
/// <c>size</c> and <c>colour</c> (feeding attribute affinities). <see cref="AgeRestricted"/> products
/// are shown only to customers verified adult; a <see cref="ReplenishAfterDays"/> product may be
/// recommended again that long after its purchase (consumables). Ids are read as shared strings: the
/// catalog's keys are then the very instances cached lists hold (see <see cref="InternedStringConverter"/>).
/// </summary>
public sealed record Product([property: System.Text.Json.Serialization.JsonConverter(typeof(InternedStringConverter))] string Id, string Name, string Category, decimal Price, bool InStock = true, string? Brand = null, string? ImageUrl = null,
    string? Url = null, IReadOnlyDictionary<string, string>? Attributes = null, bool AgeRestricted = false, int? ReplenishAfterDays = null)
{
    /// <summary>In a sensitive category (<c>Recommender:Privacy:SensitiveCategories</c>): set when the catalog is loaded, never stored.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Sensitive { get; init; }

    /// <summary>How long a purchase of this consumable lasts (<see cref="ReplenishAfterDays"/>); null when it is not replenishable.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan? ReplenishmentInterval => ReplenishAfterDays is { } days ? TimeSpan.FromDays(days) : null;
}
