using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;

namespace Recommender.Functions.Tests;

/// <summary>
/// The audit log is a hash chain (issue 14, item 6): verification finds the first edited, deleted,
/// reordered or cut entry, over the embedded store and through the operator route.
/// </summary>
public sealed class AuditChainTests
{
    private static async Task<(TestApp App, AuditLog Audit, IBlobStore Blobs)> CreateSutAsync(int entries)
    {
        var app = new TestApp();
        var audit = app.Get<AuditLog>();
        for (var i = 1; i <= entries; i++)
        {
            await audit.RecordAsync("operator", "access.export", $"c{i}", "exported");
        }

        return (app, audit, app.Get<IBlobStore>());
    }

    [Fact]
    public async Task Verify_UntouchedLog_IsIntact_AndEachEntryLinksToTheHashOfTheOneBefore()
    {
        var (app, audit, blobs) = await CreateSutAsync(4);
        using var _ = app;

        var report = await audit.VerifyAsync();

        Assert.True(report.IsIntact);
        Assert.Equal(4, report.Entries);
        Assert.Equal(4, report.HeadSequence);
        var second = JsonSerializer.Deserialize<JsonElement>((await blobs.GetAsync(AuditLog.NameOf(2)))!.Value.Content);
        Assert.Equal(AuditLog.HashOf((await blobs.GetAsync(AuditLog.NameOf(1)))!.Value.Content), second.GetProperty("previous").GetString());
        Assert.Equal(AuditLog.HashOf((await blobs.GetAsync(AuditLog.NameOf(4)))!.Value.Content), report.HeadHash);
    }

    [Fact]
    public async Task Verify_EditedEntry_BreaksAtTheNextLink()
    {
        var (app, audit, blobs) = await CreateSutAsync(4);
        using var _ = app;
        var original = Encoding.UTF8.GetString((await blobs.GetAsync(AuditLog.NameOf(2)))!.Value.Content);
        await blobs.PutAsync(AuditLog.NameOf(2), Encoding.UTF8.GetBytes(original.Replace("exported", "nothing", StringComparison.Ordinal)));

        var report = await audit.VerifyAsync();

        Assert.False(report.IsIntact);
        Assert.Equal(3, report.FirstBreak!.Sequence);
        Assert.Contains("entry 2 was changed", report.FirstBreak.Reason, StringComparison.Ordinal);
        Assert.Equal(2, report.HeadSequence);
    }

    [Fact]
    public async Task Verify_DeletedEntry_IsReportedMissing()
    {
        var (app, audit, blobs) = await CreateSutAsync(4);
        using var _ = app;
        await blobs.DeleteAsync(AuditLog.NameOf(3));

        var report = await audit.VerifyAsync();

        Assert.Equal(3, report.FirstBreak!.Sequence);
        Assert.Contains("entry 3 is missing", report.FirstBreak.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ReorderedEntries_AreReported()
    {
        var (app, audit, blobs) = await CreateSutAsync(4);
        using var _ = app;
        var two = (await blobs.GetAsync(AuditLog.NameOf(2)))!.Value.Content;
        var three = (await blobs.GetAsync(AuditLog.NameOf(3)))!.Value.Content;
        await blobs.PutAsync(AuditLog.NameOf(2), three);
        await blobs.PutAsync(AuditLog.NameOf(3), two);

        var report = await audit.VerifyAsync();

        Assert.Equal(2, report.FirstBreak!.Sequence);
        Assert.Contains("moved or swapped", report.FirstBreak.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ReorderedEntriesWithRewrittenSequences_BreakTheHashLinks()
    {
        var (app, audit, blobs) = await CreateSutAsync(4);
        using var _ = app;
        var two = Json(await blobs.GetAsync(AuditLog.NameOf(2)));
        var three = Json(await blobs.GetAsync(AuditLog.NameOf(3)));
        await blobs.PutAsync(AuditLog.NameOf(2), Encoding.UTF8.GetBytes(three.Replace("\"sequence\":3", "\"sequence\":2", StringComparison.Ordinal)));
        await blobs.PutAsync(AuditLog.NameOf(3), Encoding.UTF8.GetBytes(two.Replace("\"sequence\":2", "\"sequence\":3", StringComparison.Ordinal)));

        var report = await audit.VerifyAsync();

        Assert.Equal(2, report.FirstBreak!.Sequence);
        Assert.Contains("previous-hash does not match entry 1", report.FirstBreak.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_EntriesCutFromTheEnd_AreReportedAgainstTheHeadRecord()
    {
        var (app, audit, blobs) = await CreateSutAsync(4);
        using var _ = app;
        await blobs.DeleteAsync(AuditLog.NameOf(4));

        var report = await audit.VerifyAsync();

        Assert.Equal(4, report.FirstBreak!.Sequence);
        Assert.Contains("head record says 4", report.FirstBreak.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_AfterTheHeadEntryWasDeleted_DoesNotRefillItsNumber()
    {
        var (app, audit, blobs) = await CreateSutAsync(3);
        using var _ = app;
        await blobs.DeleteAsync(AuditLog.NameOf(3));

        await audit.RecordAsync("operator", "access.export", "c9", "exported");

        Assert.Null(await blobs.GetAsync(AuditLog.NameOf(3)));
        Assert.NotNull(await blobs.GetAsync(AuditLog.NameOf(4)));
        Assert.Equal(3, (await audit.VerifyAsync()).FirstBreak!.Sequence);
    }

    [Fact]
    public async Task Record_ConcurrentWriters_ProduceOneIntactChain()
    {
        var (app, audit, _) = await CreateSutAsync(0);
        using var __ = app;

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() => audit.RecordAsync("operator", "access.export", $"c{i}", "exported"))));

        var report = await audit.VerifyAsync();
        Assert.True(report.IsIntact, report.FirstBreak?.Reason);
        Assert.Equal(24, report.Entries);
    }

    [Fact]
    public async Task VerifyRoute_ReportsTheFirstBrokenLink()
    {
        var (app, _, blobs) = await CreateSutAsync(3);
        using var __ = app;
        using var client = app.CreateClient();
        Assert.True((await client.GetFromJsonAsync<JsonElement>("/api/privacy/audit/verify")).GetProperty("isIntact").GetBoolean());
        await blobs.DeleteAsync(AuditLog.NameOf(2));

        var report = await client.GetFromJsonAsync<JsonElement>("/api/privacy/audit/verify");

        Assert.False(report.GetProperty("isIntact").GetBoolean());
        Assert.Equal(2, report.GetProperty("firstBreak").GetProperty("sequence").GetInt64());
    }

    private static string Json((byte[] Content, string ETag)? blob) => Encoding.UTF8.GetString(blob!.Value.Content);
}
