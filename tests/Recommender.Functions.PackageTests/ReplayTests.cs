using Recommender.Functions.Seeding;
using Recommender.Samples.Replay;

namespace Recommender.Functions.PackageTests;

/// <summary>The replay sample against the in-process app.</summary>
public sealed class ReplayTests(RecommenderAppFactory app) : IClassFixture<RecommenderAppFactory>
{
    [Fact]
    public async Task Replay_GeneratedClickstream_IsAcceptedInFull()
    {
        using var http = app.CreateClient();
        var catalog = SampleData.Catalog();
        var events = SampleData.Clickstream(catalog, TimeProvider.System.GetUtcNow(), customers: 20, days: 3);
        using var log = new StringWriter();

        await ClickstreamReplay.UploadCatalogAsync(http.BaseAddress!, catalog, http, log);
        var summary = await ClickstreamReplay.ReplayAsync(http.BaseAddress!, events, batchSize: 40, http, log);

        Assert.NotEmpty(events);
        Assert.Equal(new ReplaySummary((events.Count + 39) / 40, events.Count, events.Count, 0), summary);
        Assert.Contains("batch 1: 40 sent, 40 accepted, 0 rejected", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_FileWithABadLine_CountsItRejectedAndTheRestAccepted()
    {
        using var http = app.CreateClient();
        var at = TimeProvider.System.GetUtcNow().AddMinutes(-5).ToString("O");
        using var directory = new TempDirectory("replay");
        var file = Path.Combine(directory.Path, "events.jsonl");
        await File.WriteAllLinesAsync(file,
        [
            $$"""{"id":"file-1","type":"view","customerId":"customer-file","productId":"SHO-001","occurredAt":"{{at}}"}""",
            "not json",
            "",
            $$"""{"id":"file-2","type":"add_to_cart","customerId":"customer-file","productId":"SHO-001","quantity":2,"occurredAt":"{{at}}"}""",
        ]);
        using var log = new StringWriter();

        var summary = await ClickstreamReplay.ReplayAsync(http.BaseAddress!, ClickstreamReplay.ReadJsonLines(file), batchSize: 100, http, log);

        Assert.Equal(new ReplaySummary(1, 3, 2, 1), summary);
    }

    [Fact]
    public async Task Replay_Non2xxAnswer_FailsWithTheStatus()
    {
        using var http = app.CreateClient();
        using var log = new StringWriter();

        var error = await Assert.ThrowsAsync<ReplayFailedException>(() =>
            ClickstreamReplay.ReplayAsync(new Uri(http.BaseAddress!, "no-such-prefix/"), ["{}"], batchSize: 10, http, log));

        Assert.Contains("404", error.Message, StringComparison.Ordinal);
    }
}
