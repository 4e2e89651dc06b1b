namespace Recommender.Models.Algorithms;

/// <summary>
/// The statistics behind the re-ranker's non-model features, computed from one set of
/// interactions: item popularity (all time and recent), user activity, and each user's share of
/// interaction weight per category and per brand (when a catalog is given).
/// </summary>
internal sealed class RankingFeatures
{
    /// <summary>Features after the per-source ones: popularity, recent popularity, activity, distinct items, category and brand affinity.</summary>
    public const int CommonFeatureCount = 6;

    /// <summary>Features per source: score (NaN when absent), rank (depth + 1 when absent), reciprocal rank (0 when absent).</summary>
    public const int FeaturesPerSource = 3;

    private readonly Dictionary<string, int> _popularity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _recentPopularity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Count, int Distinct)> _activity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, double>> _categoryShare = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, double>> _brandShare = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _category = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _brand = new(StringComparer.Ordinal);

    public RankingFeatures(IReadOnlyList<Interaction> interactions, IReadOnlyCollection<ItemAttributes>? catalog, RankingOptions options)
    {
        foreach (var entry in catalog ?? [])
        {
            foreach (var (name, value) in entry.Attributes)
            {
                if (string.Equals(name, options.CategoryAttribute, StringComparison.OrdinalIgnoreCase))
                {
                    _category[entry.Item] = value.Trim().ToUpperInvariant();
                }
                else if (string.Equals(name, options.BrandAttribute, StringComparison.OrdinalIgnoreCase))
                {
                    _brand[entry.Item] = value.Trim().ToUpperInvariant();
                }
            }
        }

        if (interactions.Count == 0)
        {
            return;
        }

        var latest = interactions.Max(i => i.At);
        var recentFrom = latest - options.RecentWindow;
        var pairs = new HashSet<(string User, string Item)>();
        var recentPairs = new HashSet<(string User, string Item)>();
        var categoryWeight = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        var brandWeight = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        foreach (var interaction in interactions)
        {
            var (count, distinct) = _activity.GetValueOrDefault(interaction.User);
            var isNew = pairs.Add((interaction.User, interaction.Item));
            _activity[interaction.User] = (count + 1, distinct + (isNew ? 1 : 0));
            if (isNew)
            {
                _popularity[interaction.Item] = _popularity.GetValueOrDefault(interaction.Item) + 1;
            }

            if (interaction.At >= recentFrom && recentPairs.Add((interaction.User, interaction.Item)))
            {
                _recentPopularity[interaction.Item] = _recentPopularity.GetValueOrDefault(interaction.Item) + 1;
            }

            Accumulate(categoryWeight, _category, interaction);
            Accumulate(brandWeight, _brand, interaction);
        }

        Normalize(categoryWeight, _categoryShare);
        Normalize(brandWeight, _brandShare);
    }

    public static int FeatureCount(int sources) => (sources * FeaturesPerSource) + CommonFeatureCount;

    /// <summary>Writes the common features of (user, item) at <paramref name="destination"/>.</summary>
    public void WriteCommon(string user, string item, Span<float> destination)
    {
        var (count, distinct) = _activity.GetValueOrDefault(user);
        destination[0] = MathF.Log(1 + _popularity.GetValueOrDefault(item));
        destination[1] = MathF.Log(1 + _recentPopularity.GetValueOrDefault(item));
        destination[2] = MathF.Log(1 + count);
        destination[3] = MathF.Log(1 + distinct);
        destination[4] = Share(_categoryShare, _category, user, item);
        destination[5] = Share(_brandShare, _brand, user, item);
    }

    private static float Share(Dictionary<string, Dictionary<string, double>> shares, Dictionary<string, string> attribute, string user, string item) =>
        attribute.TryGetValue(item, out var value) && shares.TryGetValue(user, out var byValue)
            ? (float)byValue.GetValueOrDefault(value)
            : 0f;

    private static void Accumulate(Dictionary<string, Dictionary<string, double>> weights, Dictionary<string, string> attribute, Interaction interaction)
    {
        if (!attribute.TryGetValue(interaction.Item, out var value))
        {
            return;
        }

        if (!weights.TryGetValue(interaction.User, out var byValue))
        {
            weights[interaction.User] = byValue = new Dictionary<string, double>(StringComparer.Ordinal);
        }

        byValue[value] = byValue.GetValueOrDefault(value) + interaction.Weight;
    }

    private static void Normalize(Dictionary<string, Dictionary<string, double>> weights, Dictionary<string, Dictionary<string, double>> shares)
    {
        foreach (var (user, byValue) in weights)
        {
            var total = byValue.Values.Sum();
            shares[user] = byValue.ToDictionary(p => p.Key, p => total > 0 ? p.Value / total : 0, StringComparer.Ordinal);
        }
    }
}
