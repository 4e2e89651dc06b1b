namespace Recommender.Domain.Segments;

/// <summary>
/// The distribution of recency, frequency and monetary value over (a shard of) the customer base, as
/// value → count histograms: recency in whole days and frequency in orders are exact; monetary value
/// is kept in cents at three significant figures (a relative error of at most 0.5%), so a shard's
/// histogram stays small (a few thousand keys at most) whatever the shard's size. Histograms of
/// shards merge by adding counts, which is what makes quintiles of the whole base computable from a
/// fan-out.
/// </summary>
public sealed class RfmHistogram
{
    public Dictionary<long, long> Recency { get; set; } = [];
    public Dictionary<long, long> Frequency { get; set; } = [];
    public Dictionary<long, long> Monetary { get; set; } = [];
    public long Customers { get; set; }

    public void Add(RfmValues values)
    {
        Increment(Recency, values.RecencyKey);
        Increment(Frequency, values.Frequency);
        Increment(Monetary, values.MonetaryKey);
        Customers++;
    }

    public void Merge(RfmHistogram other)
    {
        foreach (var (key, count) in other.Recency)
        {
            Increment(Recency, key, count);
        }

        foreach (var (key, count) in other.Frequency)
        {
            Increment(Frequency, key, count);
        }

        foreach (var (key, count) in other.Monetary)
        {
            Increment(Monetary, key, count);
        }

        Customers += other.Customers;
    }

    private static void Increment(Dictionary<long, long> histogram, long key, long by = 1) =>
        histogram[key] = histogram.GetValueOrDefault(key) + by;
}

/// <summary>A customer's raw RFM values, keyed as <see cref="RfmHistogram"/> keys them.</summary>
public readonly record struct RfmValues(double RecencyDays, int Frequency, decimal Monetary)
{
    /// <summary>Whole days since the last order.</summary>
    public long RecencyKey => (long)Math.Floor(Math.Max(0, RecencyDays));

    /// <summary>Cents at three significant figures (exact below 10.00).</summary>
    public long MonetaryKey => KeyOf(Monetary);

    public static long KeyOf(decimal monetary)
    {
        var cents = (long)Math.Round(Math.Max(0m, monetary) * 100m, MidpointRounding.AwayFromZero);
        if (cents < 1000)
        {
            return cents;
        }

        var scale = (long)Math.Pow(10, Math.Floor(Math.Log10(cents)) - 2);
        return (long)Math.Round((double)cents / scale, MidpointRounding.AwayFromZero) * scale;
    }
}

/// <summary>RFM scores 1-5 of one customer (5 is best: most recent, most frequent, highest spend).</summary>
public sealed record RfmScores(int Recency, int Frequency, int Monetary)
{
    public override string ToString() => $"{Recency}{Frequency}{Monetary}";
}

/// <summary>
/// The four quintile boundaries of each dimension over the whole base (nearest-rank: boundary k is
/// the smallest value whose cumulative count reaches ⌈k·n/5⌉). A value above k boundaries scores
/// k+1 (recency inverted: fewer days is better), so ties always share a score and a base of n
/// distinct values puts n/5 customers in each score.
/// </summary>
public sealed record QuintileBoundaries(IReadOnlyList<long> Recency, IReadOnlyList<long> Frequency, IReadOnlyList<long> Monetary, long Customers)
{
    public static QuintileBoundaries? Of(RfmHistogram histogram) =>
        histogram.Customers == 0 ? null
            : new QuintileBoundaries(Boundaries(histogram.Recency, histogram.Customers), Boundaries(histogram.Frequency, histogram.Customers),
                Boundaries(histogram.Monetary, histogram.Customers), histogram.Customers);

    public RfmScores Score(RfmValues values) => new(
        5 - Above(values.RecencyKey, Recency),
        1 + Above(values.Frequency, Frequency),
        1 + Above(values.MonetaryKey, Monetary));

    private static int Above(long key, IReadOnlyList<long> boundaries) => boundaries.Count(b => key > b);

    private static List<long> Boundaries(Dictionary<long, long> histogram, long n)
    {
        var result = new List<long>(4);
        var ordered = histogram.OrderBy(p => p.Key).ToList();
        for (var k = 1; k <= 4; k++)
        {
            var rank = (long)Math.Ceiling(k * n / 5.0);
            long cumulative = 0;
            foreach (var (key, count) in ordered)
            {
                cumulative += count;
                if (cumulative >= rank)
                {
                    result.Add(key);
                    break;
                }
            }
        }

        return result;
    }
}
