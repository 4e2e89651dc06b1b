using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Recommender.Domain;
using Recommender.Functions.Hosting;
using Recommender.Functions.Messaging;
using Recommender.Functions.Tests.Faults;

namespace Recommender.Functions.Tests;

/// <summary>
/// The whole app in-process on the embedded adapters (a fresh temp folder each), with a fake clock
/// that drives event validation, queue visibility (workflow timers) and webhook timestamps. The
/// queue pump is off: tests run it with <see cref="PumpAsync"/> to control when timers fire.
/// </summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    public const string WebhookSecret = "test-webhook-secret";
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "recommender-tests", Guid.NewGuid().ToString("N"));

    private readonly IReadOnlyDictionary<string, string> _settings;

    public TestApp(Uri? webhookUrl = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        WebhookUrl = webhookUrl;
        _settings = settings ?? new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded" };
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public Uri? WebhookUrl { get; }
    /// <summary>When set, the storage ports are wrapped so it can crash the app between any two writes.</summary>
    public FaultInjector? Faults { get; init; }
    /// <summary>When set, runs after the app's registrations (to replace a client or a port).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// The error the app fails to start with under <paramref name="settings"/> (the same overrides as
    /// <see cref="ConfigureWebHost"/>: a fresh data folder, no pump, seeding or scheduler). The host is
    /// built and started directly on the test server — registration, build and start run in order on
    /// this thread, and options validation (<c>ValidateOnStart</c>) throws from <c>StartAsync</c> — so
    /// no factory teardown can race the error (WebApplicationFactory once surfaced its own
    /// ObjectDisposedException instead under load). Throws when the app starts.
    /// </summary>
    public static Exception StartupError(IReadOnlyDictionary<string, string> settings)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "recommender-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var error = Record.Exception(() =>
            {
                var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = typeof(Program).Assembly.GetName().Name });
                builder.WebHost.UseTestServer();
                var overrides = new Dictionary<string, string?>(settings.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)))
                {
                    ["Recommender:DataDirectory"] = dataDirectory,
                    ["Recommender:QueuePump:Enabled"] = "false",
                    ["Recommender:Seed:Enabled"] = "false",
                    ["Recommender:Scheduler:Enabled"] = "false",
                };
                builder.Configuration.AddInMemoryCollection(overrides);
                builder.AddRecommender();
                using var app = builder.Build();
                app.MapRecommender();
                app.StartAsync().GetAwaiter().GetResult();
                app.StopAsync().GetAwaiter().GetResult();
            });
            return error ?? throw new Xunit.Sdk.XunitException("the app started; a start-up error was expected");
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                try
                {
                    Directory.Delete(dataDirectory, recursive: true);
                }
                catch (IOException)
                {
                    // best effort, as in Dispose
                }
            }
        }
    }

    /// <summary>Handles every message visible now, as the Functions host's queue triggers would.</summary>
    public Task<int> PumpAsync() => Get<LocalQueuePump>().RunOnceAsync();

    public async Task<HttpResponseMessage> PostEventsAsync(params object[] events)
    {
        using var client = CreateClient();
        return await client.PostAsync("/api/events", JsonContent.Create(events, options: Json.Options));
    }

    /// <summary>Records analytics consent for each customer (behaviour becomes features only with it).</summary>
    public async Task GrantAnalyticsAsync(params string[] customers)
    {
        var response = await PostEventsAsync(customers.Select(c => Consent($"analytics-{c}", c, true, "analytics")).ToArray());
        response.EnsureSuccessStatusCode();
    }

    public object View(string id, string customer, string product, TimeSpan? ago = null) =>
        new { id, type = "view", customerId = customer, productId = product, occurredAt = Clock.GetUtcNow() - (ago ?? TimeSpan.FromMinutes(1)) };

    public object AddToCart(string id, string customer, string product, decimal price = 10m) =>
        new { id, type = "add_to_cart", customerId = customer, productId = product, quantity = 1, price, occurredAt = Clock.GetUtcNow() };

    public object RemoveFromCart(string id, string customer, string product) =>
        new { id, type = "remove_from_cart", customerId = customer, productId = product, occurredAt = Clock.GetUtcNow() };

    public object Purchase(string id, string customer, params string[] products) =>
        new { id, type = "purchase", customerId = customer, orderId = "order-" + id, occurredAt = Clock.GetUtcNow(), lines = products.Select(p => new { productId = p, quantity = 1, price = 10m }) };

    /// <summary>A delivery of <paramref name="orderId"/> now, naming the delivered products (none: the field is left out).</summary>
    public object Delivery(string id, string customer, string orderId, params string[] products) => products.Length == 0
        ? new { id, type = "delivery", customerId = customer, orderId, occurredAt = Clock.GetUtcNow() }
        : new { id, type = "delivery", customerId = customer, orderId, productIds = products, occurredAt = Clock.GetUtcNow() };

    /// <summary>A return now of one of each product of <paramref name="orderId"/>.</summary>
    public object Return(string id, string customer, string orderId, params string[] products) =>
        new { id, type = "return", customerId = customer, orderId, lines = products.Select(p => new { productId = p, quantity = 1 }), occurredAt = Clock.GetUtcNow() };

    public object Consent(string id, string customer, bool granted, string channel = "email") =>
        new { id, type = "consent", customerId = customer, channel, granted, policyVersion = "2026-01", source = "signup_form", occurredAt = Clock.GetUtcNow() };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("Recommender:DataDirectory", _dataDirectory);
        builder.UseSetting("Recommender:QueuePump:Enabled", "false");
        builder.UseSetting("Recommender:Seed:Enabled", "false");
        builder.UseSetting("Recommender:Scheduler:Enabled", "false");
        builder.UseSetting("Recommender:Bandit:ExplorationShare", "0"); // deterministic lists; the bandit's own tests turn it on
        if (WebhookUrl is not null)
        {
            builder.UseSetting("Recommender:Webhooks:Email:Url", WebhookUrl.ToString());
            builder.UseSetting("Recommender:Webhooks:Email:Secret", WebhookSecret);
        }

        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
        if (Faults is { } faults)
        {
            builder.ConfigureTestServices(services => services.AddFaultInjection(faults));
        }

        if (TestServices is { } testServices)
        {
            builder.ConfigureTestServices(testServices);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: the OS may still hold the SQLite file briefly
        }
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
