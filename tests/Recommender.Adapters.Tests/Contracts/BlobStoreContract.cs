using System.Text;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Contracts;

/// <summary>What every <see cref="IBlobStore"/> must do; subclasses supply a fresh, empty store per test.</summary>
public abstract class BlobStoreContract : IAsyncLifetime
{
    private IBlobStore? _store;

    protected IBlobStore Store => _store ?? throw new InvalidOperationException("The store was not created.");

    protected abstract Task<IBlobStore> CreateStoreAsync();

    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => DisposeStoreAsync();

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Get_Missing_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync("models/none.json"));
    }

    [Fact]
    public async Task Put_ThenGet_RoundTripsContentAndETag()
    {
        var content = new byte[70_000];
        new Random(7).NextBytes(content);

        var etag = await Store.PutAsync("models/item-item/v1.bin", content);
        var read = await Store.GetAsync("models/item-item/v1.bin");

        Assert.NotNull(read);
        Assert.Equal(content, read.Value.Content);
        Assert.Equal(etag, read.Value.ETag);
    }

    [Fact]
    public async Task Put_Empty_RoundTrips()
    {
        await Store.PutAsync("empty.txt", ReadOnlyMemory<byte>.Empty);

        Assert.Empty((await Store.GetAsync("empty.txt"))!.Value.Content);
    }

    [Fact]
    public async Task Put_Overwrite_ReplacesContent_AndChangesETagEvenForSameBytes()
    {
        var first = await Store.PutAsync("catalog/products.json", Bytes("[1]"));
        var second = await Store.PutAsync("catalog/products.json", Bytes("[1]"));
        var third = await Store.PutAsync("catalog/products.json", Bytes("[1,2]"));

        Assert.NotEqual(first, second);
        Assert.NotEqual(second, third);
        Assert.Equal(Bytes("[1,2]"), (await Store.GetAsync("catalog/products.json"))!.Value.Content);
    }

    [Fact]
    public async Task Put_WithoutOverwrite_OnExisting_ThrowsConflict()
    {
        await Store.PutAsync("events/a.jsonl", Bytes("original"), overwrite: false);

        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.PutAsync("events/a.jsonl", Bytes("second"), overwrite: false));
        Assert.Equal(Bytes("original"), (await Store.GetAsync("events/a.jsonl"))!.Value.Content);
    }

    [Fact]
    public async Task Replace_WithCurrentETag_Writes_WithStaleETag_ThrowsConflict()
    {
        var first = await Store.PutAsync("models/current.json", Bytes("v1"));
        var second = await Store.ReplaceAsync("models/current.json", Bytes("v2"), first);

        Assert.NotEqual(first, second);
        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync("models/current.json", Bytes("v3"), first));
        var read = await Store.GetAsync("models/current.json");
        Assert.Equal(Bytes("v2"), read!.Value.Content);
        Assert.Equal(second, read.Value.ETag);
    }

    [Fact]
    public async Task Replace_Missing_ThrowsConflict()
    {
        var etag = await Store.PutAsync("models/gone.json", Bytes("v1"));
        await Store.DeleteAsync("models/gone.json");

        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync("models/gone.json", Bytes("v2"), etag));
        Assert.Null(await Store.GetAsync("models/gone.json"));
    }

    [Fact]
    public async Task ConcurrentReplaceLoops_RetryingOnConflict_LoseNoUpdate()
    {
        const int PerWriter = 20;
        await Store.PutAsync("counters/c", Bytes("0"));

        async Task WriteAsync()
        {
            for (var i = 0; i < PerWriter; i++)
            {
                while (true)
                {
                    var (content, etag) = (await Store.GetAsync("counters/c"))!.Value;
                    var next = int.Parse(Encoding.UTF8.GetString(content), System.Globalization.CultureInfo.InvariantCulture) + 1;
                    try
                    {
                        await Store.ReplaceAsync("counters/c", Bytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)), etag);
                        break;
                    }
                    catch (DocumentConflictException)
                    {
                        // someone else won; read again
                    }
                }
            }
        }

        await Task.WhenAll(Task.Run(WriteAsync), Task.Run(WriteAsync));

        Assert.Equal(Bytes((2 * PerWriter).ToString(System.Globalization.CultureInfo.InvariantCulture)), (await Store.GetAsync("counters/c"))!.Value.Content);
    }

    [Fact]
    public async Task List_ByPrefix_ReturnsMatchingBlobsInNameOrder()
    {
        string[] names =
        [
            "events/2024/01/10/b.jsonl",
            "events/2024/01/02/z.jsonl",
            "events/2024/01/02/a.jsonl",
            "events/2024/02/01/a.jsonl",
            "events-old.txt",
            "models/item-item/v1.json",
            "deadletter/x.json",
        ];
        foreach (var name in names)
        {
            await Store.PutAsync(name, Bytes(name));
        }

        Assert.Equal(
            ["events/2024/01/02/a.jsonl", "events/2024/01/02/z.jsonl", "events/2024/01/10/b.jsonl"],
            await NamesAsync("events/2024/01/"));
        Assert.Equal(["events/2024/01/02/a.jsonl", "events/2024/01/02/z.jsonl"], await NamesAsync("events/2024/01/0")); // mid-segment prefix
        Assert.Equal(["events-old.txt", "events/2024/01/02/a.jsonl", "events/2024/01/02/z.jsonl", "events/2024/01/10/b.jsonl", "events/2024/02/01/a.jsonl"], await NamesAsync("events"));
        Assert.Equal(names.Order(StringComparer.Ordinal), await NamesAsync(string.Empty));
        Assert.Empty(await NamesAsync("nothing/"));
    }

    [Fact]
    public async Task List_ReportsSizeAndETagOfEachBlob()
    {
        var etag = await Store.PutAsync("models/m.json", Bytes("12345"));

        var item = Assert.Single(await ToListAsync(Store.ListAsync("models/")));

        Assert.Equal("models/m.json", item.Name);
        Assert.Equal(5, item.Size);
        Assert.Equal(etag, item.ETag);
        Assert.True(item.LastModified > DateTimeOffset.UnixEpoch);
    }

    [Fact]
    public async Task Delete_Existing_ReturnsTrue_ThenFalse_AndRemovesFromListing()
    {
        await Store.PutAsync("deadletter/2024/01/01/x.json", Bytes("x"));
        await Store.PutAsync("deadletter/2024/01/01/y.json", Bytes("y"));

        Assert.True(await Store.DeleteAsync("deadletter/2024/01/01/x.json"));
        Assert.False(await Store.DeleteAsync("deadletter/2024/01/01/x.json"));
        Assert.Null(await Store.GetAsync("deadletter/2024/01/01/x.json"));
        Assert.Equal(["deadletter/2024/01/01/y.json"], await NamesAsync("deadletter/"));
    }

    [Fact]
    public async Task UnusualNames_RoundTrip()
    {
        const string Name = "catalog/ünï cødé 日本/a:b=c+d.json";
        await Store.PutAsync(Name, Bytes("{}"));

        Assert.Equal(Bytes("{}"), (await Store.GetAsync(Name))!.Value.Content);
        Assert.Equal([Name], await NamesAsync("catalog/ünï"));
        Assert.True(await Store.DeleteAsync(Name));
    }

    protected async Task<List<string>> NamesAsync(string prefix) =>
        (await ToListAsync(Store.ListAsync(prefix))).Select(b => b.Name).ToList();

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
