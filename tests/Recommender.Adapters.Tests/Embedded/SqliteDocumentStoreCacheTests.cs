using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Recommender.Adapters.Embedded;
using Recommender.Adapters.Tests.Contracts;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Embedded;

/// <summary>The embedded store with its document cache on: still the whole contract, and shared reads that always see the latest write.</summary>
public sealed class SqliteDocumentStoreCacheTests : DocumentStoreContract
{
    private const string C = "recommendations";
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private SqliteDocumentStore? _cached;

    private string DatabasePath => Path.Combine(_directory.Path, "test.db");

    private SqliteDocumentStore Cached => _cached ?? throw new InvalidOperationException("The store was not created.");

    private sealed record Counter(int Count);

    protected override Task<IDocumentStore> CreateStoreAsync()
    {
        _cached = new SqliteDocumentStore(DatabasePath, _clock, documentCacheEntries: 3);
        return Task.FromResult<IDocumentStore>(_cached);
    }

    protected override Task DisposeStoreAsync()
    {
        _cached?.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }

    private static Counter Deserialize(JsonElement body) => body.Deserialize<Counter>(JsonSerializerOptions.Web)!;

    private ValueTask<Counter?> ReadAsync(string id) => Cached.ReadSharedAsync(C, id, id, Deserialize);

    [Fact]
    public async Task ReadShared_ReturnsOneInstance_UntilTheDocumentIsWritten()
    {
        await Store.UpsertAsync(C, "a", "a", Json.Counter(1));

        var first = await ReadAsync("a");
        var second = await ReadAsync("a");

        Assert.Equal(1, first!.Count);
        Assert.Same(first, second);
        Assert.Equal(1, Cached.CachedDocumentCount);
    }

    [Fact]
    public async Task EveryKindOfWrite_IsSeenByTheNextSharedRead()
    {
        var etag = await Store.CreateAsync(C, "a", "a", Json.Counter(1));
        Assert.Equal(1, (await ReadAsync("a"))!.Count);

        etag = await Store.ReplaceAsync(C, "a", "a", Json.Counter(2), etag);
        Assert.Equal(2, (await ReadAsync("a"))!.Count);

        await Store.UpsertAsync(C, "a", "a", Json.Counter(3));
        Assert.Equal(3, (await ReadAsync("a"))!.Count);

        Assert.True(await Store.IncrementAsync(C, "a", "a", new Dictionary<string, double> { ["count"] = 10 }));
        Assert.Equal(13, (await ReadAsync("a"))!.Count);

        Assert.True(await Store.DeleteAsync(C, "a", "a"));
        Assert.Null(await ReadAsync("a"));
    }

    [Fact]
    public async Task UpsertShared_LeavesTheWrittenVersionReady_AndALaterWriteReplacesIt()
    {
        await Cached.UpsertSharedAsync(C, "a", "a", Json.Counter(1), Deserialize);

        Assert.Equal(1, Cached.CachedDocumentCount);
        var first = await ReadAsync("a");
        Assert.Same(first, await ReadAsync("a"));
        Assert.Equal(1, first!.Count);

        await Store.UpsertAsync(C, "a", "a", Json.Counter(2));
        Assert.Equal(2, (await ReadAsync("a"))!.Count);
        await Cached.UpsertSharedAsync(C, "a", "a", Json.Counter(3), Deserialize);
        Assert.Equal(3, (await ReadAsync("a"))!.Count);
    }

    [Fact]
    public async Task ConcurrentSharedWritesAndReads_EndOnTheLastCommittedVersion()
    {
        await Parallel.ForAsync(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            if (i % 2 == 0)
            {
                await Cached.UpsertSharedAsync(C, "hot", "hot", Json.Counter(i), Deserialize, ct);
            }
            else
            {
                await ReadAsync("hot");
            }
        });

        var stored = Json.CountOf((await Store.ReadAsync(C, "hot", "hot"))!.Body);
        Assert.Equal(stored, (await ReadAsync("hot"))!.Count);
    }

    [Fact]
    public async Task AMissingDocument_IsRememberedAsMissing_UntilItIsCreated()
    {
        Assert.Null(await ReadAsync("later"));
        Assert.Equal(1, Cached.CachedDocumentCount);

        await Store.CreateAsync(C, "later", "later", Json.Counter(5));

        Assert.Equal(5, (await ReadAsync("later"))!.Count);
    }

    [Fact]
    public async Task ACachedDocument_ExpiresFromSharedReads_WhenItsCollectionsTimeToLiveLapses()
    {
        // "recommendations" lives 7 days after its last write (Collections.TimeToLive), cached or not.
        await Store.UpsertAsync(C, "read", "read", Json.Counter(1));
        await Cached.UpsertSharedAsync(C, "written", "written", Json.Counter(2), Deserialize);
        Assert.Equal(1, (await ReadAsync("read"))!.Count);

        _clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, (await ReadAsync("read"))!.Count);
        Assert.Equal(2, (await ReadAsync("written"))!.Count);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await ReadAsync("read"));
        Assert.Null(await ReadAsync("written"));
        Assert.Null(await Store.ReadAsync(C, "read", "read")); // the same instant as the store itself
    }

    [Fact]
    public async Task ACachedDocument_HonoursItsOwnTimeToLive()
    {
        await Store.UpsertAsync(C, "short", "short", Json.Counter(1), DocumentTimeToLive.After(TimeSpan.FromHours(1)));
        await Store.UpsertAsync(C, "forever", "forever", Json.Counter(2), DocumentTimeToLive.Never);
        Assert.Equal(1, (await ReadAsync("short"))!.Count);
        Assert.Equal(2, (await ReadAsync("forever"))!.Count);

        _clock.Advance(TimeSpan.FromHours(1));

        Assert.Null(await ReadAsync("short"));
        _clock.Advance(TimeSpan.FromDays(400));
        Assert.Equal(2, (await ReadAsync("forever"))!.Count);
    }

    [Fact]
    public async Task AnExpiredCachedDocument_RecreatedLater_IsReadAnew()
    {
        await Store.UpsertAsync(C, "a", "a", Json.Counter(1));
        Assert.Equal(1, (await ReadAsync("a"))!.Count);
        _clock.Advance(TimeSpan.FromDays(8));
        Assert.Null(await ReadAsync("a"));

        await Store.CreateAsync(C, "a", "a", Json.Counter(2)); // over the expired row

        Assert.Equal(2, (await ReadAsync("a"))!.Count);
    }

    [Fact]
    public async Task AFailedConditionalWrite_LeavesTheCurrentVersionVisible()
    {
        var etag = await Store.CreateAsync(C, "a", "a", Json.Counter(1));
        await Store.ReplaceAsync(C, "a", "a", Json.Counter(2), etag);
        Assert.Equal(2, (await ReadAsync("a"))!.Count);

        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync(C, "a", "a", Json.Counter(9), etag));

        Assert.Equal(2, (await ReadAsync("a"))!.Count);
    }

    [Fact]
    public async Task TheCacheIsBounded_AndKeepsWhatWasReadAgain()
    {
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            await Store.UpsertAsync(C, id, id, Json.Counter(id[0]));
        }

        var a = await ReadAsync("a");
        var b = await ReadAsync("b");
        await ReadAsync("c");
        Assert.Same(a, await ReadAsync("a")); // read again: a second chance when the cache is full
        await ReadAsync("d");

        Assert.Equal(3, Cached.CachedDocumentCount);
        Assert.Same(a, await ReadAsync("a"));
        Assert.NotSame(b, await ReadAsync("b")); // b was dropped for d, and read anew
        Assert.Equal(3, Cached.CachedDocumentCount);
    }

    [Fact]
    public async Task ACachingStore_OwnsTheFile()
    {
        // No other store (caching or not) may write the file behind the cache's back, nor open while it is open.
        Assert.Throws<DataFolderInUseException>(() => new SqliteDocumentStore(DatabasePath));
        Assert.Throws<DataFolderInUseException>(() => new SqliteDocumentStore(DatabasePath, documentCacheEntries: 10));

        Cached.Dispose();
        using var next = new SqliteDocumentStore(DatabasePath, documentCacheEntries: 10);
        Assert.Equal(10, next.DocumentCacheCapacity);
    }

    [Fact]
    public async Task AStoreWithoutCache_DoesNotLetACachingOneOpen()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "shared.db");
        using var plain = new SqliteDocumentStore(path);
        using var other = new SqliteDocumentStore(path); // two without a cache share the file, as before

        Assert.Throws<DataFolderInUseException>(() => new SqliteDocumentStore(path, documentCacheEntries: 10));
        Assert.Equal(0, plain.DocumentCacheCapacity);
        await plain.UpsertAsync(C, "x", "x", Json.Counter(1));
        await plain.UpsertSharedAsync(C, "y", "y", Json.Counter(2), Deserialize);
        Assert.Equal(1, (await plain.ReadSharedAsync(C, "x", "x", Deserialize))!.Count);
        Assert.Equal(2, (await plain.ReadSharedAsync(C, "y", "y", Deserialize))!.Count);
    }
}
