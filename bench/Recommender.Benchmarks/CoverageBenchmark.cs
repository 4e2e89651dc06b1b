using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;
using Recommender.Functions.Messaging;
using Recommender.Functions.Seeding;

namespace Recommender.Benchmarks;

/// <summary>The arguments of <c>coverage</c>.</summary>
public sealed record CoverageOptions(IReadOnlyList<string> Stores, string CatalogFile, string UsageFile, int Products, int Customers, int Count)
{
    public const string Usage =
        """
        coverage [--store sample|demo|generated|all] [--catalog FILE] [--usage FILE] [--products N] [--customers N] [--count N]
          Product-page coverage as a store reports it: builds the store (catalog, clickstream through IngestionService,
          a retraining as the app's first start does, the cache refresh), requests every catalog product's product-page
          list (GET /api/recommendations/{visitor}?placement=product&productId=...&count=N, N = 10) over HTTP, and reports
          the share of products with a full list (N items, each in stock and with a reason that holds), of items with
          reasons that hold, of items in stock, and where the items came from — also for products nobody interacted with.
          sample: the app's seeded sample store (80 products, 300 customers); demo: --catalog/--usage (default
          /work/shared/data/demo-catalog.csv and demo-usage.csv, productId,name,category and customerId,productId,timestamp);
          generated: SampleData with --products (default 10000) and --customers (default 2000).
        """;

    public static CoverageOptions Parse(ReadOnlySpan<string> args)
    {
        string store = "all", catalog = "/work/shared/data/demo-catalog.csv", usage = "/work/shared/data/demo-usage.csv";
        int products = 10_000, customers = 2_000, count = 10;
        for (var n = 0; n < args.Length; n += 2)
        {
            if (n + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[n]} needs a value");
            }

            var value = args[n + 1];
            switch (args[n])
            {
                case "--store": store = value; break;
                case "--catalog": catalog = value; break;
                case "--usage": usage = value; break;
                case "--products": products = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--customers": customers = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--count": count = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option '{args[n]}'");
            }
        }

        if (store is not ("sample" or "demo" or "generated" or "all") || products < 8 || customers < 1 || count is < 1 or > 50)
        {
            throw new ArgumentException("--store is sample, demo, generated or all; --products at least 8; --count 1 to 50");
        }

        return new CoverageOptions(store == "all" ? ["sample", "demo", "generated"] : [store], catalog, usage, products, customers, count);
    }
}

/// <summary>
/// Measures product-page coverage through the serving path: the store is built the way the app's first
/// start builds its sample store (<see cref="SampleDataSeeder"/>: catalog saved, events through
/// <see cref="IngestionService"/> in chunks, <see cref="RetrainingService.RetrainAsync"/>, the refresh pumped),
/// then every product's list is fetched over HTTP, as a storefront would, and each item's reason is checked
/// against what it claims: a trained neighbour of the product, a co-viewed pair of its counters, a catalog
/// attribute it shares (<see cref="CatalogSimilarity.Score"/> &gt; 0), a popular product, or a catalog product.
/// </summary>
public sealed class CoverageBenchmark(CoverageOptions options, TextWriter progress)
{
    private const string Visitor = "coverage-visitor";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"| store | products | never interacted | full lists (all) | full lists (never interacted) | full of related items | items with reasons that hold | items in stock | items by source | time |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (var store in options.Stores)
        {
            var (products, events) = store switch
            {
                "sample" => Sample(),
                "generated" => Generated(),
                _ => Demo(),
            };
            var report = await MeasureAsync(store, products, events, cancellationToken);
            Console.WriteLine(report.Row);
        }

        return 0;
    }

    private (IReadOnlyList<Product>, IReadOnlyList<string>) Sample()
    {
        var products = SampleData.Catalog();
        return (products, SampleData.Clickstream(products, DateTimeOffset.UtcNow, 300));
    }

    private (IReadOnlyList<Product>, IReadOnlyList<string>) Generated()
    {
        var products = SampleData.Catalog(productsPerCategory: (options.Products + 7) / 8).Take(options.Products).ToList();
        return (products, SampleData.Clickstream(products, DateTimeOffset.UtcNow, options.Customers));
    }

    /// <summary>The shared demo data: the catalog has ids, names and categories only (price 0, no brand); usage becomes views moved into the last 28 days.</summary>
    private (IReadOnlyList<Product>, IReadOnlyList<string>) Demo()
    {
        var products = File.ReadLines(options.CatalogFile).Select(ParseCsv).Where(f => f.Count >= 3)
            .Select(f => new Product(f[0], f[1], f[2], 0m)).DistinctBy(p => p.Id).ToList();
        var usage = File.ReadLines(options.UsageFile).Select(ParseCsv).Where(f => f.Count >= 3)
            .Select(f => (Customer: f[0], Product: f[1], At: DateTimeOffset.ParseExact(f[2], "yyyy/MM/dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)))
            .OrderBy(u => u.At).ToList();
        var now = DateTimeOffset.UtcNow;
        var (from, to) = (now.AddDays(-28), now.AddMinutes(-5));
        var (first, last) = (usage[0].At, usage[^1].At);
        var span = Math.Max(1, (last - first).Ticks);
        DateTimeOffset Moved(DateTimeOffset at) => from + TimeSpan.FromTicks((long)((double)(at - first).Ticks / span * (to - from).Ticks));
        var events = new List<string>();
        var consented = new HashSet<string>(StringComparer.Ordinal);
        var n = 0;
        foreach (var (customer, product, at) in usage)
        {
            var when = Moved(at);
            if (consented.Add(customer))
            {
                events.Add(JsonSerializer.Serialize(new { id = $"cov-{++n:D7}", type = "consent", customerId = customer, occurredAt = when.AddSeconds(-1), channel = "analytics", granted = true, policyVersion = "2026-01", source = "cookie_banner" }));
            }

            events.Add(JsonSerializer.Serialize(new { id = $"cov-{++n:D7}", type = "view", customerId = customer, productId = product, occurredAt = when }));
        }

        return (products, events);
    }

    private sealed record Report(string Row, double FullShare);

    private async Task<Report> MeasureAsync(string store, IReadOnlyList<Product> catalog, IReadOnlyList<string> events, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var settings = new Dictionary<string, string?> { ["Recommender:Storefront:RequestsPerSecond"] = "10000000" };
        await using var app = await BenchApp.StartAsync(StoreKind.Embedded, cancellationToken, extraSettings: settings);
        var services = app.Services;

        // As the app's first start builds its sample store (SampleDataSeeder).
        await services.GetRequiredService<CatalogProvider>().SaveAsync(catalog.ToList(), cancellationToken);
        var ingestion = services.GetRequiredService<IngestionService>();
        var applied = 0;
        foreach (var chunk in events.Chunk(200))
        {
            applied += (await ingestion.IngestAsync(chunk, "seed", cancellationToken)).Applied;
        }

        var trained = await services.GetRequiredService<RetrainingService>().RetrainAsync("coverage benchmark", cancellationToken: cancellationToken);
        var pump = services.GetRequiredService<LocalQueuePump>();
        while (await pump.RunOnceAsync(cancellationToken) > 0)
        {
        }

        progress.WriteLine($"{store}: {catalog.Count:N0} products, {applied:N0} of {events.Count:N0} events applied, model {trained.ModelVersion} ({trained.ItemCount:N0} products with neighbours) after {clock.Elapsed.TotalSeconds:F0} s");

        var interacted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var body in events)
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("productId", out var id))
            {
                interacted.Add(id.GetString()!);
            }
        }

        var products = await services.GetRequiredService<CatalogProvider>().GetAsync(cancellationToken);
        var model = await services.GetRequiredService<ModelStore>().GetCurrentAsync(cancellationToken);
        var popular = model.Popular.Select(p => p.ProductId).ToHashSet(StringComparer.Ordinal);
        var profiles = services.GetRequiredService<ProfileStore>();
        var address = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };

        var lists = new System.Collections.Concurrent.ConcurrentBag<ListCheck>();
        await Parallel.ForEachAsync(catalog, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (product, ct) =>
        {
            var response = await http.GetAsync(new Uri($"/api/recommendations/{Visitor}?placement=product&productId={Uri.EscapeDataString(product.Id)}&count={options.Count}", UriKind.Relative), ct);
            if (!response.IsSuccessStatusCode)
            {
                lists.Add(new ListCheck(product.Id, 0, 0, 0, 0, [$"HTTP {(int)response.StatusCode}"]));
                return;
            }

            var items = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("items").EnumerateArray()
                .Select(i => (Id: i.GetProperty("productId").GetString()!, Code: i.GetProperty("reasonCode").GetString()!)).ToList();
            var coViewed = (await profiles.GetItemAsync(product.Id, ct))?.CoViewed ?? [];
            int holds = 0, inStock = 0, related = 0;
            var sources = new List<string>();
            foreach (var (id, code) in items)
            {
                var offered = products.TryGetValue(id, out var item) && item.InStock && id != product.Id;
                inStock += offered ? 1 : 0;
                var (source, isTrue) = code switch
                {
                    _ when code == $"similar:{product.Id}" && model.NeighborsOf(product.Id).Any(n => n.ProductId == id) => ("model", true),
                    _ when code == $"similar:{product.Id}" && coViewed.ContainsKey(id) => ("co-viewed", true),
                    _ when code == $"content:{product.Id}" => ("content", item is not null && CatalogSimilarity.Score(product, item) > 0),
                    "popular" => ("popular", popular.Contains(id)),
                    "catalog" => ("catalog", item is not null),
                    _ => ($"other ({code.Split(':')[0]})", false),
                };
                holds += isTrue && offered ? 1 : 0;
                related += source is "model" or "co-viewed" or "content" ? 1 : 0;
                sources.Add(source);
            }

            lists.Add(new ListCheck(product.Id, items.Count, holds, inStock, related, sources));
        });

        var all = lists.ToList();
        var never = all.Where(l => !interacted.Contains(l.ProductId)).ToList();
        bool Full(ListCheck l) => l.Items == options.Count && l.Holds == options.Count && l.InStock == options.Count;
        var itemCount = Math.Max(1, all.Sum(l => l.Items));
        var bySource = all.SelectMany(l => l.Sources).GroupBy(s => s).OrderByDescending(g => g.Count())
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {100.0 * g.Count() / itemCount:F1} %"));
        var fullShare = (double)all.Count(Full) / Math.Max(1, all.Count);
        var row = string.Create(CultureInfo.InvariantCulture,
            $"| {store} | {all.Count:N0} | {never.Count:N0} | {100 * fullShare:F1} % ({all.Count(Full):N0}) | {(never.Count == 0 ? "—" : $"{100.0 * never.Count(Full) / never.Count:F1} %")} | " +
            $"{100.0 * all.Count(l => Full(l) && l.Related == options.Count) / Math.Max(1, all.Count):F1} % | {100.0 * all.Sum(l => l.Holds) / itemCount:F1} % | {100.0 * all.Sum(l => l.InStock) / itemCount:F1} % | " +
            $"{string.Join(", ", bySource)} | {clock.Elapsed.TotalSeconds:F0} s |");
        foreach (var thin in all.Where(l => !Full(l)).OrderBy(l => l.ProductId, StringComparer.Ordinal).Take(5))
        {
            progress.WriteLine($"  not full: {thin.ProductId}: {thin.Items} items, {thin.Holds} hold, {thin.InStock} in stock ({string.Join(", ", thin.Sources)})");
        }

        return new Report(row, fullShare);
    }

    private sealed record ListCheck(string ProductId, int Items, int Holds, int InStock, int Related, IReadOnlyList<string> Sources);

    /// <summary>One CSV line's fields (double-quoted fields may hold commas and doubled quotes).</summary>
    private static List<string> ParseCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
