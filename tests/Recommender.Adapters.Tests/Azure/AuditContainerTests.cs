using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>
/// The audit log against Azurite with <see cref="Recommender.Adapters.Azure.AzureOptions.AuditContainer"/>
/// set, as deployed: entries land in the audit container (not the data container), and chain
/// verification finds an entry edited, deleted or swapped directly in that container.
/// </summary>
public sealed class AuditContainerTests : IAsyncLifetime
{
    private AzureTestEnvironment? _environment;

    private AzureTestEnvironment Environment => _environment!;

    public async Task InitializeAsync() => _environment = await AzureTestEnvironment.CreateAsync(auditContainer: true);

    public async Task DisposeAsync() => await Environment.DisposeAsync();

    private async Task<(AuditLog Audit, BlobContainerClient Container)> CreateSutAsync(int entries)
    {
        var audit = new AuditLog(Environment.Services.GetRequiredService<IBlobStore>(), Environment.Services.GetRequiredService<IDocumentStore>(), new FakeTimeProvider(DateTimeOffset.UtcNow));
        for (var i = 1; i <= entries; i++)
        {
            await audit.RecordAsync("operator", "access.export", $"c{i}", "exported");
        }

        return (audit, Environment.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(Environment.Options.AuditContainer));
    }

    [Fact]
    public async Task Entries_GoToTheAuditContainer_AndListingsSpanBoth()
    {
        var (audit, container) = await CreateSutAsync(2);
        var blobs = Environment.Services.GetRequiredService<IBlobStore>();
        await blobs.PutAsync("events/x.json", "{}"u8.ToArray());

        var inAudit = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            inAudit.Add(blob.Name);
        }

        Assert.Equal([AuditLog.NameOf(1), AuditLog.NameOf(2)], inAudit);
        Assert.False(await Environment.Services.GetRequiredService<BlobContainerClient>().GetBlobClient(AuditLog.NameOf(1)).ExistsAsync());
        var all = new List<string>();
        await foreach (var blob in blobs.ListAsync(""))
        {
            all.Add(blob.Name);
        }

        Assert.Equal([AuditLog.NameOf(1), AuditLog.NameOf(2), "events/x.json"], all);
        Assert.True((await audit.VerifyAsync()).IsIntact);
    }

    [Fact]
    public async Task Verify_FindsAnEntryEditedInTheContainer()
    {
        var (audit, container) = await CreateSutAsync(3);
        var text = (await container.GetBlobClient(AuditLog.NameOf(1)).DownloadContentAsync()).Value.Content.ToString();
        await container.GetBlobClient(AuditLog.NameOf(1)).UploadAsync(BinaryData.FromString(text.Replace("exported", "nothing", StringComparison.Ordinal)), overwrite: true);

        Assert.Equal(2, (await audit.VerifyAsync()).FirstBreak!.Sequence);
    }

    [Fact]
    public async Task Verify_FindsAnEntryDeletedFromTheContainer()
    {
        var (audit, container) = await CreateSutAsync(3);
        await container.DeleteBlobAsync(AuditLog.NameOf(2));

        var report = await audit.VerifyAsync();

        Assert.Equal(2, report.FirstBreak!.Sequence);
        Assert.Contains("missing", report.FirstBreak.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_FindsEntriesSwappedInTheContainer()
    {
        var (audit, container) = await CreateSutAsync(3);
        var one = (await container.GetBlobClient(AuditLog.NameOf(1)).DownloadContentAsync()).Value.Content;
        var two = (await container.GetBlobClient(AuditLog.NameOf(2)).DownloadContentAsync()).Value.Content;
        await container.GetBlobClient(AuditLog.NameOf(1)).UploadAsync(two, overwrite: true);
        await container.GetBlobClient(AuditLog.NameOf(2)).UploadAsync(one, overwrite: true);

        var report = await audit.VerifyAsync();

        Assert.Equal(1, report.FirstBreak!.Sequence);
        Assert.Contains("moved or swapped", report.FirstBreak.Reason, StringComparison.Ordinal);
    }
}
