using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Functions.Security;

namespace Recommender.Benchmarks;

/// <summary>
/// The app for the <c>serve</c> benchmark (<c>bench/serve.sh</c> drives it with wrk): Kestrel on
/// 127.0.0.1, embedded store, queue pump, scheduler and seeding off, one storefront client (so the
/// key check and the rate limiter are on the measured path, with a limit wrk cannot reach), then a
/// catalog of <see cref="ServeOptions.Items"/> products, a trained item-item model promoted as the
/// served one, and <see cref="ServeOptions.Customers"/> customers (<c>bench-000000</c>...) with a
/// profile and a cached ranked list, all written through the app's own services.
/// </summary>
public sealed class ServeBenchmark(ServeOptions options, TextWriter progress)
{
    public const string CustomerPrefix = "bench-";
    private const int Categories = 50;
    private const int NeighborsPerItem = 20;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var settings = new Dictionary<string, string?>
        {
            ["Recommender:Scheduler:Enabled"] = "false",
            ["Recommender:Storefront:Clients:bench:KeySha256"] = StorefrontKeys.Hash(key),
            ["Recommender:Storefront:RequestsPerSecond"] = "10000000",
            ["Recommender:Storefront:ClientRequestsPerSecond"] = "10000000", // limits follow the key: the bench client's too
        };
        await using var app = await BenchApp.StartAsync(StoreKind.Embedded, cancellationToken, $"http://127.0.0.1:{options.Port}", settings);
        var setup = Stopwatch.StartNew();
        var products = Catalog();
        await app.Services.GetRequiredService<CatalogProvider>().SaveAsync(products, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        await app.Services.GetRequiredService<ModelStore>().PromoteAsync(Model(products, now), cancellationToken);
        // A live store reports the lists it shows, and the bandit explores a placement only once it has: one reported
        // impression per placement, so a tenth of home and email requests explore, as in production.
        await app.Services.GetRequiredService<BanditPolicy>().RecordAsync(
            [.. new[] { "home", "email" }.Select(p => new BanditEvent(BanditPolicy.RecommendationIdOf(p, "known", "personalized", Guid.NewGuid()), BanditFeedback.Impression, now))],
            cancellationToken);
        progress.WriteLine($"catalog of {products.Count} products and a model in {setup.Elapsed.TotalSeconds:F1} s; writing {options.Customers} customers...");

        var profiles = app.Services.GetRequiredService<ProfileStore>();
        var recommendations = app.Services.GetRequiredService<RecommendationService>();
        var written = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Customers), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var profile = Profile(i, products, now);
            await profiles.UpdateAsync(profile.CustomerId, _ => profile, ct);
            await recommendations.RefreshCacheAsync(profile, ct);
            if (Interlocked.Increment(ref written) % 10_000 == 0)
            {
                progress.WriteLine($"  {written} customers ({setup.Elapsed.TotalSeconds:F0} s)");
            }
        });

        var check = await recommendations.GetAsync(new RecommendationRequest(CustomerPrefix + "000000", Placement.Home, 10, null), cancellationToken);
        progress.WriteLine($"ready after {setup.Elapsed.TotalSeconds:F1} s of setup: {CustomerPrefix}000000 is served {check.Items.Count} items from '{check.Source}'.");
        if (options.ProfileIterations > 0)
        {
            await ServeProfile.RunAsync(app.Services, options.Customers, options.ProfileIterations, progress, cancellationToken);
            return 0;
        }

        if (options.FirstServes > 0)
        {
            await ServeFirstTouches.RunAsync(app.Services, options.Customers, options.FirstServes, progress, cancellationToken);
            return 0;
        }

        if (options.WriterIterations > 0)
        {
            await ServeJsonWriters.RunAsync(app.Services, options.WriterIterations, progress, cancellationToken);
            return 0;
        }

        if (options.ReadyFile is not null)
        {
            await File.WriteAllTextAsync(options.ReadyFile, key, cancellationToken);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // stopped by SIGINT/SIGTERM: dispose the app and its data
        }

        return 0;
    }

    private List<Product> Catalog() =>
        Enumerable.Range(0, options.Items)
            .Select(i => new Product(ItemId(i), $"Product {i}", $"category-{i % Categories:D2}", 5 + (i % 200), InStock: i % 37 != 0, Brand: $"brand-{i % 120:D3}"))
            .ToList();

    /// <summary>Each product's neighbours: mostly its own category, a few others, with decreasing scores.</summary>
    private static ItemSimilarityModel Model(List<Product> products, DateTimeOffset now)
    {
        var random = new Random(42);
        var neighbors = new Dictionary<string, IReadOnlyList<ScoredItem>>(products.Count, StringComparer.Ordinal);
        for (var i = 0; i < products.Count; i++)
        {
            var list = new List<ScoredItem>(NeighborsPerItem);
            var seen = new HashSet<int> { i };
            for (var n = 0; n < NeighborsPerItem; n++)
            {
                var j = n % 4 == 3 ? random.Next(products.Count) : (i + Categories * random.Next(1, 40)) % products.Count;
                if (seen.Add(j))
                {
                    list.Add(new ScoredItem(products[j].Id, Math.Round(0.9 / (n + 1), 6)));
                }
            }

            neighbors[products[i].Id] = list;
        }

        return new ItemSimilarityModel
        {
            Version = "bench-" + now.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture),
            TrainedAt = now,
            EventCount = products.Count * 100,
            CustomerCount = 100_000,
            Neighbors = neighbors,
            Popular = products.Take(200).Select((p, i) => new ScoredItem(p.Id, 1.0 / (i + 1))).ToList(),
        };
    }

    /// <summary>A consenting adult with a few recent views, a cart line and a purchase.</summary>
    private static CustomerProfile Profile(int i, List<Product> products, DateTimeOffset now)
    {
        var random = new Random(i);
        var profile = new CustomerProfile { CustomerId = $"{CustomerPrefix}{i:D6}", CreatedAt = now.AddDays(-30), UpdatedAt = now, LastEventAt = now.AddMinutes(-5) };
        profile.Consents[ConsentChannels.Analytics] = new ConsentRecord(true, now.AddDays(-30), "2026-01", "bench", $"consent-{i}");
        for (var v = 0; v < 5; v++)
        {
            profile.RecentViews.Add(new RecentItem(products[random.Next(products.Count)].Id, now.AddMinutes(-10 * (v + 1))));
        }

        var cart = products[random.Next(products.Count)];
        profile.Cart[cart.Id] = new CartLine(cart.Id, 1, cart.Price, now.AddMinutes(-3));
        profile.Purchased[products[random.Next(products.Count)].Id] = now.AddDays(-7);
        return profile;
    }

    private static string ItemId(int i) => $"P{i:D5}";
}
