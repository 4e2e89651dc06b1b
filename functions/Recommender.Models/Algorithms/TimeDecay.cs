namespace Recommender.Models.Algorithms;

/// <summary>
/// Exponential time decay as Microsoft Recommenders' <c>exponential_decay</c>:
/// <c>min(1, 0.5^((reference − t) / halfLife))</c>, with the reference time the latest timestamp of
/// the training data (never the wall clock, so training is deterministic).
/// </summary>
public static class TimeDecay
{
    /// <summary>The decay factor of an event at <paramref name="atSeconds"/> (Unix seconds); 1 when <paramref name="halfLife"/> is null.</summary>
    public static double Factor(double atSeconds, double referenceSeconds, TimeSpan? halfLife)
    {
        if (halfLife is not { } h)
        {
            return 1.0;
        }

        return Math.Min(1.0, Math.Pow(0.5, (referenceSeconds - atSeconds) / h.TotalSeconds));
    }

    /// <summary>Unix seconds with sub-second precision.</summary>
    public static double ToSeconds(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerSecond;
}
