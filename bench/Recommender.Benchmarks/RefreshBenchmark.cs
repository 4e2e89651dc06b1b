using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Ports.Storage;
using nietras.SeparatedValues;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;
using Recommender.Models;
using Recommender.Models.Evaluation;

namespace Recommender.Benchmarks;

/// <summary>
/// <c>refresh</c>: the cost of refreshing every cached home list with the promoted model's user
/// scoring (<see cref="RecommendationEngine.ForCustomer"/>, as <c>RecommendationService.RefreshCacheAsync</c>
/// calls it, plus the JSON of the cached document) for N generated customers on a generated catalog;
/// store reads and writes are not included, except with <c>--store embedded</c> (a second pass that writes every list). <c>serving-quality</c>: the served home list before and
/// after issue 12 (neighbour lists seeded by the latest items vs the model's user scoring of the
/// whole weighted history), on a usage file (<c>customerId,productId,timestamp</c>).
/// </summary>
public static class RefreshBenchmark
{
    public const string Usage = """
        usage: dotnet run --project bench/Recommender.Benchmarks -c Release -- refresh [options]
          --customers N        customers whose lists are refreshed (default 100000)
          --items N            catalog size (default 10000)
          --history N          interactions per customer, on average (default 12)
          --train-customers N  customers the model is trained on (default 20000)
          --algorithm NAME     als | ease | sar | itemknn-cosine | userknn-cosine | sequential (default als)
          --max-model-items N  the dense model's catalog limit (default 10000)
          --settings k=v,...   the algorithm's settings instead of its defaults (names of its tuning grid, e.g. history=0.1,recent=10)
          --store embedded     then a second pass that also writes every cached list to the embedded store
                               (SQLite, a fresh temporary folder), as the refresh does: compute + write, timed
        usage: dotnet run --project bench/Recommender.Benchmarks -c Release -- serving-quality --usage FILE [--algorithm NAME] [--window-days N] [--half-life-days N]
        """;

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static int Run(string[] args, TextWriter output)
    {
        var options = args.Skip(1).Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var algorithm = options.GetValueOrDefault("--algorithm", "als");
        return args[0] == "refresh"
            ? Refresh(output, Int("--customers", 100_000), Int("--items", 10_000), Int("--history", 12), Int("--train-customers", 20_000),
                algorithm, Int("--max-model-items", 10_000), options.GetValueOrDefault("--store"),
                options.TryGetValue("--settings", out var settings) ? Cli.EvaluateOptions.SettingsOf(Models.AlgorithmRegistry.Default, algorithm, settings) : null)
            : options.TryGetValue("--usage", out var usage)
                ? ServingQuality(output, usage, options.GetValueOrDefault("--algorithm", "item-item-jaccard,sar,ease,itemknn-cosine,als"), Int("--window-days", 7),
                    new UserScoringOptions { HistoryHalfLife = TimeSpan.FromDays(Int("--half-life-days", (int)UserScoring.DefaultHalfLife.TotalDays)) })
                : Fail(output);
    }

    private static int Fail(TextWriter output)
    {
        output.WriteLine(Usage);
        return 2;
    }

    private static int Refresh(TextWriter output, int customers, int items, int history, int trainCustomers, string algorithm, int maxModelItems, string? store,
        IReadOnlyDictionary<string, double>? settings)
    {
        if (store is not (null or "embedded"))
        {
            output.WriteLine($"--store must be embedded (the Cosmos DB stand-in's write rate says nothing of Cosmos DB's), not '{store}'");
            return 2;
        }

        var random = new Random(7);
        const int Clusters = 50;
        var catalog = Enumerable.Range(0, items).Select(i => new Product($"item-{i:00000}", $"Item {i}", $"category-{i % Clusters}",
            10m + (i % 90), Brand: $"brand-{i % 200}")).ToDictionary(p => p.Id, StringComparer.Ordinal);
        var perCluster = catalog.Values.GroupBy(p => p.Category).Select(g => g.Select(p => p.Id).ToArray()).ToArray();

        // A customer mostly buys and views in one cluster (Zipf-like popularity within it), sometimes anywhere.
        string Pick(int cluster)
        {
            var pool = random.NextDouble() < 0.8 ? perCluster[cluster] : perCluster[random.Next(Clusters)];
            return pool[(int)Math.Min(pool.Length - 1, Math.Floor(Math.Pow(random.NextDouble(), 2.5) * pool.Length))];
        }

        var profiles = new CustomerProfile[customers];
        var events = new List<ClickstreamEvent>();
        for (var c = 0; c < customers; c++)
        {
            var cluster = random.Next(Clusters);
            var profile = new CustomerProfile { CustomerId = $"customer-{c:000000}" };
            var count = 1 + random.Next(2 * history);
            for (var n = 0; n < count; n++)
            {
                var at = Start.AddHours(random.Next(24 * 180));
                var item = Pick(cluster);
                var type = random.NextDouble() < 0.3 ? EventType.Purchase : EventType.View;
                if (type == EventType.Purchase)
                {
                    profile.Purchased[item] = at;
                }
                else
                {
                    profile.RecentViews.Add(new RecentItem(item, at));
                }

                profile.CategoryAffinities[catalog[item].Category] = profile.CategoryAffinities.GetValueOrDefault(catalog[item].Category) + 1;
                if (c < trainCustomers)
                {
                    events.Add(new ClickstreamEvent { Id = $"e{events.Count}", Type = type, CustomerId = profile.CustomerId, ProductId = item, OccurredAt = at });
                }
            }

            profile.RecentViews = [.. profile.RecentViews.OrderByDescending(v => v.At).Take(CustomerProfile.MaxRecentViews)];
            profiles[c] = profile;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"refresh: {customers:N0} customers, {items:N0} items, {events.Count:N0} training events from {Math.Min(trainCustomers, customers):N0} customers, {algorithm}{(settings is null ? "" : " " + string.Join(',', settings.Select(kv => $"{kv.Key}={kv.Value}")))}, {Environment.ProcessorCount} cores"));
        var scoring = new UserScoringOptions { MaxModelItems = maxModelItems };
        var clock = Stopwatch.StartNew();
        var model = settings is null
            ? new AlgorithmTrainer(algorithm, scoring).Train(events, "bench", Start.AddDays(200))
            : new AlgorithmTrainer(algorithm, scoring).TrainWith(events, "bench", Start.AddDays(200), settings);
        var trainSeconds = clock.Elapsed.TotalSeconds;
        events.Clear();
        var scorer = RecommendationEngine.ScorerOf(model);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  trained in {trainSeconds:F1} s; user scoring: {scorer.Kind}, {scorer.Items.Count:N0} items covered, payload {scorer.PayloadBytes / 1e6:F1} MB"));

        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long documentBytes = 0;
        var listItems = 0L;
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        clock.Restart();
        Parallel.For(0, customers, () => (Bytes: 0L, Items: 0L), (c, _, local) =>
        {
            var entry = EntryFor(profiles[c], model, catalog, scoring);
            return (local.Bytes + Json.ToUtf8(entry).Length, local.Items + entry.Items.Count);
        }, local =>
        {
            Interlocked.Add(ref documentBytes, local.Bytes);
            Interlocked.Add(ref listItems, local.Items);
        });
        var seconds = clock.Elapsed.TotalSeconds;
        self.Refresh();
        var cpuSeconds = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        using var process = Process.GetCurrentProcess();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  refreshed {customers:N0} lists in {seconds:F1} s wall, {cpuSeconds:F1} s CPU ({cpuSeconds * 1000 / customers:F3} ms CPU per customer; {Environment.ProcessorCount} cores: {cpuSeconds / Environment.ProcessorCount:F1} s wall if the cores were ours; {listItems / (double)customers:F1} items a list)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  memory: peak working set {process.PeakWorkingSet64 / 1e6:F0} MB (whole process: generated profiles, catalog, model); managed heap before refresh {before / 1e6:F0} MB; allocated during refresh {allocated / 1e6:F0} MB ({allocated / (double)customers / 1e3:F1} KB per customer, short-lived); cached document {documentBytes / (double)customers:F0} bytes per customer"));
        if (store is "embedded")
        {
            WriteToEmbeddedStore(output, profiles, model, catalog, scoring).GetAwaiter().GetResult();
        }

        return 0;
    }

    /// <summary>The cached document of one customer, as <c>RecommendationService.RefreshCacheAsync</c> makes it (segments aside).</summary>
    private static CachedRecommendations EntryFor(CustomerProfile profile, ItemSimilarityModel model, IReadOnlyDictionary<string, Product> catalog, UserScoringOptions scoring) =>
        new(profile.CustomerId, model.Version, Start, RecommendationEngine.ForCustomer(profile, model, catalog, RecommendationEngine.CachedListSize, scoring))
        {
            Snapshot = ProfileSnapshot.Of(profile),
        };

    /// <summary>
    /// Compute + write, as <c>RecommendationService.RefreshCacheAsync</c> does after reading the profile: every list written
    /// with <c>PutSharedAsync</c> to the app's embedded store (the app as
    /// <c>Program.cs</c> builds it, on a fresh temporary folder). Profile reads are not included.
    /// </summary>
    private static async Task WriteToEmbeddedStore(TextWriter output, CustomerProfile[] profiles, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> catalog, UserScoringOptions scoring)
    {
        await using var app = await BenchApp.StartAsync(StoreKind.Embedded, CancellationToken.None);
        var documents = app.Services.GetRequiredService<Domain.Ports.IDocumentStore>();
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(profiles, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount * 2 }, async (profile, ct) =>
        {
            await documents.PutSharedAsync(Collections.Recommendations, profile.CustomerId, profile.CustomerId, EntryFor(profile, model, catalog, scoring), ct);
        });
        var seconds = clock.Elapsed.TotalSeconds;
        self.Refresh();
        var cpuSeconds = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        var check = await documents.GetSharedAsync<CachedRecommendations>(Collections.Recommendations, profiles[^1].CustomerId, profiles[^1].CustomerId);
        var folder = app.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Recommender:DataDirectory"]!;
        var bytes = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        using var process = Process.GetCurrentProcess();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  embedded store: computed and wrote {profiles.Length:N0} lists in {seconds:F1} s wall, {cpuSeconds:F1} s CPU ({profiles.Length / seconds:F0} lists/s); last list read back: {(check is { Items.Count: > 0 } ? "yes" : "NO")}; data folder {bytes / 1e6:F0} MB; peak working set {process.PeakWorkingSet64 / 1e6:F0} MB"));
    }

    private static int ServingQuality(TextWriter output, string usagePath, string algorithms, int windowDays, UserScoringOptions scoring)
    {
        var events = new List<ClickstreamEvent>();
        using (var usage = Sep.New(',').Reader(o => o with { HasHeader = false, DisableColCountCheck = true, Unescape = true }).FromFile(usagePath))
        {
            foreach (var row in usage)
            {
                if (row.ColCount < 3 || !DateTimeOffset.TryParseExact(row[2].Span, "yyyy/MM/dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    continue;
                }

                events.Add(new ClickstreamEvent { Id = $"u{events.Count}", Type = EventType.Purchase, CustomerId = row[0].ToString(), ProductId = row[1].ToString(), OccurredAt = at });
            }
        }

        // The gate's split (each customer's latest interactions held out, as HoldoutEvaluator does), each customer's latest 25 %, and a random 25 %.
        _ = windowDays; // kept for the command line; the gate no longer holds out one global window
        var window = HoldoutEvaluator.Split(events);
        var latest = Quarter(events, customer => customer.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal).ToList());
        var shuffle = new Random(42);
        var random = Quarter(events, customer => customer.OrderBy(e => e.Id, StringComparer.Ordinal).Select(e => (e, shuffle.Next())).OrderBy(x => x.Item2).Select(x => x.e).ToList());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"serving-quality (history half-life {scoring.HistoryHalfLife.TotalDays} d): {events.Count:N0} interactions (replayed as purchases); gate holdout: {window.Relevant.Count} customers; latest 25 %: {latest.Relevant.Count} customers; random 25 %: {random.Relevant.Count} customers"));
        output.WriteLine("algorithm           protocol     old ndcg@10  new ndcg@10  old hr@10  new hr@10  (old = 10 latest purchases × neighbours, as served before; new = user scoring of the whole weighted history)");
        foreach (var algorithm in algorithms.Split(','))
        {
            IModelTrainer trainer = algorithm == JaccardItemTrainer.Name ? new JaccardItemTrainer() : new AlgorithmTrainer(algorithm);
            foreach (var (name, split) in new[] { ("gate-holdout", new Split(window.Train, window.Relevant)), ("latest-25%", latest), ("random-25%", random) })
            {
                var model = trainer.Train(split.Train, "quality", Start);
                var (oldNdcg, oldHr) = Score(split, history => OldServing(history, model));
                var (newNdcg, newHr) = Score(split, history => NewServing(history, model, scoring));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{algorithm,-19} {name,-12} {oldNdcg,11:F4}  {newNdcg,11:F4}  {oldHr,9:F4}  {newHr,9:F4}"));
            }
        }

        return 0;
    }

    private sealed record Split(IReadOnlyList<ClickstreamEvent> Train, IReadOnlyDictionary<string, HashSet<string>> Relevant);

    /// <summary>Each customer with 4+ interactions: the last quarter of <paramref name="order"/> held out (the new items in it are relevant).</summary>
    private static Split Quarter(List<ClickstreamEvent> events, Func<IEnumerable<ClickstreamEvent>, List<ClickstreamEvent>> order)
    {
        var train = new List<ClickstreamEvent>();
        var relevant = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var customer in events.GroupBy(e => e.CustomerId!, StringComparer.Ordinal))
        {
            var ordered = order(customer);
            var held = ordered.Count >= 4 ? ordered.Count / 4 : 0;
            train.AddRange(ordered.Take(ordered.Count - held));
            var seen = ordered.Take(ordered.Count - held).Select(e => e.ProductId!).ToHashSet(StringComparer.Ordinal);
            var target = ordered.Skip(ordered.Count - held).Select(e => e.ProductId!).Where(p => !seen.Contains(p)).ToHashSet(StringComparer.Ordinal);
            if (target.Count > 0)
            {
                relevant[customer.Key] = target;
            }
        }

        return new Split(train, relevant);
    }

    private static (double Ndcg, double Hit) Score(Split split, Func<List<ClickstreamEvent>, IReadOnlyList<string>> recommend)
    {
        var histories = split.Train.GroupBy(e => e.CustomerId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        double ndcg = 0, hit = 0;
        var n = 0;
        foreach (var (customer, relevant) in split.Relevant)
        {
            if (!histories.TryGetValue(customer, out var history))
            {
                continue;
            }

            var top = recommend(history);
            ndcg += RankingMetrics.Ndcg(top, relevant, 10);
            hit += RankingMetrics.Hit(top, relevant, 10);
            n++;
        }

        return (ndcg / Math.Max(1, n), hit / Math.Max(1, n));
    }

    /// <summary>What was served before: neighbours of the 10 latest purchases (weight 1.5 each), popular items to fill; nothing bought again.</summary>
    private static IReadOnlyList<string> OldServing(List<ClickstreamEvent> history, ItemSimilarityModel model)
    {
        var bought = history.GroupBy(e => e.ProductId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(e => e.OccurredAt), StringComparer.Ordinal);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var seed in bought.OrderByDescending(p => p.Value).Take(10))
        {
            foreach (var neighbor in model.NeighborsOf(seed.Key).Where(n => !bought.ContainsKey(n.ProductId)))
            {
                scores[neighbor.ProductId] = scores.GetValueOrDefault(neighbor.ProductId) + (1.5 * neighbor.Score);
            }
        }

        var top = scores.OrderByDescending(kv => Math.Round(kv.Value, 6)).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(10).Select(kv => kv.Key).ToList();
        top.AddRange(model.Popular.Select(p => p.ProductId).Where(p => !bought.ContainsKey(p) && !top.Contains(p)).Take(10 - top.Count));
        return top;
    }

    /// <summary>What is served now: <see cref="RecommendationEngine.ForCustomer"/> on the customer's profile (every purchase; no catalog, no affinities here).</summary>
    private static IReadOnlyList<string> NewServing(List<ClickstreamEvent> history, ItemSimilarityModel model, UserScoringOptions scoring)
    {
        var profile = new CustomerProfile { CustomerId = history[0].CustomerId! };
        foreach (var e in history)
        {
            profile.Purchased[e.ProductId!] = profile.Purchased.TryGetValue(e.ProductId!, out var at) && at > e.OccurredAt ? at : e.OccurredAt;
        }

        return RecommendationEngine.ForCustomer(profile, model, new Dictionary<string, Product>(), 10, scoring).Select(i => i.ProductId).ToList();
    }
}
