using System.Text.Json.Serialization;

namespace Recommender.Domain.Events;

/// <summary>
/// A validated clickstream event (schema version 1). Everything in it has passed
/// <see cref="EventValidator"/>: ids are well formed, numbers are in range, private data is truncated
/// or gone (IP addresses truncated, no precise location, no free text but the search query) and
/// fields outside the schema are dropped. Which properties are set depends on <see cref="Type"/>
/// (see README, "Events"); serialized with <see cref="Json.Options"/> it validates again unchanged.
/// </summary>
public sealed record ClickstreamEvent
{
    /// <summary>Prefix of <see cref="SubjectId"/> for anonymous visitors; refused at the start of a customerId.</summary>
    public const string AnonymousSubjectPrefix = "anon:";

    /// <summary>Prefix of the pseudonym an erased customer's legally retained records carry (<c>erased:</c> + SHA-256 of the id).</summary>
    public const string ErasedSubjectPrefix = "erased:";

    /// <summary>
    /// Prefix of the pseudonym an order record carries when its subject could not be profiled as it arrived
    /// (no analytics consent, objection, possibly a minor): kept for accounting, never for features or training.
    /// </summary>
    public const string PseudonymSubjectPrefix = "pseudonym:";

    /// <summary>An event kept only under legal obligation (its customer erased, or not to be profiled): never used for features or training.</summary>
    [JsonIgnore]
    public bool IsPseudonymized => CustomerId is { } c
        && (c.StartsWith(ErasedSubjectPrefix, StringComparison.Ordinal) || c.StartsWith(PseudonymSubjectPrefix, StringComparison.Ordinal));

    public required string Id { get; init; }
    public required EventType Type { get; init; }
    /// <summary>The signed-in customer; absent for anonymous visitors and for catalog_change.</summary>
    public string? CustomerId { get; init; }
    /// <summary>The cookie or device id of the visitor.</summary>
    public string? AnonymousId { get; init; }
    public string? SessionId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public EventContext? Context { get; init; }

    // Products, carts and orders
    public string? ProductId { get; init; }
    /// <summary>compare: the products compared; recommendation_impression: the products shown.</summary>
    public IReadOnlyList<string>? ProductIds { get; init; }
    public string? Category { get; init; }
    public string? Brand { get; init; }
    public int? Quantity { get; init; }
    public decimal? Price { get; init; }
    /// <summary>ISO 4217, three capital letters.</summary>
    public string? Currency { get; init; }
    public string? OrderId { get; init; }
    public IReadOnlyList<OrderLine>? Lines { get; init; }
    public decimal? Subtotal { get; init; }
    public decimal? Tax { get; init; }
    public decimal? Shipping { get; init; }
    public decimal? Discount { get; init; }
    public decimal? Total { get; init; }
    public decimal? CartValue { get; init; }
    public decimal? RefundAmount { get; init; }
    public ReturnReason? Reason { get; init; }

    // Sessions, pages, search
    /// <summary>session_start: the referring host only (path and query are dropped).</summary>
    public string? Referrer { get; init; }
    [JsonPropertyName("utm_source")]
    public string? UtmSource { get; init; }
    [JsonPropertyName("utm_medium")]
    public string? UtmMedium { get; init; }
    [JsonPropertyName("utm_campaign")]
    public string? UtmCampaign { get; init; }
    public PageType? PageType { get; init; }
    /// <summary>search: the query, the only free text kept.</summary>
    public string? Query { get; init; }
    /// <summary>search: filter name to its values (a single string value becomes a one-element list).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Filters { get; init; }
    public IReadOnlyList<string>? ResultIds { get; init; }
    public int? ResultCount { get; init; }
    /// <summary>filter: the filter's name; catalog_change: the product's name.</summary>
    public string? Name { get; init; }
    /// <summary>filter: the value chosen.</summary>
    public string? Value { get; init; }
    public int? Percent { get; init; }

    // Engagement
    public int? Rating { get; init; }
    public int? Seconds { get; init; }
    public int? ImageIndex { get; init; }

    // Messages and recommendations
    public string? MessageId { get; init; }
    public string? CampaignId { get; init; }
    public string? RecommendationId { get; init; }
    public string? Placement { get; init; }
    public int? Position { get; init; }
    public string? Variant { get; init; }

    // Catalog
    public CatalogChangeKind? Change { get; init; }
    public decimal? PreviousPrice { get; init; }
    public bool? InStock { get; init; }
    /// <summary>catalog_change: product attributes such as size or colour.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
    /// <summary>catalog_change: where the product may appear (visible, hidden, search_only).</summary>
    public Catalog.ProductVisibility? Visibility { get; init; }
    /// <summary>catalog_change: when the product may first be recommended.</summary>
    public DateTimeOffset? LaunchAt { get; init; }
    /// <summary>catalog_change: when the product stops being recommended (end of sale).</summary>
    public DateTimeOffset? EndOfSaleAt { get; init; }

    // Consent
    /// <summary>Consent events: the channel or purpose (email, sms, push, analytics, personalization, ad_audiences).</summary>
    public string? Channel { get; init; }
    public bool? Granted { get; init; }
    public string? PolicyVersion { get; init; }
    /// <summary>Consent: how consent was given or withdrawn (signup_form, ...); catalog_change: the system that sent it.</summary>
    public string? Source { get; init; }
    /// <summary>
    /// Consent: who relayed the decision — <c>storefront:{client}</c> (set by the collector from the
    /// authenticated storefront key, never taken from the sender), or the operator through the privacy API.
    /// </summary>
    public string? RelayedBy { get; init; }

    // Account
    public int? BirthYear { get; init; }
    public bool? AgeVerifiedAdult { get; init; }
    /// <summary>IANA time zone name (Europe/Paris).</summary>
    public string? TimeZone { get; init; }
    /// <summary>Account events: SHA-256 of the normalized email (the address itself is never kept).</summary>
    public string? EmailSha256 { get; init; }
    /// <summary>Account events: SHA-256 of the E.164 phone number (the number itself is never kept).</summary>
    public string? PhoneSha256 { get; init; }
    /// <summary>Account events: the categories the customer said they like (stated, never inferred); an empty list states none.</summary>
    public IReadOnlyList<string>? PreferredCategories { get; init; }
    /// <summary>Account events: the brands the customer said they like; an empty list states none.</summary>
    public IReadOnlyList<string>? PreferredBrands { get; init; }

    /// <summary>
    /// The key the event is attributed to: the customer, or <c>anon:&lt;anonymousId&gt;</c> for an
    /// anonymous visitor; <see langword="null"/> for catalog_change, which is about no one.
    /// </summary>
    [JsonIgnore]
    public string? SubjectId => CustomerId ?? (AnonymousId is null ? null : AnonymousSubjectPrefix + AnonymousId);

    /// <summary>Products this event is about: every line of a purchase or return, the listed products, or its product.</summary>
    [JsonIgnore]
    public IEnumerable<string> AllProductIds =>
        Lines is { Count: > 0 } lines ? lines.Select(l => l.ProductId)
        : ProductIds is { Count: > 0 } ids ? ids
        : ProductId is null ? [] : [ProductId];
}
