namespace Recommender.Domain.Privacy;

/// <summary>Configuration section <c>Recommender:Privacy</c>.</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Recommender:Privacy";

    /// <value>
    /// Catalog categories whose products never feed features, seeds or explanations (no trait is ever
    /// inferred from them): health, religion, sexual orientation, pregnancy, politics, financial
    /// hardship by default. Compared case-insensitively with the product's category.
    /// </value>
    public List<string> SensitiveCategories { get; set; } =
        ["health", "religion", "sexual-orientation", "pregnancy", "politics", "financial-hardship"];

    public bool IsSensitive(string? category) =>
        category is not null && SensitiveCategories.Any(c => string.Equals(c, category, StringComparison.OrdinalIgnoreCase));
}
