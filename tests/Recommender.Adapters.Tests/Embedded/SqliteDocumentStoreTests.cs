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

    /// <summary>
    /// secure_delete (issue 14): a deleted document's bytes do not stay readable in the file's free pages.
    /// Without it, SQLite leaves the deleted row in place and the marker is found after the checkpoint.
    /// </summary>
    [Fact]
    public async Task ADeletedDocument_LeavesNoReadableBytesInTheDatabaseFile()
    {
        var path = Path.Combine(_directory.Path, "test.db");
        const string Marker = "erased-customer-marker-7d1f0c";
        var filler = new string('x', 2000);
        await Store.CreateAsync("c", "p", "keep", System.Text.Json.JsonDocument.Parse($$"""{"keep":"{{filler}}"}""").RootElement);
        await Store.CreateAsync("c", "p", "gone", System.Text.Json.JsonDocument.Parse($$"""{"who":"{{Marker}}","pad":"{{filler}}"}""").RootElement);

        Assert.True(await Store.DeleteAsync("c", "p", "gone"));
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
        }

        foreach (var file in Directory.EnumerateFiles(_directory.Path, "test.db*"))
        {
            byte[] bytes;
            try
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                await stream.CopyToAsync(memory); // to its end as it is now (a checkpoint may truncate it meanwhile)
                bytes = memory.ToArray();
            }
            catch (FileNotFoundException)
            {
                // SQLite removes the -wal (and -shm) file when the last connection to the database closes, which
                // may happen between the listing and the open: a file that is gone holds nothing readable.
                continue;
            }

            Assert.False(System.Text.Encoding.UTF8.GetString(bytes).Contains(Marker, StringComparison.Ordinal), $"{Path.GetFileName(file)} still holds the deleted document");
        }
    }
}
