using Recommender.Adapters.Embedded;

namespace Recommender.Adapters.Tests.Embedded;

public sealed class DocumentCacheTests
{
    private static readonly DocumentKey A = new("c", "p", "a");
    private const long Never = long.MaxValue;
    private const long Now = 1_000;

    [Fact]
    public void AReadThatBeganBeforeAWrite_DoesNotCacheWhatItRead()
    {
        var cache = new DocumentCache(10);
        var token = cache.BeginRead(A);

        cache.Invalidate(A); // the write committed while the read was under way
        cache.TryAdd(A, "old", Never, token);

        Assert.False(cache.TryGet<string>(A, Now, out _));
        cache.TryAdd(A, "new", Never, cache.BeginRead(A));
        Assert.True(cache.TryGet<string>(A, Now, out var value));
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
        cache.TryAdd(A, "second", Never, second + 1);
        cache.Invalidate(A);
        cache.TryAdd(A, "first", Never, first + 1);

        Assert.False(cache.TryGet<string>(A, Now, out _)); // the next read goes to the database
    }

    [Fact]
    public void AWriterWhoseOwnInvalidationWasTheOnlyOne_CachesWhatItWrote()
    {
        var cache = new DocumentCache(10);
        var token = cache.BeginRead(A);

        cache.Invalidate(A);
        cache.TryAdd(A, "written", Never, token + 1);

        Assert.True(cache.TryGet<string>(A, Now, out var value));
        Assert.Equal("written", value);
    }

    [Fact]
    public void AnEntryOfAnotherType_IsAMiss_AndIsReplaced()
    {
        var cache = new DocumentCache(10);
        cache.TryAdd(A, "text", Never, cache.BeginRead(A));

        Assert.False(cache.TryGet<int[]>(A, Now, out _));
        cache.TryAdd(A, new[] { 1 }, Never, cache.BeginRead(A));

        Assert.True(cache.TryGet<int[]>(A, Now, out var value));
        Assert.Equal([1], Assert.IsType<int[]>(value));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void AnEntry_IsServedUntilItsExpiryInstant_AndNotAfter()
    {
        var cache = new DocumentCache(4);
        cache.TryAdd(A, "value", expiresAt: 2_000, cache.BeginRead(A));

        Assert.True(cache.TryGet<string>(A, 1_999, out var value));
        Assert.Equal("value", value);
        Assert.False(cache.TryGet<string>(A, 2_000, out _)); // expired exactly when the store's row stops being live
        Assert.False(cache.TryGet<string>(A, 5_000, out _));
    }

    [Fact]
    public void InvalidatedSlots_AreReused_WithoutEvicting()
    {
        var cache = new DocumentCache(2);
        var b = new DocumentKey("c", "p", "b");
        var d = new DocumentKey("c", "p", "d");
        cache.TryAdd(A, "a", Never, cache.BeginRead(A));
        cache.TryAdd(b, "b", Never, cache.BeginRead(b));

        cache.Invalidate(A);
        cache.TryAdd(d, "d", Never, cache.BeginRead(d));

        Assert.True(cache.TryGet<string>(b, Now, out _));
        Assert.True(cache.TryGet<string>(d, Now, out _));
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

            if (!cache.TryGet<string>(A, Now, out _))
            {
                var token = cache.BeginRead(A);
                string read;
                lock (store)
                {
                    read = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                cache.TryAdd(A, read, Never, token);
            }
        });

        Assert.True(!cache.TryGet<string>(A, Now, out var cached) || cached == version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
