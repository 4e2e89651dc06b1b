using Recommender.Adapters.Embedded;
using Recommender.Adapters.Tests.Contracts;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Embedded;

public sealed class SqliteDocumentStoreTests : DocumentStoreContract
{
    private readonly TempDirectory _directory = new();

    protected override Task<IDocumentStore> CreateStoreAsync() =>
        Task.FromResult<IDocumentStore>(new SqliteDocumentStore(Path.Combine(_directory.Path, "test.db")));

    protected override Task DisposeStoreAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TwoInstancesOnOneFile_SeeEachOthersWrites_AndConflict()
    {
        var other = new SqliteDocumentStore(Path.Combine(_directory.Path, "test.db"));
        var etag = await Store.CreateAsync("c", "p", "shared", Json.Counter(1));

        await other.ReplaceAsync("c", "p", "shared", Json.Counter(2), etag);

        await Assert.ThrowsAsync<DocumentConflictException>(() => Store.ReplaceAsync("c", "p", "shared", Json.Counter(3), etag));
        Assert.Equal(2, Json.CountOf((await Store.ReadAsync("c", "p", "shared"))!.Body));
    }
}
