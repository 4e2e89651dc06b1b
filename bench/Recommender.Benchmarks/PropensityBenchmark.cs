using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Training;

namespace Recommender.Benchmarks;

/// <summary>
/// <c>propensity</c>: the training workflow's purchase-propensity step measured on a usage file
/// (<c>customerId,productId,timestamp</c>, each row a purchase). The rows are archived as purchase
/// events at their own times, with the app's clock stopped a minute after the latest (so every run
/// evaluates the same windows on the same rows); every customer gets a
/// profile with analytics consent and a directory entry. Then one training run of the embedded app
/// (<see cref="TrainingWorkflow"/>, candidates untuned) is started and run, and its propensity record
/// — the AUC on the next window, the customers scored — is printed, with a sample profile's score.
/// </summary>
public static class PropensityBenchmark
{
    public const string Usage = """
        usage: dotnet run --project bench/Recommender.Benchmarks -c Release -- propensity --usage FILE [--window-days N]
          --usage FILE       customerId,productId,timestamp (yyyy/MM/ddTHH:mm:ss), each row a purchase
          --window-days N    the prediction window (Recommender:Propensity:Window; default 14)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var options = args.Skip(1).Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!options.TryGetValue("--usage", out var path) || !File.Exists(path)
            || !int.TryParse(options.GetValueOrDefault("--window-days", "14"), CultureInfo.InvariantCulture, out var windowDays) || windowDays is < 1 or > 365)
        {
            output.WriteLine(Usage);
            return 2;
        }

        var rows = new List<(string Customer, string Product, DateTimeOffset At)>();
        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split(',');
            if (fields.Length >= 3 && DateTimeOffset.TryParseExact(fields[2], "yyyy/MM/dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                rows.Add((fields[0], fields[1], at));
            }
        }

        // The app's clock stands still a minute after the latest row: the windows fall on the same rows every run.
        var now = rows.Max(r => r.At) + TimeSpan.FromMinutes(1);
        await using var app = await BenchApp.StartAsync(StoreKind.Embedded, cancellationToken, extraSettings: new Dictionary<string, string?>
        {
            ["Recommender:Scheduler:Enabled"] = "false",
            ["Recommender:Training:Tune"] = "false",
            ["Recommender:Propensity:Window"] = TimeSpan.FromDays(windowDays).ToString("c", CultureInfo.InvariantCulture),
        }, configureServices: s => s.AddSingleton<TimeProvider>(new StoppedClock(now)));
        var services = app.Services;
        var events = rows.Select((r, i) => new ClickstreamEvent { Id = $"u{i}", Type = EventType.Purchase, CustomerId = r.Customer, ProductId = r.Product, OccurredAt = r.At }).ToList();
        var documents = services.GetRequiredService<IDocumentStore>();
        var profiles = services.GetRequiredService<ProfileStore>();
        foreach (var customer in rows.Select(r => r.Customer).Distinct(StringComparer.Ordinal))
        {
            var profile = new CustomerProfile { CustomerId = customer, CreatedAt = now, UpdatedAt = now };
            profile.Consents[ConsentChannels.Analytics] = new ConsentRecord(true, now, "2026-01", "benchmark", $"consent-{customer}");
            await documents.PutAsync(Collections.Profiles, customer, customer, profile, cancellationToken);
            await profiles.RegisterCustomerAsync(customer, cancellationToken);
        }

        await services.GetRequiredService<EventArchive>().AppendAsync("bench-usage", events, now, Recommender.Domain.Retention.DataClass.Orders, cancellationToken);

        var workflow = services.GetRequiredService<TrainingWorkflow>();
        var clock = Stopwatch.StartNew();
        var run = await workflow.StartAsync("benchmark", cancellationToken);
        await workflow.RunAsync(new TrainingMessage(run.RunId), cancellationToken);
        var done = (await workflow.GetAsync(run.RunId, cancellationToken))!;
        var record = done.Propensity;
        var manifest = done.ModelVersion is { } version ? await services.GetRequiredService<ModelStore>().GetManifestAsync(version, cancellationToken) : null;
        var first = events.OrderBy(e => e.OccurredAt).First().OccurredAt;

        output.WriteLine($"propensity on {Path.GetFileName(path)}: {events.Count:N0} purchases of {events.Select(e => e.CustomerId).Distinct().Count():N0} customers over {(now - first).TotalDays:0} days (the clock stopped a minute after the latest)");
        output.WriteLine($"  training run       {done.Status} ({done.Chosen}) in {clock.Elapsed.TotalSeconds:0.0} s, propensity recorded in the manifest: {manifest?.Propensity is not null}");
        if (record is null)
        {
            output.WriteLine("  propensity         disabled");
            return 1;
        }

        output.WriteLine($"  window             {record.WindowDays} days: learned from data up to T = {record.DataUpTo:u}, evaluated on purchases in [T, T + {record.WindowDays} days)");
        output.WriteLine($"  AUC (next window)  {record.Auc?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "n/a"}   AUPRC {record.AreaUnderPrecisionRecallCurve?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "n/a"}   log-loss {record.LogLoss?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "n/a"}");
        output.WriteLine($"  examples           training {record.TrainingCustomers:N0} customers ({record.TrainingBuyers:N0} buyers), evaluation {record.EvaluationCustomers:N0} ({record.EvaluationBuyers:N0} buyers)");
        output.WriteLine($"  scores             {record.Scored:N0} profiles scored, used: {record.Used}{(record.Note is { } note ? $" ({note})" : "")}");
        return record.Auc is null ? 1 : 0;
    }

    /// <summary>A clock that does not move: the run's "now" is fixed relative to the data.</summary>
    private sealed class StoppedClock(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }
}
