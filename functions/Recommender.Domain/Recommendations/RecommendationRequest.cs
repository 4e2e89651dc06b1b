namespace Recommender.Domain.Recommendations;

/// <summary>Include/exclude filters on categories and brands, and caps on how many items one brand or category may take.</summary>
public sealed record ServingFilters
{
    public static readonly ServingFilters None = new();

    public IReadOnlySet<string> IncludeCategories { get; init; } = new HashSet<string>();
    public IReadOnlySet<string> ExcludeCategories { get; init; } = new HashSet<string>();
    public IReadOnlySet<string> IncludeBrands { get; init; } = new HashSet<string>();
    public IReadOnlySet<string> ExcludeBrands { get; init; } = new HashSet<string>();
    public int? MaxPerBrand { get; init; }
    public int? MaxPerCategory { get; init; }

    /// <summary>No filter and no cap: the rules' defaults apply.</summary>
    public bool IsEmpty =>
        IncludeCategories.Count == 0 && ExcludeCategories.Count == 0 && IncludeBrands.Count == 0 && ExcludeBrands.Count == 0 && MaxPerBrand is null && MaxPerCategory is null;
}

/// <summary>
/// One request for a list. <see cref="SessionItems"/> are products of the visitor's current session
/// the storefront passes along (used only for this answer, never stored) so a visitor with no stored
/// history still gets related items.
/// </summary>
public sealed record RecommendationRequest(string CustomerId, Placement Placement, int Count, string? ProductId = null)
{
    public const int MaxCount = 50;
    public const int MaxSessionItems = 20;

    public IReadOnlyList<string> SessionItems { get; init; } = [];
    public ServingFilters Filters { get; init; } = ServingFilters.None;
    /// <summary>Products the caller already shows (a message's own products): never in the list.</summary>
    public IReadOnlySet<string> ExcludeProductIds { get; init; } = new HashSet<string>();
    /// <summary>Maximal-marginal-relevance weight of relevance against diversity (1 = relevance only); null: the configured default.</summary>
    public double? Diversity { get; init; }
    /// <summary>Trending: one category only.</summary>
    public string? Category { get; init; }
    /// <summary>Trending: the window (1 h, 24 h or 7 d).</summary>
    public TimeSpan? Window { get; init; }
}
