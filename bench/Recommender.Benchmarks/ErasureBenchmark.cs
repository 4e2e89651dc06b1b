using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Training;
using Recommender.Functions.Seeding;

namespace Recommender.Benchmarks;

/// <summary>
/// "Erasure completes in under a minute locally", measured: the app as <c>dotnet run</c> runs it
/// (embedded store, queue pump on, polling every second) with the generated sample store around one customer who
/// has a realistic history sent through the HTTP API — a visit before login, account details, four
/// consents, <see cref="ErasureOptions.History"/> events over four weeks (views, searches, carts,
/// wishlist, recommendations shown and clicked, purchases) — a model trained with them and their
/// cached list; then <c>POST /api/privacy/erasure</c> and <c>GET</c> of its status every 100 ms until
/// it completes. Prints the elapsed time and when each task finished.
/// </summary>
public sealed class ErasureBenchmark(ErasureOptions options, TextWriter progress)
{
    public const string CustomerId = "bench-erasure-subject";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Recommender:QueuePump:Enabled"] = "true",
            ["Recommender:Scheduler:Enabled"] = "false",
        };
        await using var app = await BenchApp.StartAsync(StoreKind.Embedded, cancellationToken, extraSettings: settings);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };

        var setup = Stopwatch.StartNew();
        var products = SampleData.Catalog();
        await app.Services.GetRequiredService<CatalogProvider>().SaveAsync(products, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var ingestion = app.Services.GetRequiredService<IngestionService>();
        var storeEvents = 0;
        foreach (var chunk in SampleData.Clickstream(products, now, options.Customers).Chunk(200))
        {
            storeEvents += (await ingestion.IngestAsync(chunk, "bench", cancellationToken)).Applied;
        }

        foreach (var channel in new[] { "analytics", "personalization", "email", "ad_audiences" })
        {
            (await http.PostAsJsonAsync($"/api/privacy/consents/{CustomerId}",
                new { channel, granted = true, policyVersion = "2026-01", source = "signup_form" }, cancellationToken)).EnsureSuccessStatusCode();
        }

        var history = History(products, now);
        var accepted = 0;
        foreach (var batch in history.Chunk(100))
        {
            var response = await http.PostAsJsonAsync("/api/events", batch, cancellationToken);
            response.EnsureSuccessStatusCode();
            var results = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("results");
            accepted += results.EnumerateArray().Count(r => r.GetProperty("accepted").GetBoolean());
        }

        await app.Services.GetRequiredService<RetrainingService>().RetrainAsync("erasure benchmark", cancellationToken: cancellationToken);
        await WaitForCachedListAsync(http, cancellationToken);
        progress.WriteLine($"store of {options.Customers} customers ({storeEvents} events) and {CustomerId} with {accepted} of {history.Count} events, " +
            $"4 consents, a model and a cached list, in {setup.Elapsed.TotalSeconds:F1} s.");

        var clock = Stopwatch.StartNew();
        var started = await http.PostAsJsonAsync("/api/privacy/erasure", new { customerId = CustomerId }, cancellationToken);
        started.EnsureSuccessStatusCode();
        var location = started.Headers.Location!;
        JsonElement status;
        do
        {
            await Task.Delay(PollInterval, cancellationToken);
            status = await http.GetFromJsonAsync<JsonElement>(location, cancellationToken);
        }
        while (status.GetProperty("status").GetString() == "in_progress" && clock.Elapsed < options.Timeout);

        var elapsed = clock.Elapsed;
        var requestedAt = status.GetProperty("requestedAt").GetDateTimeOffset();
        foreach (var task in status.GetProperty("tasks").EnumerateObject().OrderBy(t => t.Value.TryGetProperty("completedAt", out var at) ? at.GetDateTimeOffset() : DateTimeOffset.MaxValue))
        {
            var done = task.Value.TryGetProperty("completedAt", out var at) ? $"{(at.GetDateTimeOffset() - requestedAt).TotalSeconds,6:F2} s" : "   not done";
            var retained = task.Value.GetProperty("retained").GetInt32() is > 0 and var kept ? $", kept pseudonymized {kept}" : "";
            progress.WriteLine($"  {task.Name,-24} {task.Value.GetProperty("state").GetString(),-8} {done}  removed {task.Value.GetProperty("removed").GetInt32()}{retained}");
        }

        var outcome = status.GetProperty("status").GetString();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"erasure {outcome} in {elapsed.TotalSeconds:F1} s (POST to completed status, polled every {PollInterval.TotalMilliseconds:F0} ms; queue pump polling every 1 s)"));
        return outcome == "completed" ? 0 : 1;
    }

    /// <summary>The refresh fan-out after training runs on the queue pump: wait until the customer's list is served from the cache.</summary>
    private static async Task WaitForCachedListAsync(HttpClient http, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 600; i++)
        {
            var list = await http.GetFromJsonAsync<JsonElement>($"/api/recommendations/{CustomerId}", cancellationToken);
            if (list.GetProperty("source").GetString() == "cache")
            {
                return;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        throw new InvalidOperationException($"{CustomerId}'s list never reached the cache");
    }

    /// <summary>
    /// A visit before login and the login, account details, then the history spread over the last 28
    /// days in sessions: mostly views, and searches, cart changes, wishlist adds, recommendations shown
    /// and clicked, purchases. Deterministic.
    /// </summary>
    private List<object> History(IReadOnlyList<Product> products, DateTimeOffset now)
    {
        var random = new Random(11);
        const string visitor = "bench-erasure-cookie";
        var start = now.AddDays(-28);
        var events = new List<object>
        {
            new { id = "be-anon-view", type = "view", anonymousId = visitor, productId = products[0].Id, occurredAt = start },
            new { id = "be-login", type = "identify", customerId = CustomerId, anonymousId = visitor, occurredAt = start.AddMinutes(1) },
            new { id = "be-account", type = "account", customerId = CustomerId, email = "erasure.bench@example.com", phone = "+33612345678", birthYear = 1984, timeZone = "Europe/Paris", occurredAt = start.AddMinutes(2) },
        };
        var step = (now.AddMinutes(-5) - start.AddMinutes(3)) / options.History;
        for (var i = 0; i < options.History; i++)
        {
            var at = start.AddMinutes(3) + (step * i);
            var product = products[random.Next(products.Count)].Id;
            var id = $"be-{i:D5}";
            var session = $"bench-session-{i / 12}";
            var roll = random.Next(100);
            events.Add(roll switch
            {
                < 60 => new { id, type = "view", customerId = CustomerId, sessionId = session, productId = product, occurredAt = at },
                < 70 => new { id, type = "search", customerId = CustomerId, sessionId = session, query = $"query {random.Next(40)}", occurredAt = at },
                < 78 => new { id, type = "add_to_cart", customerId = CustomerId, sessionId = session, productId = product, quantity = 1, price = 20m, occurredAt = at },
                < 80 => new { id, type = "remove_from_cart", customerId = CustomerId, sessionId = session, productId = product, occurredAt = at },
                < 85 => new { id, type = "wishlist_add", customerId = CustomerId, sessionId = session, productId = product, occurredAt = at },
                < 93 => (object)new { id, type = "recommendation_impression", customerId = CustomerId, sessionId = session, recommendationId = $"rec-bench-{i}", placement = "home", productIds = new[] { product }, occurredAt = at },
                < 96 => new { id, type = "recommendation_click", customerId = CustomerId, sessionId = session, recommendationId = $"rec-bench-{i - 1}", placement = "home", position = 0, productId = product, occurredAt = at },
                _ => new { id, type = "purchase", customerId = CustomerId, sessionId = session, orderId = $"bench-order-{i}", lines = new[] { new { productId = product, quantity = 1, price = 20m } }, total = 20m, currency = "EUR", occurredAt = at },
            });
        }

        // A cart left just now: cart abandonment is armed (its state and timers are part of what goes).
        events.Add(new { id = "be-cart-now", type = "add_to_cart", customerId = CustomerId, productId = products[1].Id, quantity = 1, price = 20m, occurredAt = now.AddMinutes(-2) });
        return events;
    }
}
