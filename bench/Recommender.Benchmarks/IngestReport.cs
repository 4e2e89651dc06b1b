using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recommender.Benchmarks;

/// <summary>Where the figures were measured.</summary>
public sealed record MachineInfo(int Cores, string Cpu, string Runtime, string Os)
{
    public static MachineInfo Current()
    {
        var cpu = "unknown";
        if (File.Exists("/proc/cpuinfo"))
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            cpu = line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() ?? cpu;
        }

        return new MachineInfo(Environment.ProcessorCount, cpu, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription);
    }
}

/// <summary>One stage on one store: throughput over the measured runs (warm-up excluded).</summary>
public sealed record StageResult(
    string Stage, string? Store, int Events, int Runs,
    double EventsPerSecondMedian, double EventsPerSecondMin, double EventsPerSecondMax,
    double WallSecondsMedian, double WallSecondsMin, double WallSecondsMax,
    double? StoreOperationsPerEvent,
    double? CpuMicrosecondsPerEvent = null, double? AllocatedBytesPerEvent = null)
{
    public static StageResult From(string stage, string? store, int events, IReadOnlyList<double> seconds, IReadOnlyList<long>? storeOperations,
        IReadOnlyList<ProcessCost>? costs = null)
    {
        var rates = seconds.Select(s => events / s).ToList();
        double? perEvent = storeOperations is null ? null : Statistics.Median(storeOperations.Select(o => (double)o).ToList()) / events;
        double? cpu = costs is null ? null : Statistics.Median(costs.Select(c => c.CpuSeconds * 1e6 / events).ToList());
        double? allocated = costs is null ? null : Statistics.Median(costs.Select(c => (double)c.AllocatedBytes / events).ToList());
        return new StageResult(stage, store, events, seconds.Count, Statistics.Median(rates), rates.Min(), rates.Max(),
            Statistics.Median(seconds), seconds.Min(), seconds.Max(), perEvent, cpu, allocated);
    }
}

/// <summary>
/// What a stretch of work cost the whole process, figures that a busy machine changes little (unlike its wall
/// time): CPU time (all threads: the work's, the thread pool's, the collector's), bytes allocated and collections.
/// </summary>
public readonly record struct ProcessCost(double CpuSeconds, long AllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    public static Mark Start() => new(Process.GetCurrentProcess().TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: true),
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    public readonly record struct Mark(TimeSpan Cpu, long Allocated, int Gen0, int Gen1, int Gen2)
    {
        public ProcessCost Stop() => new((Process.GetCurrentProcess().TotalProcessorTime - Cpu).TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - Allocated,
            GC.CollectionCount(0) - Gen0, GC.CollectionCount(1) - Gen1, GC.CollectionCount(2) - Gen2);
    }
}

/// <summary>Sizes of the profiles one full ingestion wrote, read back through <c>ProfileStore</c> and serialized as stored.</summary>
public sealed record ProfileSizeResult(string Store, int Profiles, int CustomersTried, double EventsPerCustomer, double MeanBytes, double P95Bytes, double MaxBytes, double EstimatedGigabytesFor1MCustomers)
{
    public static ProfileSizeResult From(string store, IReadOnlyList<double> sizes, int customersTried, double eventsPerCustomer)
    {
        var mean = sizes.Average();
        return new ProfileSizeResult(store, sizes.Count, customersTried, eventsPerCustomer, mean, Statistics.Percentile(sizes, 95), sizes.Max(), mean * 1e6 / 1e9);
    }
}

/// <summary>Everything one <c>ingest</c> run measured, as a table for people or JSON for machines.</summary>
public sealed record IngestReport(
    MachineInfo Machine, IngestOptions Options, int Events, int Customers, int Products,
    IReadOnlyList<StageResult> Stages, IReadOnlyList<ProfileSizeResult> ProfileSizes, double TotalSeconds)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public string ToTable()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"ingest: {Events:N0} events, {Customers:N0} customers ({(double)Events / Customers:F1} events each), {Products} products, batches of {Options.BatchSize}; median of {Options.Repetitions} runs after a warm-up (in-memory stages: at least 5)");
        text.AppendLine(c, $"machine: {Machine.Cores} cores, {Machine.Cpu}, {Machine.Runtime}, {Machine.Os}; the app in-process");
        text.AppendLine();
        text.AppendLine(c, $"{"stage",-34} {"store",-9} {"events/s median",16} {"min - max",21} {"store ops/event",16} {"wall time median",17} {"CPU µs/event",13} {"alloc KB/event",15}");
        foreach (var s in Stages)
        {
            var range = $"{s.EventsPerSecondMin:N0} - {s.EventsPerSecondMax:N0}";
            var ops = s.StoreOperationsPerEvent is { } o ? o.ToString("F2", c) : "-";
            var wall = s.WallSecondsMedian >= 1 ? $"{s.WallSecondsMedian:F2} s" : $"{s.WallSecondsMedian * 1000:F1} ms";
            var cpu = s.CpuMicrosecondsPerEvent is { } us ? us.ToString("F0", c) : "-";
            var allocated = s.AllocatedBytesPerEvent is { } bytes ? (bytes / 1024).ToString("F1", c) : "-";
            text.AppendLine(c, $"{s.Stage,-34} {s.Store ?? "-",-9} {s.EventsPerSecondMedian,16:N0} {range,21} {ops,16} {wall,17} {cpu,13} {allocated,15}");
        }

        if (ProfileSizes.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("profile size: JSON body as stored, read back through ProfileStore after the last run");
            text.AppendLine(c, $"{"store",-9} {"profiles",15} {"events/customer",16} {"mean",10} {"p95",10} {"max",10} {"1M customers (estimate)",24}");
            foreach (var p in ProfileSizes)
            {
                var read = $"{p.Profiles:N0} of {p.CustomersTried:N0}";
                text.AppendLine(c, $"{p.Store,-9} {read,15} {p.EventsPerCustomer,16:F1} {p.MeanBytes,8:N0} B {p.P95Bytes,8:N0} B {p.MaxBytes,8:N0} B {$"~{p.EstimatedGigabytesFor1MCustomers:F2} GB",24}");
            }

            text.AppendLine("(\"of\": customers read back; those without analytics consent have no profile. Estimate = mean x 1,000,000, as if every");
            text.AppendLine(" customer had a profile at this history length; profiles grow with history up to their caps; excludes the store's metadata and indexes)");
        }

        if (Options.Stores.Contains(StoreKind.Cosmos))
        {
            text.AppendLine("cosmos = Azure adapter set against the local stand-ins (in-memory @vercel/cosmosdb-server over loopback HTTPS, Azurite): not a prediction of Azure latency or RU cost.");
        }

        text.Append(c, $"total benchmark time {TotalSeconds:F0} s");
        return text.ToString();
    }
}
