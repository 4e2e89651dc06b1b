using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Recommendations;
using Recommender.Functions.Endpoints;

namespace Recommender.Benchmarks;

/// <summary>
/// <c>serve --first-serves N</c>: what bench/serve.sh's first rounds do to the collector, in process. Right after
/// the setup (no list served yet), N requests' serving work (<see cref="RecommendationService.GetAsync"/> for a
/// random customer, home, 10, then <see cref="RecommendationJsonResult"/> into a discarding body), one at a time,
/// reported per window of as many requests as there are customers: the first windows serve most lists for the
/// first and second time (what is kept with them is made then), the later ones serve what was kept. Per window:
/// process CPU per request, the wall-time tail, and every collection seen — by generation (background ones
/// apart), total and longest pause, bytes promoted — with bytes allocated, the heap after and JIT time. The
/// counts and bytes do not depend on other load on the machine; the pauses and wall times do.
/// </summary>
public static class ServeFirstTouches
{
    public static async Task RunAsync(IServiceProvider services, int customers, int requests, TextWriter output, CancellationToken cancellationToken)
    {
        var recommendations = services.GetRequiredService<RecommendationService>();
        using var events = new GcEvents();
        var random = new Random(1);
        var window = Math.Min(customers, requests);
        var times = new double[window];
        output.WriteLine($"first serves: {requests:N0} requests for random customers of {customers:N0}, windows of {window:N0}; GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, " +
            $"{System.Runtime.GCSettings.LatencyMode}, conserve memory {AppContext.GetData("GCConserveMemory") ?? "-"}, gen0 size {AppContext.GetData("GCgen0size") ?? "-"}");
        output.WriteLine($"{"window",-8} {"CPU µs",7} {"p50 µs",7} {"p99 µs",7} {"p99.9",7} {"max µs",8} {"gen0/1/2 (bg)",14} {"pause ms",9} {"max ms",7} {"promoted MB",12} {"alloc MB",9} {"heap MB",8} {"JIT ms",7}");
        for (var done = 0; done < requests; done += window)
        {
            var calls = Math.Min(window, requests - done);
            var counts = Counts();
            var pause = GC.GetTotalPauseDuration();
            var allocated = GC.GetTotalAllocatedBytes(precise: false);
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var seen = new Collections();
            var lastGen0 = GC.CollectionCount(0);
            for (var i = 0; i < calls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var served = await recommendations.GetAsync(new RecommendationRequest($"{ServeBenchmark.CustomerPrefix}{random.Next(customers):D6}", Placement.Home, 10), cancellationToken);
                await new RecommendationJsonResult(served).ExecuteAsync(new DefaultHttpContext { RequestServices = services, Response = { Body = Stream.Null } });
                times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                if (GC.CollectionCount(0) != lastGen0)
                {
                    lastGen0 = GC.CollectionCount(0);
                    seen.Record();
                }
            }

            var perCall = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / calls;
            seen.Record();
            var after = Counts();
            Array.Sort(times, 0, calls);
            double At(double q) => times[Math.Min(calls - 1, (int)(q * calls))];
            var gens = $"{after.Gen0 - counts.Gen0}/{after.Gen1 - counts.Gen1}/{after.Gen2 - counts.Gen2} ({seen.Background})";
            output.WriteLine($"{done / window + 1,-8} {perCall,7:F1} {At(0.5),7:F0} {At(0.99),7:F0} {At(0.999),7:F0} {times[calls - 1],8:F0} {gens,14} " +
                $"{(GC.GetTotalPauseDuration() - pause).TotalMilliseconds,9:F0} {seen.LongestPauseMs,7:F1} {seen.PromotedBytes / 1e6,12:F1} " +
                $"{(GC.GetTotalAllocatedBytes(precise: false) - allocated) / 1e6,9:F0} {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6,8:F0} {(System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds,7:F0}");
            output.WriteLine($"         collections beyond gen0: {events.Drain()}");
        }

        static (int Gen0, int Gen1, int Gen2) Counts() => (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    }

    /// <summary>The collections seen since the window started, each counted once (by its index), from the last one of each kind.</summary>
    private sealed class Collections
    {
        private readonly HashSet<long> _seen = [];
        private readonly long _startedAfter = Math.Max(Last(GCKind.Ephemeral), Math.Max(Last(GCKind.FullBlocking), Last(GCKind.Background)));

        public long PromotedBytes { get; private set; }

        public double LongestPauseMs { get; private set; }

        public int Background { get; private set; }

        public void Record()
        {
            foreach (var kind in (ReadOnlySpan<GCKind>)[GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background])
            {
                var info = GC.GetGCMemoryInfo(kind);
                if (info.Index <= _startedAfter || !_seen.Add(info.Index))
                {
                    continue;
                }

                PromotedBytes += info.PromotedBytes;
                Background += kind == GCKind.Background ? 1 : 0;
                foreach (var pause in info.PauseDurations)
                {
                    LongestPauseMs = Math.Max(LongestPauseMs, pause.TotalMilliseconds);
                }
            }
        }

        private static long Last(GCKind kind) => GC.GetGCMemoryInfo(kind).Index;
    }

    /// <summary>
    /// The runtime's GC events in process: why each collection beyond gen0 ran (its reason) and how (blocking,
    /// background, foreground), with its pauses (suspension to restart) and what it promoted.
    /// </summary>
    private sealed class GcEvents : System.Diagnostics.Tracing.EventListener
    {
        private static readonly string[] Reasons = ["alloc", "induced", "low memory", "empty", "alloc LOH", "out of space", "out of space LOH", "induced (not forced)", "internal", "induced low memory", "induced compacting", "low memory (host)", "provisional mode full", "low memory (host, blocking)"];
        private static readonly string[] Types = ["blocking", "background", "foreground"];
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
        private readonly object _gate = new();
        private (long Count, int Depth, int Reason, int Type) _current;
        private DateTime _suspended;
        private double _pausedMs;
        private long? _promoted;
        private long _handles;

        public string Drain()
        {
            var lines = new List<string>();
            while (_lines.TryDequeue(out var line))
            {
                lines.Add(line);
            }

            return lines.Count == 0 ? "none" : string.Join("; ", lines);
        }

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Informational, (System.Diagnostics.Tracing.EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
        {
            lock (_gate)
            {
                switch (e.EventName)
                {
                    case "GCStart_V2" or "GCStart_V1":
                        _current = (Convert.ToInt64(e.Payload![0], System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt32(e.Payload[1], System.Globalization.CultureInfo.InvariantCulture),
                            Convert.ToInt32(e.Payload[2], System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt32(e.Payload[3], System.Globalization.CultureInfo.InvariantCulture));
                        _pausedMs = 0;
                        break;
                    case "GCSuspendEEBegin_V1":
                        _suspended = e.TimeStamp;
                        break;
                    case "GCRestartEEEnd_V1" when _suspended != default:
                        _pausedMs += (e.TimeStamp - _suspended).TotalMilliseconds;
                        _suspended = default;
                        if (_promoted is { } done)
                        {
                            _lines.Enqueue($"#{_current.Count} gen{_current.Depth} {Types[Math.Min(_current.Type, 2)]} ({Reasons[Math.Min(_current.Reason, Reasons.Length - 1)]}) " +
                                $"pause {_pausedMs:F1} ms, promoted {done / 1e6:F0} MB, handles {_handles}");
                            _promoted = null;
                        }

                        break;
                    case "GCHeapStats_V2" when _current.Depth > 0:
                        var promoted = 0L;
                        foreach (var i in (ReadOnlySpan<int>)[1, 3, 5, 7, 14])
                        {
                            promoted += e.Payload!.Count > i ? Convert.ToInt64(e.Payload[i], System.Globalization.CultureInfo.InvariantCulture) : 0;
                        }

                        _promoted = promoted;
                        _handles = Convert.ToInt64(e.Payload![12], System.Globalization.CultureInfo.InvariantCulture);
                        break;
                }
            }
        }
    }
}
