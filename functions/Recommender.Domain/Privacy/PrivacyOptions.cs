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

    /// <summary>The development key of <see cref="TombstoneKey"/>: a deployment sets its own (a warning is logged otherwise).</summary>
    public const string DevelopmentTombstoneKey = "development-only-tombstone-key-change-me-0000";

    /// <value>
    /// The HMAC-SHA256 key of erasure tombstones (<see cref="ErasureTombstones"/>), at least 32
    /// characters: a tombstone holds only the keyed hash of an erased id, which nobody without the key
    /// can test a guessed id against. Keep it stable (a new key forgets the standing tombstones).
    /// </value>
    public string TombstoneKey { get; set; } = DevelopmentTombstoneKey;

    /// <value>How long Event Hubs keeps events (infra/modules/eventhubs.bicep: 168 hours): a replay can reach back this far.</value>
    public TimeSpan EventHubsRetention { get; set; } = TimeSpan.FromDays(7);

    /// <value>How long a tombstone outlives <see cref="EventHubsRetention"/> (30 days by default): late batches and restores within it cannot bring an erased subject back.</value>
    public TimeSpan TombstoneMargin { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long an erased subject's tombstones stand: Event Hubs retention plus the margin (37 days by default).</summary>
    public TimeSpan TombstonePeriod => EventHubsRetention + TombstoneMargin;

    public bool IsValid => TombstoneKey is { Length: >= 32 } && EventHubsRetention >= TimeSpan.Zero && TombstoneMargin >= TimeSpan.Zero
        && TombstonePeriod >= TimeSpan.FromDays(1) && TombstonePeriod <= TimeSpan.FromDays(3650);

    public bool IsSensitive(string? category) =>
        category is not null && SensitiveCategories.Any(c => string.Equals(c, category, StringComparison.OrdinalIgnoreCase));
}
