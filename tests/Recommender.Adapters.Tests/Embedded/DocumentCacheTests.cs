using Recommender.Adapters.Embedded;

namespace Recommender.Adapters.Tests.Embedded;

public sealed class DocumentCacheTests
{
    private static readonly DocumentKey A = new("c", "p", "a");

    [Fact]
    public void AReadThatBeganBeforeAWrite_DoesNotCacheWhatItRead()
    {
        var cache = new DocumentCache(10);
        var token = cache.BeginRead(A);

        cache.Invalidate(A); // the write committed while the read was under way
        cache.TryAdd(A, "old", token);

        Assert.False(cache.TryGet<string>(A, out _));
        cache.TryAdd(A, "new", cache.BeginRead(A));
        Assert.True(cache.TryGet<string>(A, out var value));
        Assert.Equal("new", value);
    }

    [Fact]
    public void AWriterOvertakenByALaterWrite_DoesNotCacheItsOlderVersion()
    {
        var cache = new DocumentCache(10);
        var first = cache.BeginRead(A);
        var second = cache.BeginRead(A);

        // Both committed, the second last; the second invalidates and adds first, then the first.
        cache.Invalidate(A);
        cache.TryAdd(A, "second", second + 1);
        cache.Invalidate(A);
        cache.TryAdd(A, "first", first + 1);

        Assert.False(cache.TryGet<string>(A, out _)); // the next read goes to the database
    }

    [Fact]
    public void AWriterWhoseOwnInvalidationWasTheOnlyOne_CachesWhatItWrote()
    {
        var cache = new DocumentCache(10);
        var token = cache.BeginRead(A);

        cache.Invalidate(A);
        cache.TryAdd(A, "written", token + 1);

        Assert.True(cache.TryGet<string>(A, out var value));
        Assert.Equal("written", value);
    }

    [Fact]
    public void AnEntryOfAnotherType_IsAMiss_AndIsReplaced()
    {
        var cache = new DocumentCache(10);
        cache.TryAdd(A, "text", cache.BeginRead(A));

        Assert.False(cache.TryGet<int[]>(A, out _));
        cache.TryAdd(A, new[] { 1 }, cache.BeginRead(A));

        Assert.True(cache.TryGet<int[]>(A, out var value));
        Assert.Equal([1], Assert.IsType<int[]>(value));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void InvalidatedSlots_AreReused_WithoutEvicting()
    {
        var cache = new DocumentCache(2);
        var b = new DocumentKey("c", "p", "b");
        var d = new DocumentKey("c", "p", "d");
        cache.TryAdd(A, "a", cache.BeginRead(A));
        cache.TryAdd(b, "b", cache.BeginRead(b));

        cache.Invalidate(A);
        cache.TryAdd(d, "d", cache.BeginRead(d));

        Assert.True(cache.TryGet<string>(b, out _));
        Assert.True(cache.TryGet<string>(d, out _));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void ConcurrentReadsAndWrites_NeverLeaveAnOlderVersion()
    {
        var cache = new DocumentCache(4);
        var version = 0;
        var store = new object();
        Parallel.For(0, 20_000, i =>
        {
            if (i % 3 == 0)
            {
                lock (store)
                {
                    version++; // the write commits...
                }

                cache.Invalidate(A); // ...then drops the entry
                return;
            }

            if (!cache.TryGet<string>(A, out _))
            {
                var token = cache.BeginRead(A);
                string read;
                lock (store)
                {
                    read = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                cache.TryAdd(A, read, token);
            }
        });

        Assert.True(!cache.TryGet<string>(A, out var cached) || cached == version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
