using System.Text.Json;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Adapters.Tests.Contracts;

/// <summary>
/// What every <see cref="IDocumentStore"/> must do. Each adapter gets a subclass that supplies a
/// fresh, empty store per test.
/// </summary>
public abstract class DocumentStoreContract : IAsyncLifetime
{
    private const string Collection = Collections.Profiles;
    private const string OtherCollection = Collections.Items;

    private IDocumentStore? _store;

    protected IDocumentStore Store => _store ?? throw new InvalidOperationException("The store was not created.");

    /// <summary>More documents than one page of a partition read holds in the adapter under test.</summary>
    protected virtual int MoreThanOnePage => 25;

    protected abstract Task<IDocumentStore> CreateStoreAsync();

    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => DisposeStoreAsync();

    [Fact]
    public async Task Read_Missing_ReturnsNull()
    {
        Assert.Null(await Store.ReadAsync(Collection, "p", "nobody"));
    }

    [Fact]
    public async Task Create_ThenRead_RoundTripsBodyAndETag()
    {
        var body = Json.Parse("""{"name":"Zoë","tags":["a","b"],"nested":{"n":42,"ok":true,"none":null},"at":"2024-05-01T10:00:00+00:00"}""");

        var etag = await Store.CreateAsync(Collection, "p", "doc-1", body);
        var read = await Store.ReadAsync(Collection, "p", "doc-1");

        Assert.NotNull(read);
        Assert.Equal("doc-1", read.Id);
        Assert.Equal("p", read.PartitionKey);
        Assert.Equal(etag, read.ETag);
        Assert.False(string.IsNullOrEmpty(etag));
        Json.Equal(body, read.Body);
    }

    [Fact]
    public async Task SharedReadsAndWrites_ThroughThePort_SeeEveryWrite_WhateverTheStoreKeeps()
    {
        static Count Deserialize(JsonElement body) => new(Json.CountOf(body));

        Assert.Null(await Store.ReadSharedAsync(Collection, "p", "shared", Deserialize));
        await Store.UpsertSharedAsync(Collection, "p", "shared", Json.Counter(1), Deserialize);
        Assert.Equal(1, (await Store.ReadSharedAsync(Collection, "p", "shared", Deserialize))!.Value);
        Assert.Equal(1, Json.CountOf((await Store.ReadAsync(Collection, "p", "shared"))!.Body)); // written, not only kept

        await Store.UpsertAsync(Collection, "p", "shared", Json.Counter(2));
        Assert.Equal(2, (await Store.ReadSharedAsync(Collection, "p", "shared", Deserialize))!.Value);
        await Store.DeleteAsync(Collection, "p", "shared");
        Assert.Null(await Store.ReadSharedAsync(Collection, "p", "shared", Deserialize));
    }

    [Fact]
    public async Task PurgeExpired_ThroughThePort_LeavesLiveDocuments()
    {
        await Store.CreateAsync(Collection, "p", "live", Json.Counter(1));

        Assert.True(await Store.PurgeExpiredAsync() >= 0);
        Assert.Equal(1, Json.CountOf((await Store.ReadAsync(Collection, "p", "live"))!.Body));
    }

    private sealed record Count(int Value);

    [Fact]
    public async Task Create_Duplicate_ThrowsConflict()
    {
        await Store.CreateAsync(Collection, "p", "dup", Json.Counter(1));

        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.CreateAsync(Collection, "p", "dup", Json.Counter(2)));
        Assert.Equal(1, Json.CountOf((await Store.ReadAsync(Collection, "p", "dup"))!.Body));
    }

    [Fact]
    public async Task Replace_WithCurrentETag_WritesAndReturnsNewETag()
    {
        var first = await Store.CreateAsync(Collection, "p", "r", Json.Counter(1));

        var second = await Store.ReplaceAsync(Collection, "p", "r", Json.Counter(2), first);

        Assert.NotEqual(first, second);
        var read = await Store.ReadAsync(Collection, "p", "r");
        Assert.Equal(2, Json.CountOf(read!.Body));
        Assert.Equal(second, read.ETag);
    }

    [Fact]
    public async Task Replace_WithStaleETag_ThrowsConflict()
    {
        var stale = await Store.CreateAsync(Collection, "p", "s", Json.Counter(1));
        await Store.ReplaceAsync(Collection, "p", "s", Json.Counter(2), stale);

        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync(Collection, "p", "s", Json.Counter(3), stale));
        Assert.Equal(2, Json.CountOf((await Store.ReadAsync(Collection, "p", "s"))!.Body));
    }

    [Fact]
    public async Task Replace_Missing_ThrowsConflict()
    {
        var etag = await Store.CreateAsync(Collection, "p", "gone", Json.Counter(1));
        await Store.DeleteAsync(Collection, "p", "gone");

        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync(Collection, "p", "gone", Json.Counter(2), etag));
        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync(Collection, "p", "never", Json.Counter(2), etag));
        Assert.Null(await Store.ReadAsync(Collection, "p", "gone"));
    }

    [Fact]
    public async Task Upsert_CreatesThenOverwrites_AndInvalidatesOldETags()
    {
        var first = await Store.UpsertAsync(Collection, "p", "u", Json.Counter(1));
        var second = await Store.UpsertAsync(Collection, "p", "u", Json.Counter(2));

        Assert.NotEqual(first, second);
        var read = await Store.ReadAsync(Collection, "p", "u");
        Assert.Equal(2, Json.CountOf(read!.Body));
        Assert.Equal(second, read.ETag);
        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync(Collection, "p", "u", Json.Counter(3), first));
    }

    [Fact]
    public async Task Delete_Existing_ReturnsTrue_ThenFalse()
    {
        await Store.CreateAsync(Collection, "p", "d", Json.Counter(1));

        Assert.True(await Store.DeleteAsync(Collection, "p", "d"));
        Assert.False(await Store.DeleteAsync(Collection, "p", "d"));
        Assert.Null(await Store.ReadAsync(Collection, "p", "d"));
        await Store.CreateAsync(Collection, "p", "d", Json.Counter(5)); // the id is free again
    }

    [Fact]
    public async Task SameId_InOtherPartitionOrCollection_IsAnotherDocument()
    {
        await Store.CreateAsync(Collection, "p1", "same", Json.Counter(1));
        await Store.CreateAsync(Collection, "p2", "same", Json.Counter(2));
        await Store.CreateAsync(OtherCollection, "p1", "same", Json.Counter(3));

        Assert.Equal(1, Json.CountOf((await Store.ReadAsync(Collection, "p1", "same"))!.Body));
        Assert.Equal(2, Json.CountOf((await Store.ReadAsync(Collection, "p2", "same"))!.Body));
        Assert.Equal(3, Json.CountOf((await Store.ReadAsync(OtherCollection, "p1", "same"))!.Body));
        Assert.True(await Store.DeleteAsync(Collection, "p2", "same"));
        Assert.NotNull(await Store.ReadAsync(Collection, "p1", "same"));
    }

    [Fact]
    public async Task ConcurrentReadModifyWrite_RetryingOnConflict_LosesNoIncrement()
    {
        const int PerWriter = 50;
        await Store.CreateAsync(Collection, "counters", "c", Json.Counter(0));

        async Task<int> IncrementAsync()
        {
            var conflicts = 0;
            for (var i = 0; i < PerWriter; i++)
            {
                while (true)
                {
                    var current = (await Store.ReadAsync(Collection, "counters", "c"))!;
                    try
                    {
                        await Store.ReplaceAsync(Collection, "counters", "c", Json.Counter(Json.CountOf(current.Body) + 1), current.ETag);
                        break;
                    }
                    catch (DocumentConflictException)
                    {
                        conflicts++;
                    }
                }
            }

            return conflicts;
        }

        await Task.WhenAll(Task.Run(IncrementAsync), Task.Run(IncrementAsync));

        Assert.Equal(2 * PerWriter, Json.CountOf((await Store.ReadAsync(Collection, "counters", "c"))!.Body));
    }

    [Fact]
    public async Task ReadPartition_ReturnsOnlyThatPartition_InIdOrder_AcrossPages()
    {
        var ids = Enumerable.Range(0, MoreThanOnePage).Select(i => $"item-{i:D3}").ToList();
        foreach (var id in ids.OrderBy(id => id.GetHashCode(StringComparison.Ordinal))) // insert out of order
        {
            await Store.CreateAsync(Collection, "wanted", id, JsonSerializer.SerializeToElement(new { id }));
        }

        await Store.CreateAsync(Collection, "other", "item-000", Json.Counter(0));
        await Store.CreateAsync(Collection, "wanted-too", "x", Json.Counter(0)); // a prefix is not the partition
        await Store.CreateAsync(OtherCollection, "wanted", "elsewhere", Json.Counter(0));

        var documents = await ToListAsync(Store.ReadPartitionAsync(Collection, "wanted"));

        Assert.Equal(ids, documents.Select(d => d.Id));
        Assert.All(documents, d => Assert.Equal("wanted", d.PartitionKey));
        Assert.All(documents, d => Assert.Equal(d.Id, d.Body.GetProperty("id").GetString()));
        Assert.All(documents, d => Assert.False(string.IsNullOrEmpty(d.ETag)));
        var single = await Store.ReadAsync(Collection, "wanted", "item-007");
        Assert.Equal(single!.ETag, documents.Single(d => d.Id == "item-007").ETag);
    }

    [Fact]
    public async Task ReadPartition_Empty_YieldsNothing()
    {
        Assert.Empty(await ToListAsync(Store.ReadPartitionAsync(Collection, "empty")));
    }

    [Fact]
    public async Task Increment_ExistingNumbers_AddsEachValue_AndKeepsIntegersIntegral()
    {
        await Store.CreateAsync(Collection, "p", "item", Json.Parse("""{"productId":"SKU.1","views":2,"addToCarts":1,"score":0.5,"coViewed":{"SKU.2":3,"urn:sku@v1.2":1}}"""));

        var found = await Store.IncrementAsync(Collection, "p", "item", Increments(("views", 1), ("addToCarts", 2), ("score", 0.25), ("coViewed.SKU.2", 1), ("coViewed.urn:sku@v1.2", 4)));

        Assert.True(found);
        var body = (await Store.ReadAsync(Collection, "p", "item"))!.Body;
        Json.Equal(Json.Parse("""{"productId":"SKU.1","views":3,"addToCarts":3,"score":0.75,"coViewed":{"SKU.2":4,"urn:sku@v1.2":5}}"""), body);
        Assert.Equal("3", body.GetProperty("views").GetRawText()); // still an integer: a long property reads it back
        Assert.Equal("4", body.GetProperty("coViewed").GetProperty("SKU.2").GetRawText());
    }

    [Fact]
    public async Task Increment_MissingOrNullProperties_StartAtZero_AndMissingParentsAreCreated()
    {
        await Store.CreateAsync(Collection, "p", "item", Json.Parse("""{"views":1,"nothing":null,"coViewed":{"a":1}}"""));

        Assert.True(await Store.IncrementAsync(Collection, "p", "item", Increments(("purchases", 2), ("nothing", 3), ("coViewed.b", 1), ("coBought.x.y", 5), ("coBought.z", -1))));

        Json.Equal(
            Json.Parse("""{"views":1,"nothing":3,"coViewed":{"a":1,"b":1},"purchases":2,"coBought":{"x.y":5,"z":-1}}"""),
            (await Store.ReadAsync(Collection, "p", "item"))!.Body);
    }

    [Fact]
    public async Task Increment_MissingDocument_ReturnsFalse_AndCreatesNothing()
    {
        Assert.False(await Store.IncrementAsync(Collection, "p", "nobody", Increments(("views", 1), ("coViewed.a", 1))));

        Assert.Null(await Store.ReadAsync(Collection, "p", "nobody"));
        Assert.Empty(await ToListAsync(Store.ReadPartitionAsync(Collection, "p")));
    }

    [Fact]
    public async Task Increment_ChangesETag_SoReadersAtTheOldVersionConflict()
    {
        var before = await Store.CreateAsync(Collection, "p", "c", Json.Counter(1));

        Assert.True(await Store.IncrementAsync(Collection, "p", "c", Increments(("count", 1))));

        var read = (await Store.ReadAsync(Collection, "p", "c"))!;
        Assert.NotEqual(before, read.ETag);
        Assert.Equal(2, Json.CountOf(read.Body));
        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync(Collection, "p", "c", Json.Counter(9), before));
        await Store.ReplaceAsync(Collection, "p", "c", Json.Counter(10), read.ETag);
    }

    [Fact]
    public async Task Increment_Concurrently_TwoWritersOfFiftyTasks_AllLandExactly()
    {
        const int PerWriter = 50;
        await Store.CreateAsync(Collection, "counters", "c", Json.Parse("""{"views":0}""")); // no coViewed yet: the tasks race to create it

        Task<bool> Writer(string other) => Task.Run(async () =>
        {
            var results = await Task.WhenAll(Enumerable.Range(0, PerWriter).Select(_ => Task.Run(() =>
                Store.IncrementAsync(Collection, "counters", "c", Increments(("views", 1), ($"coViewed.{other}", 1), ("coViewed.both", 1))))));
            return results.All(found => found);
        });

        var writers = await Task.WhenAll(Writer("a"), Writer("b"));

        Assert.All(writers, found => Assert.True(found));
        Json.Equal(
            Json.Parse($$$"""{"views":{{{2 * PerWriter}}},"coViewed":{"a":{{{PerWriter}}},"b":{{{PerWriter}}},"both":{{{2 * PerWriter}}}}}"""),
            (await Store.ReadAsync(Collection, "counters", "c"))!.Body);
    }

    [Fact]
    public async Task Increment_ManyPaths_MoreThanOneCosmosPatchRequest_AllLand()
    {
        await Store.CreateAsync(Collection, "p", "wide", Json.Parse("""{"c0":10}"""));
        var paths = Enumerable.Range(0, 5).Select(i => ($"c{i}", 1.0))
            .Concat(Enumerable.Range(0, 20).Select(i => ($"coViewed.p{i:D2}", (double)i)))
            .ToArray();

        Assert.True(await Store.IncrementAsync(Collection, "p", "wide", Increments(paths)));
        Assert.True(await Store.IncrementAsync(Collection, "p", "wide", Increments(paths)));

        var body = (await Store.ReadAsync(Collection, "p", "wide"))!.Body;
        Assert.Equal(12, body.GetProperty("c0").GetInt64());
        Assert.All(Enumerable.Range(1, 4), i => Assert.Equal(2, body.GetProperty($"c{i}").GetInt64()));
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal(2 * i, body.GetProperty("coViewed").GetProperty($"p{i:D2}").GetInt64()));
    }

    public static TheoryData<string> InvalidIncrementPaths => new(
        "", "a b", "a/b", "a~0b", "coViewed.a/b", "coViewed.a~1", "\"quoted\"", "x.", ".x", "é", "coViewed.日本", "$.views", "a[0]", new string('a', 129));

    [Theory]
    [MemberData(nameof(InvalidIncrementPaths))]
    public async Task Increment_InvalidPath_ThrowsArgumentException_AndWritesNothing(string path)
    {
        var etag = await Store.CreateAsync(Collection, "p", "c", Json.Counter(1));

        await Assert.ThrowsAsync<ArgumentException>(() => Store.IncrementAsync(Collection, "p", "c", Increments(("count", 1), (path, 1))));

        Assert.Equal(etag, (await Store.ReadAsync(Collection, "p", "c"))!.ETag);
    }

    [Fact]
    public async Task Increment_NoPathsOrNonFiniteValue_ThrowsArgumentException()
    {
        await Store.CreateAsync(Collection, "p", "c", Json.Counter(1));

        await Assert.ThrowsAsync<ArgumentException>(() => Store.IncrementAsync(Collection, "p", "c", Increments()));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.IncrementAsync(Collection, "p", "c", Increments(("count", double.NaN))));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.IncrementAsync(Collection, "p", "c", Increments(("count", double.PositiveInfinity))));
        Assert.Equal(1, Json.CountOf((await Store.ReadAsync(Collection, "p", "c"))!.Body));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("flags")]
    [InlineData("tags.x")]
    [InlineData("name.x")]
    [InlineData("nested.text")]
    public async Task Increment_NonNumberOrNonObjectParent_ThrowsInvalidOperation_AndWritesNothing(string path)
    {
        var etag = await Store.CreateAsync(Collection, "p", "c", Json.Parse("""{"count":1,"name":"x","flags":{"on":true},"tags":[1,2],"nested":{"text":"7"}}"""));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.IncrementAsync(Collection, "p", "c", Increments(("count", 1), (path, 1))));

        var read = (await Store.ReadAsync(Collection, "p", "c"))!;
        Assert.Equal(etag, read.ETag);
        Assert.Equal(1, Json.CountOf(read.Body));
    }

    [Fact]
    public async Task IncrementOrCreate_ConcurrentFirstWriters_AllLand()
    {
        // The caller's pattern for a document that may not exist yet: increment; if missing, create;
        // if someone created it first, increment again.
        const int Writers = 20;

        async Task AddOneAsync()
        {
            while (!await Store.IncrementAsync(Collection, "p", "lazy", Increments(("count", 1))))
            {
                try
                {
                    await Store.CreateAsync(Collection, "p", "lazy", Json.Counter(1));
                    return;
                }
                catch (DocumentConflictException)
                {
                    // created by another writer: increment it
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(AddOneAsync)));

        Assert.Equal(Writers, Json.CountOf((await Store.ReadAsync(Collection, "p", "lazy"))!.Body));
    }

    private static Dictionary<string, double> Increments(params (string Path, double Value)[] increments) =>
        increments.ToDictionary(i => i.Path, i => i.Value, StringComparer.Ordinal);

    private static readonly string[] UnusualIdValues =
    [
        "a b",
        "ünïcødé-日本語-😀",
        "urn:customer:42",
        "50%",
        "%2F",
        "a/b",
        "x#y",
        "q?r=1&s",
        @"back\slash",
        "'quoted' \"double\"",
        "trailing.",
        "~7E~tilde",
    ];

    public static TheoryData<string> UnusualIds => new(UnusualIdValues);

    [Theory]
    [MemberData(nameof(UnusualIds))]
    public async Task UnusualIds_RoundTripThroughEveryOperation(string id)
    {
        const string Partition = "customer/ü #1";
        var etag = await Store.CreateAsync(Collection, Partition, id, Json.Counter(1));
        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.CreateAsync(Collection, Partition, id, Json.Counter(1)));

        var read = await Store.ReadAsync(Collection, Partition, id);
        Assert.Equal(id, read!.Id);
        Assert.Equal(Partition, read.PartitionKey);

        etag = await Store.ReplaceAsync(Collection, Partition, id, Json.Counter(2), etag);
        await Store.UpsertAsync(Collection, Partition, id, Json.Counter(3));
        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync(Collection, Partition, id, Json.Counter(4), etag));
        Assert.True(await Store.IncrementAsync(Collection, Partition, id, Increments(("count", 1))));

        var listed = Assert.Single(await ToListAsync(Store.ReadPartitionAsync(Collection, Partition)));
        Assert.Equal(id, listed.Id);
        Assert.Equal(4, Json.CountOf(listed.Body));

        Assert.True(await Store.DeleteAsync(Collection, Partition, id));
        Assert.Null(await Store.ReadAsync(Collection, Partition, id));
    }

    [Fact]
    public async Task UnusualIds_ListInOrdinalOrder()
    {
        var ids = UnusualIdValues.ToList();
        foreach (var id in ids)
        {
            await Store.CreateAsync(Collection, "p", id, Json.Counter(0));
        }

        var listed = await ToListAsync(Store.ReadPartitionAsync(Collection, "p"));

        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(d => d.Id));
    }

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
