using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Segments;
using Recommender.Domain.Training;
using Recommender.Functions.Messaging;

namespace Recommender.Functions.Seeding;

/// <summary>Configuration section <c>Recommender:Seed</c>.</summary>
public sealed class SeedOptions
{
    public const string Section = "Recommender:Seed";
    /// <value>Load the generated sample store at start when the data folder has no catalog yet.</value>
    public bool Enabled { get; set; }
    /// <value>Generated customers (1 to 1,000,000).</value>
    [Range(1, 1_000_000)]
    public int Customers { get; set; } = 300;
}

/// <summary>Checks <see cref="SeedOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class SeedOptionsValidator : IValidateOptions<SeedOptions>;

/// <summary>
/// The local run's first minute: once the app listens, loads a generated catalog and clickstream
/// through the same ingestion path as real traffic, trains the first model, fills the caches, runs the
/// first segmentation (scores and segments at once rather than at the next daily run), and prints URLs to try. Skipped when the data folder already has a catalog.
/// </summary>
public sealed partial class SampleDataSeeder(
    IHostApplicationLifetime lifetime,
    CatalogProvider catalog,
    IngestionService ingestion,
    RetrainingService retraining,
    SegmentationWorkflow segmentation,
    LocalQueuePump pump,
    IOptions<SeedOptions> options,
    Microsoft.AspNetCore.Hosting.Server.IServer server,
    TimeProvider timeProvider,
    ILogger<SampleDataSeeder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);

        if ((await catalog.GetAsync(stoppingToken).ConfigureAwait(false)).Count == 0)
        {
            var products = SampleData.Catalog();
            await catalog.SaveAsync(products, stoppingToken).ConfigureAwait(false);
            var events = SampleData.Clickstream(products, timeProvider.GetUtcNow(), options.Value.Customers);
            var applied = 0;
            foreach (var chunk in events.Chunk(200))
            {
                applied += (await ingestion.IngestAsync(chunk, "seed", stoppingToken).ConfigureAwait(false)).Applied;
            }

            var model = await retraining.RetrainAsync("sample store", cancellationToken: stoppingToken).ConfigureAwait(false);
            await pump.RunOnceAsync(stoppingToken).ConfigureAwait(false);
            var run = await segmentation.StartAsync("sample store", stoppingToken).ConfigureAwait(false);
            LogSeeded(logger, products.Count, applied, model.ModelVersion);
            // The background pump may hold some of the run's messages: wait (a minute at most) for the run to finish.
            SegmentationRun? done = null;
            for (var wait = 0; wait < 120 && done?.Status != SegmentationStatus.Completed; wait++)
            {
                if (await pump.RunOnceAsync(stoppingToken).ConfigureAwait(false) == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken).ConfigureAwait(false);
                }

                done = await segmentation.GetAsync(run.RunId, stoppingToken).ConfigureAwait(false);
            }

            if (done is not null)
            {
                LogSegmented(logger, done.RunId, done.Status, done.Scored, string.Join(", ", (done.Sizes ?? []).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")));
            }
        }

        var address = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:7071";
        LogTryIt(logger, address);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded the sample store: {Products} products, {Events} events ingested, model {Version} trained")]
    private static partial void LogSeeded(ILogger logger, int products, int events, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Segmentation {RunId} {Status}: {Scored} customers scored; segments: {Sizes}")]
    private static partial void LogSegmented(ILogger logger, string runId, string status, long scored, string sizes);

    [LoggerMessage(Level = LogLevel.Information, Message = """
        Recommender is running. Try:
          {Address}/api/recommendations/customer-0001
          {Address}/api/recommendations/customer-0001?placement=product&productId=SHO-001
          {Address}/api/recommendations/customer-0001?placement=cart
          {Address}/api/recommendations/someone-new          (no history: popular items)
          {Address}/api/health
          {Address}/api/admin/segments                        (segment sizes; admin token unless auth is off)
          {Address}/api/admin/segments/vip/members
          {Address}/api/admin/customers/customer-0001/segments
        and samples/requests.http for every endpoint.
        """)]
    private static partial void LogTryIt(ILogger logger, string address);
}
