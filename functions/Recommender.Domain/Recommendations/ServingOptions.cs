namespace Recommender.Domain.Recommendations;

/// <summary>A merchandiser's promotion: a multiplier on matching items' scores (the product, or a whole category or brand).</summary>
public sealed class Promotion
{
    public string? ProductId { get; set; }
    public string? Category { get; set; }
    public string? Brand { get; set; }
    /// <value>Score multiplier, e.g. 1.5; capped by <see cref="ServingOptions.MaxBoost"/>.</value>
    public double Boost { get; set; } = 1.2;

    public bool Matches(Catalog.Product product) =>
        (ProductId is not null && ProductId == product.Id)
        || (Category is not null && string.Equals(Category, product.Category, StringComparison.OrdinalIgnoreCase))
        || (Brand is not null && string.Equals(Brand, product.Brand, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Configuration section <c>Recommender:Serving</c>: the rules applied to every list at request time.</summary>
public sealed class ServingOptions
{
    public const string Section = "Recommender:Serving";

    /// <value>Maximal-marginal-relevance λ: 1 ranks by relevance only, lower values trade relevance for variety of categories and brands. Default 0.8.</value>
    public double Diversity { get; set; } = 0.8;
    /// <value>Default cap on items of one brand in a list (null: none).</value>
    public int? MaxPerBrand { get; set; }
    /// <value>Default cap on items of one category in a list (null: none).</value>
    public int? MaxPerCategory { get; set; }
    public List<Promotion> Promotions { get; set; } = [];
    /// <value>No promotion (or combination) multiplies a score by more than this. Default 2.</value>
    public double MaxBoost { get; set; } = 2.0;

    /// <value>
    /// Placement wire name → algorithm (a training candidate: <c>item-item-jaccard</c>, <c>sar</c>,
    /// <c>ease</c>, <c>itemknn-cosine</c>, <c>als</c>), e.g. <c>product = als</c>. Every training run
    /// also trains each algorithm named here and serves it on its placements; placements not named
    /// (the default: all) serve the promoted model. <c>home</c> also sets the model of the cached
    /// lists, which <c>email</c> shares.
    /// </value>
    public Dictionary<string, string> PlacementAlgorithms { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether every key of <see cref="PlacementAlgorithms"/> is a placement and every value one of <paramref name="algorithms"/>.</summary>
    public bool PlacementAlgorithmsAreKnown(IEnumerable<string> algorithms)
    {
        var known = algorithms.ToHashSet(StringComparer.Ordinal);
        return PlacementAlgorithms.All(p => Placements.ByName.ContainsKey(p.Key) && known.Contains(p.Value));
    }
}
