using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Recommender.Adapters.Embedded;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Adapters.Tests.Embedded;

/// <summary>
/// The embedded store applies the collections' time-to-live (<see cref="Collections.TimeToLive"/>) as
/// Cosmos DB applies a container's default TTL, on a fake clock: counted from the last write, expired
/// documents are gone for every operation at once, and the retention sweep purges their rows; a
/// document's own <see cref="DocumentTimeToLive"/> overrides its collection's as Cosmos DB's item <c>ttl</c> does.
/// </summary>
public sealed class SqliteDocumentExpiryTests : IDisposable
{
    private static readonly TimeSpan CacheTtl = Collections.TimeToLive[Collections.Recommendations]!.Value;

    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

    private SqliteDocumentStore CreateSut() => new(System.IO.Path.Combine(_directory.Path, "test.db"), _clock);

    [Fact]
    public async Task ADocument_OlderThanItsCollectionsTtl_IsNotReadNorListed()
    {
        var store = CreateSut();
        await store.CreateAsync(Collections.Recommendations, "c1", "c1", Json.Counter(1));
        await store.CreateAsync(Collections.Recommendations, "c1", "other", Json.Counter(1));

        _clock.Advance(CacheTtl - TimeSpan.FromSeconds(1));
        await store.UpsertAsync(Collections.Recommendations, "c1", "other", Json.Counter(2)); // a write restarts its clock
        Assert.NotNull(await store.ReadAsync(Collections.Recommendations, "c1", "c1"));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(await store.ReadAsync(Collections.Recommendations, "c1", "c1"));
        Assert.Equal(["other"], await IdsAsync(store, Collections.Recommendations, "c1"));
    }

    [Fact]
    public async Task AnExpiredDocument_IsGoneForWrites_AsInCosmos()
    {
        var store = CreateSut();
        var etag = await store.CreateAsync(Collections.Workflows, "c1", "w", Json.Counter(1));
        await store.CreateAsync(Collections.Workflows, "c1", "gone", Json.Counter(1));
        _clock.Advance(Collections.TimeToLive[Collections.Workflows]!.Value);

        await Assert.ThrowsAsync<DocumentConflictException>(() => store.ReplaceAsync(Collections.Workflows, "c1", "w", Json.Counter(2), etag));
        Assert.False(await store.IncrementAsync(Collections.Workflows, "c1", "w", new Dictionary<string, double> { ["count"] = 1 }));
        Assert.False(await store.DeleteAsync(Collections.Workflows, "c1", "gone"));
        await store.CreateAsync(Collections.Workflows, "c1", "w", Json.Counter(7)); // no conflict: the old one expired

        Assert.Equal(7, Json.CountOf((await store.ReadAsync(Collections.Workflows, "c1", "w"))!.Body));
        await Assert.ThrowsAsync<DocumentConflictException>(() => store.CreateAsync(Collections.Workflows, "c1", "w", Json.Counter(8)));
    }

    [Fact]
    public async Task AnIncrement_IsAWrite_AndRestartsTheClock()
    {
        var store = CreateSut();
        await store.CreateAsync(Collections.Profiles, "c1", "c1", Json.Counter(1));
        _clock.Advance(Collections.TwentySixMonths - TimeSpan.FromDays(1));

        Assert.True(await store.IncrementAsync(Collections.Profiles, "c1", "c1", new Dictionary<string, double> { ["count"] = 1 }));
        _clock.Advance(TimeSpan.FromDays(2));

        Assert.Equal(2, Json.CountOf((await store.ReadAsync(Collections.Profiles, "c1", "c1"))!.Body));
    }

    [Fact]
    public async Task CollectionsWithoutTtl_NeverExpire()
    {
        var store = CreateSut();
        await store.CreateAsync(Collections.Erasures, "r1", "r1", Json.Counter(1));
        await store.CreateAsync(Collections.Items, "p1", "p1", Json.Counter(1));
        await store.CreateAsync("anything-else", "p", "x", Json.Counter(1));

        _clock.Advance(TimeSpan.FromDays(10 * 365));

        Assert.NotNull(await store.ReadAsync(Collections.Erasures, "r1", "r1"));
        Assert.NotNull(await store.ReadAsync(Collections.Items, "p1", "p1"));
        Assert.NotNull(await store.ReadAsync("anything-else", "p", "x"));
        Assert.Equal(0, await store.PurgeExpiredAsync());
    }

    [Fact]
    public async Task ThePurge_RemovesExpiredRowsOnly()
    {
        var store = CreateSut();
        await store.CreateAsync(Collections.Recommendations, "old", "old", Json.Counter(1));
        await store.CreateAsync(Collections.Workflows, "old", "w", Json.Counter(1));
        _clock.Advance(CacheTtl);
        await store.CreateAsync(Collections.Recommendations, "new", "new", Json.Counter(1));

        Assert.Equal(1, await store.PurgeExpiredAsync());

        Assert.Equal(2, await RowCountAsync());
        Assert.NotNull(await store.ReadAsync(Collections.Workflows, "old", "w"));
        Assert.NotNull(await store.ReadAsync(Collections.Recommendations, "new", "new"));
    }

    [Fact]
    public async Task ADocumentThatNeverExpires_OutlivesItsCollectionsTtl_WhileTheOthersExpire()
    {
        var store = CreateSut();
        await store.CreateAsync(Collections.Workflows, "c1", "suppression", Json.Counter(1), DocumentTimeToLive.Never);
        await store.CreateAsync(Collections.Workflows, "c1", "cart", Json.Counter(1));

        _clock.Advance(TimeSpan.FromDays(10 * 365));

        Assert.NotNull(await store.ReadAsync(Collections.Workflows, "c1", "suppression"));
        Assert.Null(await store.ReadAsync(Collections.Workflows, "c1", "cart"));
        Assert.Equal(["suppression"], await IdsAsync(store, Collections.Workflows, "c1"));
        Assert.Equal(1, await store.PurgeExpiredAsync()); // the cart state only
        Assert.True(await store.DeleteAsync(Collections.Workflows, "c1", "suppression")); // deletion still removes it
        Assert.Null(await store.ReadAsync(Collections.Workflows, "c1", "suppression"));
    }

    [Fact]
    public async Task ADocumentsOwnTtl_CountsFromItsLastWrite_LongerOrShorterThanTheCollections()
    {
        var store = CreateSut();
        var twoYears = TimeSpan.FromDays(730);
        await store.UpsertAsync(Collections.Workflows, "c1", "long", Json.Counter(1), DocumentTimeToLive.After(twoYears));
        await store.CreateAsync(Collections.Workflows, "c1", "short", Json.Counter(1), DocumentTimeToLive.After(TimeSpan.FromDays(1)));

        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Null(await store.ReadAsync(Collections.Workflows, "c1", "short"));
        await store.CreateAsync(Collections.Workflows, "c1", "short", Json.Counter(2)); // gone: the id is free

        _clock.Advance(twoYears - TimeSpan.FromDays(2));
        Assert.NotNull(await store.ReadAsync(Collections.Workflows, "c1", "long"));
        Assert.Null(await store.ReadAsync(Collections.Workflows, "c1", "short")); // recreated without override: 90 days
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Null(await store.ReadAsync(Collections.Workflows, "c1", "long"));
    }

    [Fact]
    public async Task AnIncrement_KeepsTheOverride_AReplaceRestatesIt()
    {
        var store = CreateSut();
        var etag = await store.CreateAsync(Collections.Workflows, "c1", "kept", Json.Counter(1), DocumentTimeToLive.Never);
        await store.CreateAsync(Collections.Workflows, "c1", "replaced", Json.Counter(1), DocumentTimeToLive.Never);
        Assert.True(await store.IncrementAsync(Collections.Workflows, "c1", "kept", new Dictionary<string, double> { ["count"] = 1 }));
        var replaced = await store.ReadAsync(Collections.Workflows, "c1", "replaced");
        await store.ReplaceAsync(Collections.Workflows, "c1", "replaced", Json.Counter(2), replaced!.ETag); // no override: the collection's 90 days again

        _clock.Advance(TimeSpan.FromDays(365));

        Assert.Equal(2, Json.CountOf((await store.ReadAsync(Collections.Workflows, "c1", "kept"))!.Body));
        Assert.Null(await store.ReadAsync(Collections.Workflows, "c1", "replaced"));
        Assert.NotEqual(etag, (await store.ReadAsync(Collections.Workflows, "c1", "kept"))!.ETag);
    }

    [Fact]
    public async Task AnOverride_InACollectionWithoutTtl_ChangesNothing_AsInCosmos()
    {
        // Cosmos DB applies an item's ttl only when its container has a default TTL; without one nothing expires.
        var store = CreateSut();
        await store.CreateAsync(Collections.Erasures, "r1", "r1", Json.Counter(1), DocumentTimeToLive.After(TimeSpan.FromDays(1)));

        _clock.Advance(TimeSpan.FromDays(2));

        Assert.NotNull(await store.ReadAsync(Collections.Erasures, "r1", "r1"));
        Assert.Equal(0, await store.PurgeExpiredAsync());
    }

    [Fact]
    public void AnOverride_IsWholeSecondsWithinCosmosLimits()
    {
        Assert.Equal(-1, DocumentTimeToLive.Never.Seconds);
        Assert.Null(DocumentTimeToLive.CollectionDefault.Seconds);
        Assert.Equal(730 * 86400, DocumentTimeToLive.After(TimeSpan.FromDays(730)).Seconds);
        Assert.Throws<ArgumentOutOfRangeException>(() => DocumentTimeToLive.After(TimeSpan.FromMilliseconds(999)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DocumentTimeToLive.After(TimeSpan.FromDays(25_000)));
    }

    [Fact]
    public async Task AFileWrittenBeforeExpiry_IsUpgraded_ItsDocumentsCountingAsWrittenNow()
    {
        var path = System.IO.Path.Combine(_directory.Path, "test.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE documents (collection TEXT NOT NULL, pk TEXT NOT NULL, id TEXT NOT NULL, etag TEXT NOT NULL, body TEXT NOT NULL,
                    PRIMARY KEY (collection, pk, id)) WITHOUT ROWID;
                INSERT INTO documents VALUES ('recommendations', 'c1', 'c1', '"e"', '{"count":3}');
                """;
            await command.ExecuteNonQueryAsync();
        }

        var store = CreateSut();
        Assert.Equal(3, Json.CountOf((await store.ReadAsync(Collections.Recommendations, "c1", "c1"))!.Body));
        _clock.Advance(CacheTtl);
        Assert.Null(await store.ReadAsync(Collections.Recommendations, "c1", "c1"));

        await store.CreateAsync(Collections.Recommendations, "c1", "c1", Json.Counter(4), DocumentTimeToLive.Never); // the new column is there
        _clock.Advance(CacheTtl);
        Assert.NotNull(await store.ReadAsync(Collections.Recommendations, "c1", "c1"));
    }

    private static async Task<List<string>> IdsAsync(IDocumentStore store, string collection, string partitionKey)
    {
        var ids = new List<string>();
        await foreach (var document in store.ReadPartitionAsync(collection, partitionKey))
        {
            ids.Add(document.Id);
        }

        return ids;
    }

    private async Task<long> RowCountAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={System.IO.Path.Combine(_directory.Path, "test.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM documents;";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
