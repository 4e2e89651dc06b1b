using Microsoft.Extensions.Time.Testing;
using Recommender.Adapters.Embedded;
using Recommender.Adapters.Tests.Contracts;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Embedded;

public sealed class FileSystemBlobStoreTests : BlobStoreContract
{
    private readonly TempDirectory _directory = new();
    private FileSystemBlobStore? _fileStore;

    private string Root => Path.Combine(_directory.Path, "blobs");

    protected override Task<IBlobStore> CreateStoreAsync()
    {
        _fileStore = new FileSystemBlobStore(Root);
        return Task.FromResult<IBlobStore>(_fileStore);
    }

    protected override Task DisposeStoreAsync()
    {
        _fileStore?.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("a/..")]
    [InlineData("..")]
    [InlineData("/etc/passwd")]
    [InlineData(@"a\b.txt")]
    [InlineData(@"..\escape.txt")]
    [InlineData("a//b.txt")]
    [InlineData("a/")]
    [InlineData("./a.txt")]
    [InlineData("a/./b.txt")]
    [InlineData("")]
    [InlineData(".staging/x.tmp")]
    public async Task UnsafeNames_AreRejected_AndNothingIsWritten(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(name, new byte[] { 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReplaceAsync(name, new byte[] { 1 }, "\"x\""));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetAsync(name));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(name));

        Assert.Equal([Path.Combine(_directory.Path, "blobs")], Directory.EnumerateFileSystemEntries(_directory.Path));
        Assert.Empty(Directory.EnumerateFiles(_directory.Path, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("/")]
    [InlineData(@"a\")]
    public async Task UnsafePrefixes_AreRejected(string prefix)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await ToListAsync(Store.ListAsync(prefix)));
    }

    [Fact]
    public async Task Blobs_AreFilesUnderTheRoot_WithSlashesAsFolders()
    {
        await Store.PutAsync("models/item-item/v1.json", Bytes("{}"));

        Assert.Equal("{}", await File.ReadAllTextAsync(Path.Combine(Root, "models", "item-item", "v1.json")));
    }

    [Fact]
    public async Task Delete_PrunesEmptyFolders_AndStagingIsNeverListed()
    {
        await Store.PutAsync("deadletter/2024/01/01/x.json", Bytes("x"));
        await Store.DeleteAsync("deadletter/2024/01/01/x.json");

        Assert.False(Directory.Exists(Path.Combine(Root, "deadletter")));
        Assert.Empty(await NamesAsync(string.Empty));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Root, ".staging")));
    }

    [Fact]
    public async Task HiddenFileNames_AreOrdinaryBlobs()
    {
        await Store.PutAsync("models/.keep", Bytes(""));

        Assert.Equal(["models/.keep"], await NamesAsync("models/"));
    }

    [Fact]
    public async Task ETag_ChangesOnEveryWrite_EvenWhenTheClockStandsStill()
    {
        using var store = new FileSystemBlobStore(Path.Combine(_directory.Path, "frozen"), new FakeTimeProvider(DateTimeOffset.Parse("2024-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        var etags = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(etags.Add(await store.PutAsync("same.json", Bytes("same"))));
        }

        await store.DeleteAsync("same.json");
        Assert.True(etags.Add(await store.PutAsync("same.json", Bytes("same"))));
    }

    [Fact]
    public async Task NameThatIsAFolderOfOtherBlobs_IsNotABlob()
    {
        await Store.PutAsync("a/b.json", Bytes("x"));

        Assert.Null(await Store.GetAsync("a"));
        Assert.False(await Store.DeleteAsync("a"));
    }
}
