using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain;
using Recommender.Domain.Attribution;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Functions.Seeding;

namespace Recommender.Benchmarks;

/// <summary>The command line of <c>attribution</c>.</summary>
public sealed record AttributionBenchmarkOptions(int Events, int Customers, int BatchSize, int Repetitions, StoreKind Store)
{
    public const string Usage = """
        usage: dotnet run --project bench/Recommender.Benchmarks -c Release -- attribution [options]
          --events N        events to ingest (default 20000): the ingest benchmark's clickstream, each view preceded by a
                            recommendation impression and every third one by a recommendation click
          --customers N     generated customers (default 1000)
          --batch N         events per IngestAsync call, like one Event Hubs batch (default 256)
          --repetitions N   measured runs of each mode after one warm-up, each on a fresh store (default 3)
          --store S         embedded | cosmos (default embedded); cosmos needs tests/emulators/start.sh
        """;

    public static AttributionBenchmarkOptions? Parse(IEnumerable<string> args, TextWriter errors)
    {
        var options = new AttributionBenchmarkOptions(20_000, 1_000, 256, 3, StoreKind.Embedded);
        try
        {
            foreach (var pair in args.Chunk(2))
            {
                if (pair.Length < 2)
                {
                    throw new ArgumentException($"{pair[0]} needs a value.");
                }

                options = pair[0] switch
                {
                    "--events" => options with { Events = IngestOptions.Positive(pair[0], pair[1]) },
                    "--customers" => options with { Customers = IngestOptions.Positive(pair[0], pair[1]) },
                    "--batch" => options with { BatchSize = IngestOptions.Positive(pair[0], pair[1], max: 5_000) },
                    "--repetitions" => options with { Repetitions = IngestOptions.Positive(pair[0], pair[1], max: 100) },
                    "--store" => options with
                    {
                        Store = pair[1] switch
                        {
                            "embedded" => StoreKind.Embedded,
                            "cosmos" => StoreKind.Cosmos,
                            _ => throw new ArgumentException($"--store must be embedded or cosmos, not '{pair[1]}'."),
                        },
                    },
                    _ => throw new ArgumentException($"unknown option '{pair[0]}'."),
                };
            }

            return options;
        }
        catch (ArgumentException ex)
        {
            errors.WriteLine(ex.Message);
            errors.WriteLine(Usage);
            return null;
        }
    }
}

/// <summary>
/// The cost of attribution recording (issue 17): the same clickstream, with recommendation touches, ingested
/// through the app's <see cref="IngestionService"/> with the <see cref="AttributionRecorder"/> on and with it
/// replaced by one that records nothing, alternating run by run (so a changing machine load weighs on both alike),
/// each run on a fresh store. Reports events/s and store operations per event of each, and the difference.
/// </summary>
public sealed class AttributionBenchmark(AttributionBenchmarkOptions options, TextWriter progress)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var catalog = SampleData.Catalog();
        var now = DateTimeOffset.UtcNow;
        var bodies = WithTouches(SampleData.Clickstream(catalog, now, options.Customers)).Take(options.Events).ToList();
        var purchases = bodies.Count(b => b.Contains("\"type\":\"purchase\"", StringComparison.Ordinal));
        progress.WriteLine($"{bodies.Count} events ({purchases} purchases) of up to {options.Customers} customers, batches of {options.BatchSize}, store {options.Store.ToString().ToLowerInvariant()}.");

        var seconds = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        var operations = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        for (var run = 0; run <= options.Repetitions; run++) // run 0 warms up on a few batches
        {
            foreach (var on in run % 2 == 0 ? new[] { false, true } : [true, false])
            {
                await using var app = await BenchApp.StartAsync(options.Store, cancellationToken,
                    configureServices: on ? null : services => services.Replace(ServiceDescriptor.Singleton<AttributionRecorder, NoAttribution>()));
                await app.Services.GetRequiredService<CatalogProvider>().SaveAsync(catalog, cancellationToken);
                var ingestion = app.Services.GetRequiredService<IngestionService>();
                var events = run == 0 ? bodies.Take(2 * options.BatchSize).ToList() : bodies;
                GC.Collect();
                var stopwatch = Stopwatch.StartNew();
                long storeOperations = 0;
                var refused = 0;
                foreach (var batch in events.Chunk(options.BatchSize))
                {
                    var result = await ingestion.IngestAsync(batch, "benchmark", cancellationToken);
                    storeOperations += result.StoreOperations;
                    refused += batch.Length - result.Accepted;
                }

                stopwatch.Stop();
                if (refused > 0)
                {
                    throw new InvalidOperationException($"{refused} generated events were refused: every one should pass");
                }

                var mode = on ? "attribution on" : "attribution off";
                if (run == 0)
                {
                    continue;
                }

                seconds[on].Add(stopwatch.Elapsed.TotalSeconds);
                operations[on].Add((double)storeOperations / events.Count);
                var recorded = on ? await RecordedAsync(app.Services, now, cancellationToken) : "";
                progress.WriteLine($"run {run}/{options.Repetitions} {mode}: {events.Count / stopwatch.Elapsed.TotalSeconds:F0} events/s, {stopwatch.Elapsed.TotalSeconds:F1} s, " +
                    $"{(double)storeOperations / events.Count:F2} store operations per event{recorded}.");
            }
        }

        double Rate(bool on) => bodies.Count / Statistics.Median(seconds[on]);
        var (opsOn, opsOff) = (Statistics.Median(operations[true]), Statistics.Median(operations[false]));
        progress.WriteLine($"medians: attribution on {Rate(true):F0} events/s, {opsOn:F2} store operations per event; off {Rate(false):F0} events/s, {opsOff:F2} per event.");
        progress.WriteLine($"attribution costs {opsOn - opsOff:F2} store operations per event ({(opsOn - opsOff) / opsOff:P0} more) and {1 - Rate(true) / Rate(false):P0} of the throughput.");
        return 0;
    }

    /// <summary>What the run recorded: orders and revenue of the report over the generated days (it must not be empty).</summary>
    private static async Task<string> RecordedAsync(IServiceProvider services, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var report = await services.GetRequiredService<AttributionReports>().GetAsync(new AttributionQuery(today.AddDays(-20), today), cancellationToken);
        return report.Store.Orders == 0
            ? throw new InvalidOperationException("attribution recorded no order")
            : $"; the report: {report.Store.Orders} orders, {report.Store.Revenue.ToString("F2", CultureInfo.InvariantCulture)} revenue, influenced share {report.Store.InfluencedShare:P1}, reconciles {report.Store.Reconciles}";
    }

    /// <summary>Each view preceded by a recommendation impression 5 s before it (placement product) and every third by a click 2 s before.</summary>
    private static IEnumerable<string> WithTouches(IEnumerable<string> clickstream)
    {
        var views = 0;
        foreach (var body in clickstream)
        {
            var e = JsonNode.Parse(body)!.AsObject();
            if ((string?)e["type"] == "view")
            {
                var at = DateTimeOffset.Parse((string)e["occurredAt"]!, CultureInfo.InvariantCulture);
                var id = (string)e["id"]!;
                var touch = new JsonObject
                {
                    ["id"] = id + "-imp", ["type"] = "recommendation_impression", ["customerId"] = (string?)e["customerId"], ["recommendationId"] = "r-" + id,
                    ["placement"] = "product", ["position"] = 0, ["variant"] = views % 2 == 0 ? "A" : "B", ["productIds"] = new JsonArray((string?)e["productId"]), ["occurredAt"] = at.AddSeconds(-5),
                };
                yield return touch.ToJsonString(Json.Options);
                if (views++ % 3 == 0)
                {
                    touch["id"] = id + "-click";
                    touch["type"] = "recommendation_click";
                    touch["productId"] = (string?)e["productId"];
                    touch.Remove("productIds");
                    touch["occurredAt"] = at.AddSeconds(-2);
                    yield return touch.ToJsonString(Json.Options);
                }
            }

            yield return body;
        }
    }

    /// <summary>Ingestion without attribution: records nothing.</summary>
    private sealed class NoAttribution(AttributionStore store, IDocumentStore documents, IOptions<AttributionOptions> options, TimeProvider timeProvider,
        ILogger<AttributionRecorder> logger) : AttributionRecorder(store, documents, options, timeProvider, logger)
    {
        public override Task RecordAsync(IEnumerable<ProfileChanges> changes, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
