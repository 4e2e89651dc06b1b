namespace Recommender.Domain.Profiles;

/// <summary>
/// Forward exponential decay: a weight observed at time t is stored as
/// <c>w · 2^((t − epoch) / halfLife)</c>, so decayed counters become plain sums that a store can
/// increment atomically (no read-modify-write to decay old values); reading at time <c>now</c>
/// divides by <c>2^((now − epoch) / halfLife)</c>. Stored sums grow 2^(365/halfLife-in-days) a year:
/// a 30-day half-life stays inside double range (2^1023) for 80 years after the epoch, a 7-day one for
/// 19, so this is for half-lives of weeks or more; hour-scale windows use hourly buckets instead.
/// </summary>
public readonly record struct ForwardDecay(TimeSpan HalfLife)
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>What to add to the stored sum for a weight observed at <paramref name="at"/>.</summary>
    public double Scale(double weight, DateTimeOffset at) => weight * Math.Pow(2, (at - Epoch) / HalfLife);

    /// <summary>The decayed value at <paramref name="now"/> of a stored sum.</summary>
    public double Value(double stored, DateTimeOffset now) => stored / Math.Pow(2, (now - Epoch) / HalfLife);
}
