using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Training;
using Recommender.Functions.Seeding;

namespace Recommender.Benchmarks;

/// <summary>
/// A bounded loopback soak: the app runs as a child process (<c>soak-app</c>: the app's own
/// registration, embedded store in a temporary folder, queue pump on, the generated sample store and a
/// trained model) on 127.0.0.1, and this process drives mixed traffic at it for
/// <see cref="SoakOptions.Minutes"/> minutes — storefront event batches at a steady rate,
/// recommendations for several placements, privacy actions (consent, access export, objection,
/// rectification, erasure) and a retraining every <see cref="SoakOptions.RetrainEveryMinutes"/>
/// minutes. Every minute it prints requests per second, p50/p99 latency, errors and shed ticks per kind
/// and the app's live managed heap (after a full collection it runs once a minute), its heap at the
/// last GC and its resident set; at the end a verdict on the live heap's trend after warm-up
/// (least-squares slope over the remaining minutes) and on errors. Nothing leaves
/// 127.0.0.1; the request count is bounded by the rates times the duration, and the run stops by itself.
/// </summary>
public sealed class SoakBenchmark(SoakOptions options, TextWriter output)
{
    private const int EventsPerBatch = 10;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly string[] Placements = ["home", "product", "cart", "email"];

    private readonly ConcurrentQueue<MemorySample> _memory = new();
    private readonly ConcurrentQueue<MemorySample> _live = new();
    private readonly ConcurrentDictionary<string, int> _errorKinds = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<Product> _products = SampleData.Catalog();
    private readonly Random _random = new(2026);
    private Minute _minute = new();
    private SemaphoreSlim? _slots;

    /// <summary>Stops when the run is over, the child exits, or <paramref name="cancellationToken"/> fires; 0 when the verdict is good.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var port = FreeLoopbackPort();
        var work = Directory.CreateTempSubdirectory("recommender-soak-").FullName;
        var ready = Path.Combine(work, "ready");
        using var child = StartApp(port, ready);
        var childOutput = ReadChildAsync(child);
        try
        {
            var setup = Stopwatch.StartNew();
            while (!File.Exists(ready))
            {
                if (child.HasExited || setup.Elapsed > TimeSpan.FromMinutes(10))
                {
                    output.WriteLine($"the app did not become ready (exited: {child.HasExited}); see its output above.");
                    return 3;
                }

                await Task.Delay(200, cancellationToken);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"app ready on 127.0.0.1:{port} after {setup.Elapsed.TotalSeconds:F0} s (pid {child.Id}); soaking {options.Minutes} min: " +
                $"{options.EventsPerSecond} events/s, {options.RecommendationsPerSecond} recommendations/s, {options.PrivacyActionsPerMinute} privacy actions/min, retrain every {options.RetrainEveryMinutes} min{(options.Settings.Count > 0 ? "; app settings " + string.Join(", ", options.Settings) : "")}"));
            var rows = await DriveAsync(port, child, cancellationToken);
            return Verdict(rows);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.WriteLine("stopped before the end (SIGINT/SIGTERM): no verdict.");
            return 130;
        }
        finally
        {
            await StopAppAsync(child);
            await childOutput;
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task<List<Row>> DriveAsync(int port, Process child, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.MaxInFlight, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        using var slots = new SemaphoreSlim(options.MaxInFlight);
        _slots = slots;
        var inFlight = new ConcurrentDictionary<Task, bool>();
        var rows = new List<Row>();
        PrintHeader();
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromMinutes(options.Minutes);
        double events = 0, recommendations = 0, privacy = 0;
        var privacyCount = 0;
        var nextRetrain = TimeSpan.Zero;
        var nextRow = TimeSpan.FromMinutes(1);
        using var timer = new PeriodicTimer(Tick);
        while (clock.Elapsed < duration && !child.HasExited && await timer.WaitForNextTickAsync(cancellationToken))
        {
            events += options.EventsPerSecond * Tick.TotalSeconds / EventsPerBatch;
            recommendations += options.RecommendationsPerSecond * Tick.TotalSeconds;
            privacy += options.PrivacyActionsPerMinute * Tick.TotalMinutes;
            for (; events >= 1; events--)
            {
                Fire("events", inFlight, () => PostEventsAsync(http, cancellationToken));
            }

            for (; recommendations >= 1; recommendations--)
            {
                Fire("recommendations", inFlight, () => GetRecommendationsAsync(http, cancellationToken));
            }

            for (; privacy >= 1; privacy--)
            {
                var action = privacyCount++;
                Fire("privacy", inFlight, () => PrivacyActionAsync(http, action, cancellationToken));
            }

            if (clock.Elapsed >= nextRetrain)
            {
                nextRetrain += TimeSpan.FromMinutes(options.RetrainEveryMinutes);
                Fire("retrain", inFlight, () => SendAsync(http, HttpMethod.Post, "/api/admin/retrain", null, cancellationToken));
            }

            if (clock.Elapsed >= nextRow)
            {
                rows.Add(MakeRow((int)nextRow.TotalMinutes, Interlocked.Exchange(ref _minute, new Minute())));
                nextRow += TimeSpan.FromMinutes(1);
            }
        }

        await Task.WhenAll(inFlight.Keys);
        if (clock.Elapsed < nextRow && _minute.Total > 0 && rows.Count < options.Minutes)
        {
            rows.Add(MakeRow((int)Math.Ceiling(clock.Elapsed.TotalMinutes), Interlocked.Exchange(ref _minute, new Minute())));
        }

        if (child.HasExited)
        {
            output.WriteLine($"the app exited early with code {child.ExitCode}.");
            _errorKinds.AddOrUpdate("app exited", 1, static (_, n) => n + 1);
        }

        return rows;
    }

    /// <summary>Starts one request unless <see cref="SoakOptions.MaxInFlight"/> are outstanding (then the tick is shed, and counted).</summary>
    private void Fire(string kind, ConcurrentDictionary<Task, bool> inFlight, Func<Task<(bool Ok, string? Error)>> request)
    {
        var minute = _minute;
        if (!_slots!.Wait(0))
        {
            minute.Record(kind, null, ok: false, shed: true);
            return;
        }

        var task = Task.Run(async () =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var (ok, error) = await request();
                Volatile.Read(ref _minute).Record(kind, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ok, shed: false);
                if (!ok)
                {
                    _errorKinds.AddOrUpdate($"{kind}: {error}", 1, static (_, n) => n + 1);
                }
            }
            finally
            {
                _slots.Release();
            }
        });
        inFlight[task] = true;
        _ = task.ContinueWith(t => inFlight.TryRemove(t, out _), TaskScheduler.Default);
    }

    private Task<(bool, string?)> PostEventsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var batch = new List<object>(EventsPerBatch);
        lock (_random)
        {
            for (var i = 0; i < EventsPerBatch; i++)
            {
                var customerId = Customer();
                var product = _products[_random.Next(_products.Count)];
                var id = "soak-" + Guid.NewGuid().ToString("N");
                var session = $"soak-session-{customerId}";
                var roll = _random.Next(100);
                batch.Add(roll switch
                {
                    < 70 => new { id, type = "view", customerId, sessionId = session, productId = product.Id, occurredAt = now },
                    < 85 => new { id, type = "add_to_cart", customerId, sessionId = session, productId = product.Id, quantity = 1, price = product.Price, occurredAt = now },
                    < 90 => new { id, type = "purchase", customerId, sessionId = session, orderId = "soak-order-" + id, lines = new[] { new { productId = product.Id, quantity = 1, price = product.Price } }, total = product.Price, currency = "EUR", occurredAt = now },
                    _ => (object)new { id, type = "consent", customerId, channel = "analytics", granted = true, policyVersion = "2026-01", source = "cookie_banner", occurredAt = now },
                });
            }
        }

        return SendAsync(http, HttpMethod.Post, "/api/events", batch, cancellationToken);
    }

    private Task<(bool, string?)> GetRecommendationsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        string path;
        lock (_random)
        {
            var placement = Placements[_random.Next(Placements.Length)];
            var product = placement == "product" ? $"&productId={_products[_random.Next(_products.Count)].Id}" : "";
            path = $"/api/recommendations/{Customer()}?placement={placement}&count=10{product}";
        }

        return SendAsync(http, HttpMethod.Get, path, null, cancellationToken);
    }

    private Task<(bool, string?)> PrivacyActionAsync(HttpClient http, int action, CancellationToken cancellationToken)
    {
        // Seeded customers (who all have a profile and are never erased here) for the rights that need one;
        // erasure takes soak customers, whom later events bring back.
        string customerId, erased;
        lock (_random)
        {
            customerId = $"customer-{_random.Next(300) + 1:D4}";
            erased = $"soak-{300 + _random.Next(Math.Max(1, options.Customers - 300)):D6}";
        }

        return (action % 5) switch
        {
            0 => SendAsync(http, HttpMethod.Post, $"/api/privacy/consents/{customerId}",
                new { channel = "email", granted = action % 2 == 0, policyVersion = "2026-01", source = "soak" }, cancellationToken),
            1 => SendAsync(http, HttpMethod.Get, $"/api/privacy/export/{customerId}", null, cancellationToken),
            2 => SendAsync(http, HttpMethod.Put, $"/api/privacy/objection/{customerId}", new { objects = action % 3 == 0 }, cancellationToken),
            3 => SendAsync(http, HttpMethod.Patch, $"/api/privacy/rectification/{customerId}", new { birthYear = 1960 + (action % 40) }, cancellationToken),
            _ => SendAsync(http, HttpMethod.Post, "/api/privacy/erasure", new { customerId = erased }, cancellationToken),
        };
    }

    /// <summary>The seeded sample customers (<c>customer-0001</c>…) first, then soak customers up to <see cref="SoakOptions.Customers"/>. Call under the lock.</summary>
    private string Customer()
    {
        var n = _random.Next(options.Customers);
        return n < 300 ? $"customer-{n + 1:D4}" : $"soak-{n:D6}";
    }

    private static async Task<(bool, string?)> SendAsync(HttpClient http, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response.IsSuccessStatusCode ? (true, null) : (false, $"{method} {RouteOf(path)} answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException ex)
        {
            return (false, $"{method} {RouteOf(path)}: {ex.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"{method} {RouteOf(path)}: timed out after {http.Timeout.TotalSeconds:F0} s");
        }
    }

    private static string RouteOf(string path)
    {
        var query = path.IndexOf('?', StringComparison.Ordinal);
        var route = query < 0 ? path : path[..query];
        var slash = route.LastIndexOf('/');
        return route.StartsWith("/api/recommendations/", StringComparison.Ordinal) || route.StartsWith("/api/privacy/", StringComparison.Ordinal) && route.Count(c => c == '/') > 3
            ? route[..slash] + "/{id}"
            : route;
    }

    private Row MakeRow(int minute, Minute stats)
    {
        var samples = _memory.Where(m => m.Elapsed > TimeSpan.FromMinutes(minute - 1) && m.Elapsed <= TimeSpan.FromMinutes(minute)).ToList();
        var last = _memory.LastOrDefault();
        var heap = samples.Count > 0 ? Statistics.Median(samples.Select(s => s.HeapBytes / 1048576.0).ToList()) : last.HeapBytes / 1048576.0;
        var rss = samples.Count > 0 ? Statistics.Median(samples.Select(s => s.RssBytes / 1048576.0).ToList()) : last.RssBytes / 1048576.0;
        var live = _live.LastOrDefault(m => m.Elapsed <= TimeSpan.FromMinutes(minute)).HeapBytes / 1048576.0;
        var row = new Row(minute, stats.Summary(), live, heap, rss);
        output.WriteLine(row.Format());
        return row;
    }

    private void PrintHeader()
    {
        output.WriteLine("| min | events/s | p99 ms | recs/s | p50 ms | p99 ms | privacy/min | p99 ms | retrains | errors | shed | live heap MB | heap MB | RSS MB |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    }

    private int Verdict(List<Row> rows)
    {
        var errors = rows.Sum(r => r.Stats.Errors);
        var shed = rows.Sum(r => r.Stats.Shed);
        var requests = rows.Sum(r => r.Stats.Requests);
        var all = rows.Where(r => r.Minute > options.Warmup).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests {requests}, errors {errors}, shed {shed}"));
        foreach (var (kind, count) in _errorKinds.OrderByDescending(e => e.Value).Take(10))
        {
            output.WriteLine($"  {count} × {kind}");
        }

        var memoryFlat = true;
        if (all.Count >= 3)
        {
            var liveSlope = Slope(all.Select(r => ((double)r.Minute, r.LiveMb)).ToList());
            var heapSlope = Slope(all.Select(r => ((double)r.Minute, r.HeapMb)).ToList());
            var rssSlope = Slope(all.Select(r => ((double)r.Minute, r.RssMb)).ToList());
            var liveMean = all.Average(r => r.LiveMb);
            // Flat: the live heap's fitted trend would add less than 10 % of its mean per hour. The heap
            // before collection and the RSS are shown too; they follow the GC's own pacing, not only leaks.
            memoryFlat = liveSlope * 60 < 0.10 * liveMean;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"memory after warm-up (minutes {all[0].Minute}-{all[^1].Minute}): live heap mean {liveMean:F1} MB, slope {liveSlope:+0.000;-0.000} MB/min " +
                $"-> {(memoryFlat ? "FLAT (trend < 10 % of the mean per hour)" : "GROWING")}; heap slope {heapSlope:+0.00;-0.00} MB/min, RSS mean {all.Average(r => r.RssMb):F0} MB, slope {rssSlope:+0.00;-0.00} MB/min"));
        }
        else
        {
            output.WriteLine($"memory: too few minutes after the {options.Warmup}-minute warm-up for a trend (need 3).");
        }

        var good = memoryFlat && errors == 0;
        output.WriteLine($"verdict: {(good ? "PASS" : "FAIL")} ({(errors == 0 ? "no error" : $"{errors} errors")}, memory {(memoryFlat ? "flat" : "growing")}{(shed > 0 ? $", {shed} ticks shed: the app did not keep up" : "")})");
        return good ? 0 : 1;
    }

    /// <summary>Least-squares slope of y over x.</summary>
    internal static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        var sxx = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        return sxx == 0 ? 0 : points.Sum(p => (p.X - meanX) * (p.Y - meanY)) / sxx;
    }

    private Process StartApp(int port, string ready)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(SoakBenchmark).Assembly.Location, "soak-app", "--port", port.ToString(CultureInfo.InvariantCulture),
                     "--ready-file", ready, "--max-minutes", (options.Minutes + 15).ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var setting in options.Settings)
        {
            start.ArgumentList.Add("--set");
            start.ArgumentList.Add(setting);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the app process");
    }

    private async Task ReadChildAsync(Process child)
    {
        var clock = Stopwatch.StartNew();
        var errors = Task.Run(async () =>
        {
            while (await child.StandardError.ReadLineAsync() is { } line)
            {
                output.WriteLine("  app: " + line);
            }
        });
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            if (parts is ["MEM", var heap, var rss] && long.TryParse(heap, CultureInfo.InvariantCulture, out var h) && long.TryParse(rss, CultureInfo.InvariantCulture, out var r))
            {
                _memory.Enqueue(new MemorySample(clock.Elapsed, h, r));
                continue;
            }

            if (parts is ["LIVE", var live, var liveRss] && long.TryParse(live, CultureInfo.InvariantCulture, out var l) && long.TryParse(liveRss, CultureInfo.InvariantCulture, out var lr))
            {
                _live.Enqueue(new MemorySample(clock.Elapsed, l, lr));
                continue;
            }

            output.WriteLine("  app: " + line);
        }

        await errors;
    }

    /// <summary>Closing the app's standard input stops it (it disposes its data folder); killed if it has not stopped within a minute.</summary>
    private static async Task StopAppAsync(Process child)
    {
        if (child.HasExited)
        {
            return;
        }

        child.StandardInput.Close();
        using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await child.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The child: the app on 127.0.0.1:<paramref name="port"/> (embedded store, queue pump on, scheduler
    /// off, no storefront rate limit in reach), the sample catalog and clickstream of 300 customers and a
    /// trained model; then "MEM heap rss" on standard output every 5 s (and "LIVE bytes rss" after a full
    /// blocking collection once a minute) until its standard input closes,
    /// <paramref name="cancellationToken"/> fires or <paramref name="maxMinutes"/> pass.
    /// </summary>
    public static async Task<int> RunAppAsync(int port, string readyFile, int maxMinutes, IReadOnlyList<string> extraSettings, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(TimeSpan.FromMinutes(maxMinutes));
        _ = Task.Run(async () =>
        {
            await Console.In.ReadToEndAsync(stop.Token);
            await stop.CancelAsync();
        }, CancellationToken.None);
        var settings = new Dictionary<string, string?>
        {
            ["Recommender:QueuePump:Enabled"] = "true",
            ["Recommender:Scheduler:Enabled"] = "false",
            ["Recommender:Storefront:RequestsPerSecond"] = "1000000",
        };
        foreach (var setting in extraSettings)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            settings[setting[..equals]] = setting[(equals + 1)..];
        }

        await using var app = await BenchApp.StartAsync(StoreKind.Embedded, stop.Token, $"http://127.0.0.1:{port}", settings);
        var products = SampleData.Catalog();
        await app.Services.GetRequiredService<CatalogProvider>().SaveAsync(products, stop.Token);
        var ingestion = app.Services.GetRequiredService<IngestionService>();
        foreach (var chunk in SampleData.Clickstream(products, DateTimeOffset.UtcNow).Chunk(200))
        {
            await ingestion.IngestAsync(chunk, "soak-seed", stop.Token);
        }

        // Every seeded customer consents to analytics, so each has a profile for the privacy actions.
        var now = DateTimeOffset.UtcNow;
        var consents = Enumerable.Range(1, 300).Select(c => JsonSerializer.Serialize(new
        {
            id = $"soak-seed-consent-{c}", type = "consent", customerId = $"customer-{c:D4}", occurredAt = now, channel = "analytics", granted = true,
            policyVersion = "2026-01", source = "cookie_banner",
        })).ToList();
        await ingestion.IngestAsync(consents, "soak-seed", stop.Token);
        await app.Services.GetRequiredService<RetrainingService>().RetrainAsync("soak seed", cancellationToken: stop.Token);
        await File.WriteAllTextAsync(readyFile, "ready", stop.Token);
        var reports = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (++reports % 12 == 0)
                {
                    // Once a minute: a full blocking compacting collection, then the live heap — what a leak would grow.
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LIVE {GC.GetTotalMemory(false)} {Environment.WorkingSet}"));
                }

                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MEM {GC.GetGCMemoryInfo().HeapSizeBytes} {Environment.WorkingSet}"));
                await Console.Out.FlushAsync(stop.Token);
                await Task.Delay(TimeSpan.FromSeconds(5), stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // stopped: dispose the app and its data folder
        }

        return 0;
    }

    private readonly record struct MemorySample(TimeSpan Elapsed, long HeapBytes, long RssBytes);

    private sealed record Row(int Minute, MinuteSummary Stats, double LiveMb, double HeapMb, double RssMb)
    {
        public string Format() => string.Create(CultureInfo.InvariantCulture,
            $"| {Minute} | {Stats.Events.Count * EventsPerBatch / 60.0:F1} | {Stats.Events.P99:F0} | {Stats.Recommendations.Count / 60.0:F1} | {Stats.Recommendations.P50:F1} | {Stats.Recommendations.P99:F0} | " +
            $"{Stats.Privacy.Count} | {Stats.Privacy.P99:F0} | {Stats.Retrains} | {Stats.Errors} | {Stats.Shed} | {LiveMb:F1} | {HeapMb:F0} | {RssMb:F0} |");
    }

    private sealed record KindSummary(int Count, double P50, double P99);

    private sealed record MinuteSummary(KindSummary Events, KindSummary Recommendations, KindSummary Privacy, int Retrains, int Errors, int Shed)
    {
        public int Requests => Events.Count + Recommendations.Count + Privacy.Count + Retrains;
    }

    /// <summary>One minute's requests: latencies per kind, errors, shed ticks.</summary>
    private sealed class Minute
    {
        private readonly Dictionary<string, List<double>> _latencies = new(StringComparer.Ordinal);
        private int _errors;
        private int _shed;

        public int Total { get; private set; }

        public void Record(string kind, double? milliseconds, bool ok, bool shed)
        {
            lock (_latencies)
            {
                Total++;
                if (shed)
                {
                    _shed++;
                    return;
                }

                if (!ok)
                {
                    _errors++;
                }

                if (!_latencies.TryGetValue(kind, out var list))
                {
                    _latencies[kind] = list = [];
                }

                list.Add(milliseconds ?? 0);
            }
        }

        public MinuteSummary Summary()
        {
            lock (_latencies)
            {
                return new MinuteSummary(Kind("events"), Kind("recommendations"), Kind("privacy"), Kind("retrain").Count, _errors, _shed);
            }
        }

        private KindSummary Kind(string kind) => _latencies.TryGetValue(kind, out var list) && list.Count > 0
            ? new KindSummary(list.Count, Statistics.Percentile(list, 50), Statistics.Percentile(list, 99))
            : new KindSummary(0, 0, 0);
    }
}
