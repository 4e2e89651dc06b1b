using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Segments;
using Recommender.Domain.Ports.Storage;
using Recommender.Functions.Messaging;

namespace Recommender.Benchmarks;

/// <summary>The command line of <c>segmentation</c>.</summary>
public sealed record SegmentationOptionsArgs(int Customers, int Days, int Seed)
{
    public const string Usage = """
        usage: dotnet run --project bench/Recommender.Benchmarks -c Release -- segmentation [options]
          --customers N     generated customers, all with analytics consent (default 100000)
          --days N          days of order history before now (default 730)
          --seed N          generator seed (default 17)
        """;

    public static SegmentationOptionsArgs? Parse(IEnumerable<string> args, TextWriter errors)
    {
        var options = new SegmentationOptionsArgs(100_000, 730, 17);
        try
        {
            foreach (var pair in args.Chunk(2))
            {
                var (name, value) = pair is [var n, var v] ? (n, v) : throw new ArgumentException($"{pair[0]} needs a value.");
                options = name switch
                {
                    "--customers" => options with { Customers = IngestOptions.Positive(name, value, max: 1_000_000) },
                    "--days" => options with { Days = IngestOptions.Positive(name, value, max: 3_650) },
                    "--seed" => options with { Seed = IngestOptions.Positive(name, value, max: int.MaxValue) },
                    _ => throw new ArgumentException($"unknown option '{name}'."),
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
/// The daily segmentation end to end on the embedded store: generates customers with a known signal
/// (a purchase rate and order value of their own; 40% stop buying partway) — their profiles,
/// directory entries and archived purchases, written straight to the stores — then times one run
/// (training on the archive, both fan-outs over the 32 shards through the queue) and reports the
/// process's peak resident memory during the run, the models' held-out figures and the segment sizes.
/// </summary>
public sealed class SegmentationBenchmark(SegmentationOptionsArgs options, TextWriter progress)
{
    private static readonly string[] Categories = ["shoes", "bags", "outdoor", "kitchen", "beauty", "toys"];
    private static readonly string[] Brands = ["acme", "northwind", "contoso", "fabrikam", "tailspin"];
    private static readonly string[] Bands = ["0-25", "25-50", "50-100", "100-250", "250+"];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var app = await BenchApp.StartAsync(StoreKind.Embedded, cancellationToken, extraSettings: new Dictionary<string, string?>
        {
            ["Recommender:Scheduler:Enabled"] = "false",
        });
        var services = app.Services;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var generate = Stopwatch.StartNew();
        var (events, orders) = await GenerateAsync(services, now, cancellationToken);
        progress.WriteLine($"generated {options.Customers} customers, {orders} orders, {events} archived events in {generate.Elapsed.TotalSeconds:0.0} s");

        ResetPeakMemory();
        var workflow = services.GetRequiredService<SegmentationWorkflow>();
        var pump = services.GetRequiredService<LocalQueuePump>();
        var total = Stopwatch.StartNew();
        var run = await workflow.StartAsync("benchmark", cancellationToken);
        await workflow.HandleAsync(new SegmentationMessage(run.RunId, SegmentationMessage.Train), cancellationToken);
        var training = total.Elapsed;
        await pump.RunOnceAsync(cancellationToken);
        total.Stop();
        var done = (await workflow.GetAsync(run.RunId, cancellationToken))!;
        var peak = PeakResidentBytes();

        Console.WriteLine($"segmentation of {options.Customers:N0} customers ({orders:N0} orders, {events:N0} archived events, {options.Days} days), 32 shards, embedded store");
        Console.WriteLine($"  status            {done.Status} ({done.Scored:N0} scored, {done.NotProfiled:N0} not profiled)");
        Console.WriteLine($"  total             {total.Elapsed.TotalSeconds:0.0} s  (training {training.TotalSeconds:0.0} s, two fan-outs {(total.Elapsed - training).TotalSeconds:0.0} s)");
        Console.WriteLine($"  peak RSS          {(peak is { } p ? $"{p / 1024.0 / 1024:0} MiB" : "n/a")} during the run (process, generated data included)");
        Console.WriteLine($"  churn             window {done.Models?.ChurnWindowDays} days, AUC {done.Models?.ChurnAuc} on the latest window ({done.Models?.ChurnEvaluationCustomers:N0} customers)");
        Console.WriteLine($"  lifetime value    {done.Models?.LifetimeMethod}: MAE {done.Models?.LifetimeMaeModel} vs run rate {done.Models?.LifetimeMaeRunRate} over {done.Models?.LifetimeWindowDays} days ({done.Models?.LifetimeEvaluationCustomers:N0} customers)");
        Console.WriteLine($"  segments          {string.Join(", ", (done.Sizes ?? []).Where(s => !s.Key.Contains(':', StringComparison.Ordinal) || s.Value > options.Customers / 100).OrderByDescending(s => s.Value).Select(s => $"{s.Key} {s.Value:N0}"))}");
        return done.Status == SegmentationStatus.Completed ? 0 : 1;
    }

    private async Task<(long Events, long Orders)> GenerateAsync(IServiceProvider services, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var documents = services.GetRequiredService<IDocumentStore>();
        var profiles = services.GetRequiredService<ProfileStore>();
        var archive = services.GetRequiredService<EventArchive>();
        var random = new Random(options.Seed);
        var span = TimeSpan.FromDays(options.Days);
        var batch = new List<ClickstreamEvent>(10_000);
        long events = 0, orders = 0;
        var batches = 0;
        for (var c = 0; c < options.Customers; c++)
        {
            var customerId = $"customer-{c:D7}";
            var start = now - span + TimeSpan.FromDays(random.NextDouble() * span.TotalDays * 0.9);
            var rate = Math.Exp(-6 + 3.5 * random.NextDouble());
            var orderValue = Math.Round(20 + 180 * random.NextDouble(), 2);
            var stopsAt = random.NextDouble() < 0.4 ? start + TimeSpan.FromDays(random.NextDouble() * (now - start).TotalDays) : DateTimeOffset.MaxValue;
            var profile = new CustomerProfile { CustomerId = customerId, CreatedAt = start, UpdatedAt = now, LastEventAt = start, EventCount = 1 };
            profile.Consents["analytics"] = new ConsentRecord(true, start, "2026-01", "benchmark", $"consent-{c}");
            batch.Add(new ClickstreamEvent { Id = $"v-{c}", Type = EventType.SessionStart, CustomerId = customerId, OccurredAt = start });
            var at = start;
            var category = Categories[random.Next(Categories.Length)];
            var brand = Brands[random.Next(Brands.Length)];
            var band = Bands[Math.Min(Bands.Length - 1, (int)(orderValue / 50))];
            while (true)
            {
                at += TimeSpan.FromDays(-Math.Log(1 - random.NextDouble()) / rate);
                if (at >= now || at >= stopsAt)
                {
                    break;
                }

                var total = (decimal)Math.Round(orderValue * (0.7 + 0.6 * random.NextDouble()), 2);
                var product = random.NextDouble() < 0.7 ? category : Categories[random.Next(Categories.Length)];
                batch.Add(new ClickstreamEvent
                {
                    Id = $"o-{c}-{profile.OrderCount}", Type = EventType.Purchase, CustomerId = customerId, OccurredAt = at, OrderId = $"order-{c}-{profile.OrderCount}",
                    Total = total, Currency = "EUR", Lines = [new OrderLine($"{product}-1", 1, total)],
                });
                profile.OrderCount++;
                profile.TotalSpent += total;
                profile.FirstOrderAt ??= at;
                profile.LastOrderAt = at;
                profile.LastEventAt = at;
                profile.EventCount++;
                profile.CategoryAffinities[product] = profile.CategoryAffinities.GetValueOrDefault(product) + 1;
                var b = random.NextDouble() < 0.6 ? brand : Brands[random.Next(Brands.Length)];
                profile.BrandAffinities[b] = profile.BrandAffinities.GetValueOrDefault(b) + 1;
                profile.PriceBandAffinities[band] = profile.PriceBandAffinities.GetValueOrDefault(band) + 1;
                orders++;
            }

            await documents.PutAsync(Collections.Profiles, customerId, customerId, profile, cancellationToken);
            await profiles.RegisterCustomerAsync(customerId, cancellationToken);
            if (batch.Count >= 10_000)
            {
                events += batch.Count;
                await archive.AppendAsync($"bench-{batches++:D5}", batch, now, Recommender.Domain.Retention.DataClass.Orders, cancellationToken);
                batch.Clear();
            }
        }

        events += batch.Count;
        await archive.AppendAsync($"bench-{batches:D5}", batch, now, Recommender.Domain.Retention.DataClass.Orders, cancellationToken);
        return (events, orders);
    }

    /// <summary>Resets the kernel's peak-RSS mark (Linux: <c>/proc/self/clear_refs</c> ← 5) so the peak is the run's.</summary>
    private static void ResetPeakMemory()
    {
        GC.Collect();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // not Linux, or not allowed: the peak then includes the generation
        }
    }

    private static long? PeakResidentBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return Process.GetCurrentProcess().PeakWorkingSet64;
        }
    }
}
