using Recommender.Domain.Recommendations;

namespace Recommender.Domain.Tests.Recommendations;

public class ServedListIdsTests
{
    [Fact]
    public void AnId_IsAVersion7Uuid_CarryingTheMillisecond()
    {
        var now = new DateTimeOffset(2026, 11, 22, 21, 30, 15, 123, TimeSpan.Zero);

        var id = ServedListIds.Next(now);

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.Variant >> 2); // RFC 9562 variant: 10xx
        var hex = id.ToString("N");
        Assert.Equal(now.ToUnixTimeMilliseconds(), Convert.ToInt64(hex[..12], 16));
        Assert.Equal('7', hex[12]);
        // Same text layout as the framework's own v7 for the same instant.
        Assert.Equal(Guid.CreateVersion7(now).ToString("N")[..13], hex[..13]);
    }

    [Fact]
    public void Ids_AreDistinct_AndLaterMillisecondsSortLater()
    {
        var now = DateTimeOffset.UnixEpoch.AddYears(56);
        var ids = Enumerable.Range(0, 200_000).Select(_ => ServedListIds.Next(now).ToString("N")).ToList();
        var later = ServedListIds.Next(now.AddMilliseconds(1)).ToString("N");

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.True(string.CompareOrdinal(later, ids.Max(StringComparer.Ordinal)) > 0);
    }

    [Fact]
    public void Ids_FromManyThreads_NeverRepeat()
    {
        var now = DateTimeOffset.UtcNow;
        var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                ids.Add(ServedListIds.Next(now));
            }
        });

        Assert.Equal(160_000, ids.Distinct().Count());
    }
}
