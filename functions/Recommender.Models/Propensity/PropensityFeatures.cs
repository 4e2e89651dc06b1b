using Microsoft.ML.Data;

namespace Recommender.Models.Propensity;

/// <summary>
/// A user's behaviour before a reference time, as the classifier's features (RFM and friends).
/// Missing values (no interaction or no purchase yet) are NaN, which LightGBM treats as missing.
/// </summary>
internal static class PropensityFeatures
{
    public const int Count = 10;

    public static readonly string[] Names =
    [
        "days since last interaction",
        "interactions",
        "total weight",
        "distinct items",
        "sessions",
        "days since first seen",
        "purchases",
        "days since last purchase",
        "interactions in the last 7 days",
        "interactions in the last 30 days",
    ];

    /// <summary>
    /// The features from <paramref name="history"/> (one user's interactions sorted by time) counting
    /// only interactions strictly before <paramref name="reference"/>.
    /// </summary>
    public static float[] Compute(ReadOnlySpan<Interaction> history, DateTimeOffset reference, PropensityOptions options, Func<Interaction, bool> isPurchase)
    {
        var features = new float[Count];
        var interactions = 0;
        double weight = 0;
        var sessions = 0;
        var purchases = 0;
        var last7 = 0;
        var last30 = 0;
        DateTimeOffset? first = null;
        DateTimeOffset? last = null;
        DateTimeOffset? lastPurchase = null;
        var items = new HashSet<string>(StringComparer.Ordinal);
        foreach (var interaction in history)
        {
            if (interaction.At >= reference)
            {
                break;
            }

            interactions++;
            weight += interaction.Weight;
            items.Add(interaction.Item);
            if (last is null || interaction.At - last.Value > options.SessionGap)
            {
                sessions++;
            }

            first ??= interaction.At;
            last = interaction.At;
            if (isPurchase(interaction))
            {
                purchases++;
                lastPurchase = interaction.At;
            }

            var age = reference - interaction.At;
            last7 += age <= TimeSpan.FromDays(7) ? 1 : 0;
            last30 += age <= TimeSpan.FromDays(30) ? 1 : 0;
        }

        features[0] = last is { } l ? Days(reference - l) : float.NaN;
        features[1] = interactions;
        features[2] = (float)weight;
        features[3] = items.Count;
        features[4] = sessions;
        features[5] = first is { } f ? Days(reference - f) : float.NaN;
        features[6] = purchases;
        features[7] = lastPurchase is { } p ? Days(reference - p) : float.NaN;
        features[8] = last7;
        features[9] = last30;
        return features;
    }

    private static float Days(TimeSpan span) => (float)span.TotalDays;
}

/// <summary>One user at one reference time (ML.NET input).</summary>
public sealed class PropensityRow
{
    public bool Label { get; set; }

    [VectorType(PropensityFeatures.Count)]
    public float[] Features { get; set; } = [];
}

/// <summary>The classifier's output for one user (ML.NET output).</summary>
public sealed class PropensityPrediction
{
    public float Probability { get; set; }

    public float Score { get; set; }

    public bool PredictedLabel { get; set; }
}
