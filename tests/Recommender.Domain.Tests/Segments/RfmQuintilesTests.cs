using Recommender.Domain.Segments;

namespace Recommender.Domain.Tests.Segments;

public class RfmQuintilesTests
{
    [Fact]
    public void TenDistinctCustomers_TwoPerScore_HandComputed()
    {
        // Monetary 10, 20, …, 100; frequency 1…10; recency 1…10 days. Nearest-rank boundaries at ranks 2, 4, 6, 8.
        var histogram = new RfmHistogram();
        for (var i = 1; i <= 10; i++)
        {
            histogram.Add(new RfmValues(i, i, i * 10m));
        }

        var q = QuintileBoundaries.Of(histogram)!;
        Assert.Equal([2000L, 4000, 6000, 8000], q.Monetary); // cents
        Assert.Equal([2L, 4, 6, 8], q.Frequency);
        Assert.Equal([2L, 4, 6, 8], q.Recency);
        int[] expected = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
        for (var i = 1; i <= 10; i++)
        {
            var scores = q.Score(new RfmValues(i, i, i * 10m));
            Assert.Equal(expected[i - 1], scores.Monetary);
            Assert.Equal(expected[i - 1], scores.Frequency);
            Assert.Equal(6 - expected[i - 1], scores.Recency); // fewer days since the last order is better
        }
    }

    [Fact]
    public void Ties_ShareAScore_AndBoundariesComeFromTheWholeBase()
    {
        // 7 customers with one order, 2 with two, 1 with five: n = 10, ranks 2, 4, 6, 8 all fall on 1 except none.
        var histogram = new RfmHistogram();
        foreach (var f in new[] { 1, 1, 1, 1, 1, 1, 1, 2, 2, 5 })
        {
            histogram.Add(new RfmValues(0, f, 50m));
        }

        var q = QuintileBoundaries.Of(histogram)!;
        Assert.Equal([1L, 1, 1, 2], q.Frequency);
        Assert.Equal(1, q.Score(new RfmValues(0, 1, 50m)).Frequency);
        Assert.Equal(4, q.Score(new RfmValues(0, 2, 50m)).Frequency);
        Assert.Equal(5, q.Score(new RfmValues(0, 5, 50m)).Frequency);
        Assert.Equal(1, q.Score(new RfmValues(0, 5, 50m)).Monetary); // everyone spent the same: no one is above a boundary
    }

    [Fact]
    public void ShardHistograms_MergeToTheWholeBasesBoundaries()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 1000).Select(_ => new RfmValues(random.Next(400), 1 + random.Next(20), Math.Round((decimal)(random.NextDouble() * 900), 2))).ToList();
        var whole = new RfmHistogram();
        var shards = Enumerable.Range(0, 4).Select(_ => new RfmHistogram()).ToArray();
        for (var i = 0; i < values.Count; i++)
        {
            whole.Add(values[i]);
            shards[i % 4].Add(values[i]);
        }

        var merged = new RfmHistogram();
        foreach (var shard in shards)
        {
            merged.Merge(Json.FromElement<RfmHistogram>(Json.ToElement(shard))); // as stored and read back
        }

        Assert.Equal(QuintileBoundaries.Of(whole), QuintileBoundaries.Of(merged), new BoundariesComparer());
        // Each score holds about a fifth of the base (ties shift it a little).
        var q = QuintileBoundaries.Of(merged)!;
        foreach (var group in values.GroupBy(v => q.Score(v).Monetary))
        {
            Assert.InRange(group.Count(), 180, 220);
        }
    }

    [Theory]
    [InlineData("9.99", 999)]
    [InlineData("10.00", 1000)]
    [InlineData("123.45", 12300)]
    [InlineData("123.50", 12400)]
    [InlineData("98765.43", 9880000)]
    [InlineData("-3", 0)]
    public void MonetaryKeys_AreCentsAtThreeSignificantFigures(string amount, long key) =>
        Assert.Equal(key, RfmValues.KeyOf(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

    private sealed class BoundariesComparer : IEqualityComparer<QuintileBoundaries?>
    {
        public bool Equals(QuintileBoundaries? x, QuintileBoundaries? y) =>
            x is not null && y is not null && x.Customers == y.Customers && x.Recency.SequenceEqual(y.Recency) && x.Frequency.SequenceEqual(y.Frequency) && x.Monetary.SequenceEqual(y.Monetary);

        public int GetHashCode(QuintileBoundaries? obj) => 0;
    }
}
