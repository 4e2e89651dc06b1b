using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;
using Recommender.Functions.Seeding;

namespace Recommender.Benchmarks;

/// <summary>
/// The <c>ingest</c> benchmark: one generated clickstream (<see cref="SampleData"/>), measured side by
/// side as (1) JSON parsing only, (2) validation only, (3) full ingestion through the app's
/// <see cref="IngestionService"/> on each selected store, and (4) the size of the profiles it wrote.
/// Every stage runs once to warm up, then <see cref="IngestOptions.Repetitions"/> times; full
/// ingestion starts each run on a fresh store, so every run does the same work. Store operations are
/// the storage calls the ingestion made, read from the app's meter (<see cref="StorageCallMeter"/>).
/// </summary>
public sealed class IngestBenchmark(IngestOptions options, TextWriter progress)
{
    /// <summary>In-memory stages repeat at least this often: they take milliseconds.</summary>
    private const int MinInMemoryRepetitions = 5;

    public async Task<IngestReport> RunAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var catalog = SampleData.Catalog();
        var generated = SampleData.Clickstream(catalog, DateTimeOffset.UtcNow, options.Customers);
        var bodies = generated.Take(options.Events).ToList();
        var customers = bodies.Select(CustomerOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (bodies.Count < options.Events)
        {
            progress.WriteLine($"note: {options.Customers} customers yield {generated.Count} events; ingesting those (raise --customers for more).");
        }

        progress.WriteLine($"{bodies.Count} events of {customers.Count} customers, {catalog.Count} products; batches of {options.BatchSize}.");
        var stages = new List<StageResult>
        {
            MeasureInMemory("JSON parse only (baseline)", bodies, static body =>
            {
                using var document = JsonDocument.Parse(body);
                return document.RootElement.ValueKind == JsonValueKind.Object;
            }),
        };

        using (var domain = new ServiceCollection().AddLogging().AddRecommenderDomain().BuildServiceProvider())
        {
            var validator = domain.GetRequiredService<EventValidator>();
            stages.Add(MeasureInMemory("validation (EventValidator)", bodies, body => validator.Validate(body).Event is not null));
        }

        var sizes = new List<ProfileSizeResult>();
        foreach (var store in options.Stores)
        {
            // The privacy gate's cost (issue 14): the same ingestion with it bypassed and with it, in this run,
            // alternating run by run so that a load change on a shared machine weighs on both alike.
            bool[] gates = options.Gate switch { GateMode.On => [true], GateMode.Off => [false], _ => [false, true] };
            var measured = await MeasureIngestionAsync(store, catalog, bodies, customers, gates, cancellationToken);
            foreach (var gated in gates)
            {
                stages.Add(measured[gated].Stage);
            }

            sizes.Add(measured[gates[^1]].Size);
            if (gates.Length == 2)
            {
                var (off, on) = (measured[false].Stage, measured[true].Stage);
                // Run k measured both back to back: its pair's ratio is the least touched by a load that drifts between runs.
                var paired = measured[false].Seconds.Zip(measured[true].Seconds, (offSeconds, onSeconds) => 1 - offSeconds / onSeconds).ToList();
                progress.WriteLine($"{store.ToString().ToLowerInvariant()}: with the privacy gate {on.EventsPerSecondMedian:F0} events/s, bypassed {off.EventsPerSecondMedian:F0} events/s (medians): " +
                    $"the gate costs {1 - on.EventsPerSecondMedian / off.EventsPerSecondMedian:P1}; run by run (same pair) {Statistics.Median(paired):P1} median, {paired.Min():P1} to {paired.Max():P1}.");
            }
        }

        return new IngestReport(MachineInfo.Current(), options, bodies.Count, customers.Count, catalog.Count, stages, sizes, total.Elapsed.TotalSeconds);
    }

    private StageResult MeasureInMemory(string name, List<string> bodies, Func<string, bool> work)
    {
        var repetitions = Math.Max(MinInMemoryRepetitions, options.Repetitions);
        var seconds = new List<double>();
        for (var run = 0; run <= repetitions; run++) // run 0 warms up
        {
            GC.Collect();
            var stopwatch = Stopwatch.StartNew();
            var accepted = 0;
            foreach (var body in bodies)
            {
                accepted += work(body) ? 1 : 0;
            }

            stopwatch.Stop();
            if (accepted != bodies.Count)
            {
                throw new InvalidOperationException($"{name}: only {accepted} of {bodies.Count} events passed; the generated events should all be valid.");
            }

            if (run > 0)
            {
                seconds.Add(stopwatch.Elapsed.TotalSeconds);
            }
        }

        progress.WriteLine($"{name}: {Statistics.Median(seconds) * 1000:F1} ms per pass (median of {repetitions}).");
        return StageResult.From(name, store: null, bodies.Count, seconds, storeOperations: null);
    }

    /// <summary>
    /// Full ingestion for each of <paramref name="gates"/> (true: with the privacy gate), each run on a fresh
    /// store; with two modes, run k measures both, the order alternating with k.
    /// </summary>
    private async Task<Dictionary<bool, (StageResult Stage, ProfileSizeResult Size, List<double> Seconds)>> MeasureIngestionAsync(StoreKind store, IReadOnlyList<Product> catalog,
        List<string> bodies, List<string> customers, bool[] gates, CancellationToken cancellationToken)
    {
        var storeName = store.ToString().ToLowerInvariant();
        var seconds = gates.ToDictionary(g => g, _ => new List<double>());
        var operations = gates.ToDictionary(g => g, _ => new List<long>());
        var costs = gates.ToDictionary(g => g, _ => new List<ProcessCost>());
        var sizes = new Dictionary<bool, ProfileSizeResult>();
        var warmUp = bodies.Take(options.WarmUpEvents ?? 2 * options.BatchSize).ToList();
        using var meter = new StorageCallMeter();
        if (options.Calls)
        {
            var (raw, metered, bytes) = await StorageCallCost.MeasureAsync();
            progress.WriteLine($"a counted storage call: {metered:F0} ns CPU and {bytes:F1} B allocated through the metering decorator, {raw:F0} ns straight to the store " +
                $"(point reads of a store that answers at once; tally open, this benchmark's listener on).");
        }

        for (var run = 0; run <= options.Repetitions; run++) // run 0 warms up on a few batches
        {
            foreach (var gated in run % 2 == 0 ? gates : Enumerable.Reverse(gates))
            {
                await using var app = await BenchApp.StartAsync(store, cancellationToken,
                    configureServices: gated ? null : services => services.Replace(ServiceDescriptor.Singleton<ArchiveGate, UngatedArchive>()));
                await app.Services.GetRequiredService<CatalogProvider>().SaveAsync(catalog, cancellationToken);
                var ingestion = app.Services.GetRequiredService<IngestionService>();
                var events = run == 0 ? warmUp : bodies;
                GC.Collect();
                var cost = ProcessCost.Start();
                var stopwatch = Stopwatch.StartNew();
                var calls = StorageCallMeter.Count(options.Calls);
                var applied = 0;
                foreach (var batch in events.Chunk(options.BatchSize))
                {
                    var result = await ingestion.IngestAsync(batch, "benchmark", cancellationToken);
                    applied += result.Applied;
                }

                stopwatch.Stop();
                var spent = cost.Stop();
                var storeOperations = calls.Value;
                var mode = gated ? "gate on" : "gate off";
                if (run == 0)
                {
                    progress.WriteLine($"{storeName} ({mode}): warmed up on {events.Count} events.");
                    continue;
                }

                seconds[gated].Add(stopwatch.Elapsed.TotalSeconds);
                operations[gated].Add(storeOperations);
                costs[gated].Add(spent);
                progress.WriteLine($"{storeName} ({mode}): run {run}/{options.Repetitions}: {events.Count / stopwatch.Elapsed.TotalSeconds:F0} events/s, {stopwatch.Elapsed.TotalSeconds:F1} s, " +
                    $"{(double)storeOperations / events.Count:F2} store operations per event, {applied} events applied; " +
                    $"CPU {spent.CpuSeconds * 1e6 / events.Count:F0} µs/event, {spent.AllocatedBytes / 1024.0 / events.Count:F1} KB allocated/event, GC {spent.Gen0}/{spent.Gen1}/{spent.Gen2}.");
                if (calls.ByOperation is { } byOperation)
                {
                    foreach (var (operation, count) in byOperation.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal))
                    {
                        progress.WriteLine($"    {(double)count / events.Count,7:F3}  {operation}");
                    }
                }
                if (run == options.Repetitions)
                {
                    sizes[gated] = await MeasureProfilesAsync(storeName, app.Services.GetRequiredService<ProfileStore>(), customers, bodies.Count, cancellationToken);
                }
            }
        }

        return gates.ToDictionary(g => g, g => (StageResult.From(g ? "full ingestion (IngestionService)" : "full ingestion without the privacy gate",
            storeName, bodies.Count, seconds[g], operations[g], costs[g]), sizes[g], seconds[g]));
    }

    /// <summary>Ingestion as before issue 14: no tombstone check at the door, every valid event archived.</summary>
    private sealed class UngatedArchive(ErasureTombstones tombstones) : ArchiveGate(tombstones)
    {
        public override Task<int> RefuseErasedAsync(List<ClickstreamEvent> events, EventOutcome[] outcomes, Dictionary<string, int> reasons, CancellationToken cancellationToken = default) =>
            Task.FromResult(0);

        public override Selection Select(IReadOnlyList<ClickstreamEvent> events, IEnumerable<ProfileChanges> decisions, Dictionary<string, int> reasons) =>
            new(events, reasons);
    }

    private async Task<ProfileSizeResult> MeasureProfilesAsync(string store, ProfileStore profiles, List<string> customers, int events, CancellationToken cancellationToken)
    {
        // Customers in id order; some have no profile (no analytics consent: their behaviour feeds only anonymous aggregates).
        var sizes = new List<double>();
        var tried = 0;
        foreach (var customer in customers)
        {
            if (sizes.Count == options.Profiles)
            {
                break;
            }

            tried++;
            if (await profiles.GetAsync(customer, cancellationToken) is { } profile)
            {
                sizes.Add(Json.ToUtf8(profile).Length);
            }
        }

        if (sizes.Count == 0)
        {
            throw new InvalidOperationException($"{store}: none of the {tried} customers read back has a profile.");
        }

        var result = ProfileSizeResult.From(store, sizes, tried, (double)events / customers.Count);
        progress.WriteLine($"{store}: {sizes.Count} profiles read back ({tried} customers tried), mean {result.MeanBytes:F0} B, p95 {result.P95Bytes:F0} B.");
        return result;
    }

    private static string CustomerOf(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("customerId").GetString()!;
    }
}
