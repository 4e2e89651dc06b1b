namespace Recommender.Domain.Recommendations;

/// <summary>
/// A merchandiser's promotion: a multiplier on matching items' scores (the product, or a whole category
/// or brand) — for every customer, or only for those whose purchase propensity (the probability of a
/// purchase in the next window, stored in the profile by the latest training run) lies within
/// [<see cref="MinimumPropensity"/>, <see cref="MaximumPropensity"/>), e.g. clearance lifted for
/// customers unlikely to buy otherwise. A targeted promotion never applies to a customer without a score,
/// or who may not be personalized for.
/// </summary>
public sealed class Promotion
{
    public string? ProductId { get; set; }
    public string? Category { get; set; }
    public string? Brand { get; set; }
    /// <value>Score multiplier, e.g. 1.5; capped by <see cref="ServingOptions.MaxBoost"/>.</value>
    public double Boost { get; set; } = 1.2;
    /// <value>Applies only to customers whose purchase propensity is at least this (0 to 1; null: no lower bound).</value>
    public double? MinimumPropensity { get; set; }
    /// <value>Applies only to customers whose purchase propensity is below this (0 to 1; null: no upper bound).</value>
    public double? MaximumPropensity { get; set; }

    /// <summary>Whether the promotion is targeted by purchase propensity.</summary>
    public bool TargetsPropensity => MinimumPropensity is not null || MaximumPropensity is not null;

    /// <summary>Whether it applies to a customer of purchase propensity <paramref name="propensity"/> (null: unknown or not to be used).</summary>
    public bool AppliesTo(double? propensity) =>
        !TargetsPropensity || (propensity is { } p && p >= (MinimumPropensity ?? 0) && (MaximumPropensity is not { } max || p < max));

    /// <summary>The propensity bounds, when set, are probabilities and the range is not empty.</summary>
    public bool IsValid => (MinimumPropensity is null or (>= 0 and <= 1)) && (MaximumPropensity is null or (>= 0 and <= 1))
        && !(MinimumPropensity is { } min && MaximumPropensity is { } upper && min >= upper);

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
    /// <c>ease</c>, <c>itemknn-cosine</c>, <c>als</c>, <c>userknn-cosine</c>, <c>userknn-jaccard</c>), e.g. <c>product = als</c>. Every training run
    /// also trains each algorithm named here and serves it on its placements; placements not named
    /// (the default: all) serve the promoted model. <c>home</c> also sets the model of the cached
    /// lists, which <c>email</c> shares.
    /// </value>
    public Dictionary<string, string> PlacementAlgorithms { get; set; } = new(StringComparer.Ordinal);

    /// <value>
    /// Placement wire name → its already-seen policy (<c>Recommender:Serving:Seen:{placement}</c>): how long
    /// viewed products are excluded and how they come back, whether purchases and the cart are excluded.
    /// Placements not named get <see cref="SeenPolicy.DefaultFor"/>.
    /// </value>
    public Dictionary<string, SeenPolicy> Seen { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The placement's already-seen policy: configured, else its default.</summary>
    public SeenPolicy SeenPolicyFor(Placement placement) =>
        Seen.Count > 0 && Seen.TryGetValue(Placements.NameOf(placement), out var policy) ? policy : SeenPolicy.DefaultFor(placement);

    /// <summary>Every key of <see cref="Seen"/> is a placement and every policy valid.</summary>
    public bool SeenPoliciesAreValid => Seen.All(p => Placements.ByName.ContainsKey(p.Key) && p.Value.IsValid);

    /// <value>How home and email lists are scored from a customer's history (<c>Recommender:Serving:UserScoring</c>).</value>
    public UserScoringOptions UserScoring { get; set; } = new();

    /// <summary>Whether every key of <see cref="PlacementAlgorithms"/> is a placement and every value one of <paramref name="algorithms"/>.</summary>
    public bool PlacementAlgorithmsAreKnown(IEnumerable<string> algorithms)
    {
        var known = algorithms.ToHashSet(StringComparer.Ordinal);
        return PlacementAlgorithms.All(p => Placements.ByName.ContainsKey(p.Key) && known.Contains(p.Value));
    }
}

/// <summary>
/// Section <c>Recommender:Serving:UserScoring</c>: how the cache refresh scores a customer's whole
/// history with the promoted model (<see cref="RecommendationEngine.ForHistory"/>), and what the
/// trainer keeps for it.
/// </summary>
public sealed class UserScoringOptions
{
    /// <value>History half-life: an interaction this much older than the customer's latest counts half. Default 90 days (on the shared sample data 30 days gained nothing on "what comes next" and lost on the rest of the history; docs/serving-models.md).</value>
    public TimeSpan HistoryHalfLife { get; set; } = Recommender.Models.UserScoring.DefaultHalfLife;
    /// <value>
    /// The catalog limit of the trained model: it covers the N most active items (by distinct
    /// customers); the rest are served from item-item neighbours and catalog attributes. Default 10,000.
    /// </value>
    public int MaxModelItems { get; set; } = 10_000;
    /// <value>Entries kept per row of an item-weights model (EASE's B, SAR/kNN similarity). Default 100.</value>
    public int RowWidth { get; set; } = 100;
    /// <value>Weight of the profile's real-time category and brand affinities against the model score (scaled to 1). Default 0.1.</value>
    public double ProfileWeight { get; set; } = 0.1;
    /// <value>Weight of the catalog-attribute (content) score of products the model does not know yet (new products), against the best model score (1). Default 0.25.</value>
    public double NewItemWeight { get; set; } = 0.25;

    public bool IsValid =>
        HistoryHalfLife > TimeSpan.Zero && MaxModelItems >= 1 && RowWidth >= 1
        && ProfileWeight is >= 0 and <= 1 && NewItemWeight is >= 0 and <= 1;
}
