using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Azure.Cosmos;
using Recommender.Adapters.Azure;
using Recommender.Adapters.Embedded;
using Recommender.Domain.Catalog;
using Recommender.Domain.Experiments;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Training;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

/// <summary>
/// Issue 7's "done means": one customer seeded across every store and feature, exported (complete),
/// erased, and then every document, blob (models included) and queue message is scanned for any
/// trace of them; only what the receipt documents as retained may hold one, and it holds exactly that.
/// </summary>
public sealed class PrivacyByDesignTests : WebhookReceiverTests
{
    [Fact]
    public async Task OneCustomerEverywhere_IsExportedCompletely_ThenErasedWithoutTrace_ButTheReceiptsRetention()
    {
        await using var app = new TestApp(settings: PrivacyScenario.Settings(Receiver, new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded" }));
        var scanner = new EmbeddedStoreScanner(app.Get<EmbeddedOptions>());

        await new PrivacyScenario(app, Receiver, scanner, drivesTimers: true).RunAsync();
    }
}

/// <summary>The same on the Azure adapters against Azurite and the Cosmos DB stand-in (timers do not fire there: Azurite's visibility runs on real time).</summary>
[Collection(AzureModeCollection.Name)]
public sealed class PrivacyByDesignAzureTests : WebhookReceiverTests
{
    [Fact]
    public async Task OneCustomerEverywhere_IsExportedCompletely_ThenErasedWithoutTrace_OnCosmosAndAzurite()
    {
        await using var app = await AzureModeTests.CreateAppAsync(settings => PrivacyScenario.Settings(Receiver, settings));
        var scanner = new AzureStoreScanner(app.Get<CosmosClient>(), app.Get<AzureOptions>(), app.Get<BlobContainerClient>(), app.Get<QueueServiceClient>());

        await new PrivacyScenario(app, Receiver, scanner, drivesTimers: false).RunAsync();
    }
}

/// <summary>The seeded customer, what the test knows about them, and the checks.</summary>
internal sealed class PrivacyScenario(TestApp app, WebhookReceiver receiver, IStoreScanner scanner, bool drivesTimers)
{
    public const string CustomerId = "zq-leaver-4711";
    public const string AnonymousId = "zq-cookie-4711";
    public const string SessionId = "zq-session-4711";
    public const string Email = " Zq.Leaver@Example.com ";
    public const string Phone = "+33 6 11 22 33 44";
    public const string Query = "zq secret query";
    public const string OrderId = "zq-order-4711";
    public const string ExperimentId = "zq-exp";
    /// <summary>Every event of the customer has an id with this prefix (the consents recorded through the API excepted).</summary>
    public const string EventPrefix = "zqe-";

    private static readonly string CustomerHash = Sha(CustomerId);
    private static readonly string VisitorHash = Sha("anon:" + AnonymousId);

    /// <summary>The privacy actions the scenario takes about the customer: each leaves one audit entry.</summary>
    private int _auditedActions;

    public static string Sha(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>Every provider on the receiver, no quiet hours (reminders go out whatever the hour the test runs at).</summary>
    public static Dictionary<string, string> Settings(WebhookReceiver receiver, IReadOnlyDictionary<string, string> baseSettings)
    {
        var settings = receiver.ProviderSettings("email", "push", "sms");
        settings["Recommender:Messaging:QuietHoursStart"] = "00:00:00";
        settings["Recommender:Messaging:QuietHoursEnd"] = "00:00:00";
        foreach (var (key, value) in baseSettings)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>What identifies the customer, directly or as the hashes and pseudonyms the system derives.</summary>
    private static Dictionary<string, string> Identifiers() => new(StringComparer.Ordinal)
    {
        ["customer id"] = CustomerId,
        ["anonymous id"] = AnonymousId,
        ["session id"] = SessionId,
        ["email"] = Email.Trim().ToLowerInvariant(),
        ["phone"] = "+33611223344",
        ["email SHA-256"] = Sha(Email.Trim().ToLowerInvariant()),
        ["phone SHA-256"] = Sha("+33611223344"),
        ["search query"] = Query,
        ["IP address"] = "203.0.113.77",
        ["experiment subject key"] = ExperimentStore.SubjectKey(ExperimentId, CustomerId),
        ["customer id SHA-256"] = CustomerHash,
        ["anonymous subject SHA-256"] = VisitorHash,
        ["event id"] = EventPrefix,
        ["order id"] = OrderId,
    };

    public async Task RunAsync()
    {
        receiver.Clock = app.Clock.GetUtcNow;
        using var client = app.CreateClient();
        var recommendation = await SeedAsync(client);
        await AssertExportIsCompleteAsync(client, recommendation);

        var receipt = await EraseAsync(client);
        await PostAfterErasureAsync();

        var traces = await ScanAsync();
        AssertOnlyTheReceiptsRetention(traces, receipt, timersMayLinger: true);
        AssertNoTraceOfThoseWhoMayNotBeProfiled(traces);
        await AssertTheModelForgotThemAsync();
        if (drivesTimers)
        {
            // Timers queued before the erasure fire within one queue hop, find nothing and are gone.
            app.Clock.Advance(IWorkQueue.MaxDelay);
            await app.PumpAsync();
            AssertOnlyTheReceiptsRetention(await ScanAsync(), receipt, timersMayLinger: false);
        }
    }

    /// <summary>
    /// Issue 14: customers whose behaviour may not be kept — never consented, withdrew, objected, a
    /// minor — each send behaviour marked with their own event ids, session id and search text.
    /// </summary>
    private static readonly string[] Unprofiled = ["never", "withdrawn", "objector", "minor"];

    private static string UnprofiledId(string who) => $"zq-{who}-5150";

    private async Task SeedThoseWhoMayNotBeProfiledAsync()
    {
        await app.GrantAnalyticsAsync(UnprofiledId("withdrawn"), UnprofiledId("objector"), UnprofiledId("minor"));
        await PostAsync(app.Consent("zq-withdraw", UnprofiledId("withdrawn"), false, "analytics"),
            new { id = "zq-minor-account", type = "account", customerId = UnprofiledId("minor"), birthYear = app.Clock.GetUtcNow().Year - 13, occurredAt = app.Clock.GetUtcNow() });
        Assert.True(await app.Get<ProfilingObjection>().SetAsync(UnprofiledId("objector"), objects: true));
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        foreach (var who in Unprofiled)
        {
            var customer = UnprofiledId(who);
            await PostAsync(
                new { id = $"zqu-{who}-view", type = "view", customerId = customer, sessionId = $"zqu-session-{who}", productId = "rare-1", occurredAt = app.Clock.GetUtcNow() },
                new { id = $"zqu-{who}-view2", type = "view", customerId = customer, sessionId = $"zqu-session-{who}", productId = "rare-2", occurredAt = app.Clock.GetUtcNow() },
                new { id = $"zqu-{who}-search", type = "search", customerId = customer, sessionId = $"zqu-session-{who}", query = $"zqu secret {who} query", occurredAt = app.Clock.GetUtcNow() },
                new { id = $"zqu-{who}-wish", type = "wishlist_add", customerId = customer, sessionId = $"zqu-session-{who}", productId = "p6", occurredAt = app.Clock.GetUtcNow() });
        }
    }

    /// <summary>Issue 14: after the erasure, the customer's and their cookie's new events are refused at the door (tombstones).</summary>
    private async Task PostAfterErasureAsync()
    {
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var response = await app.PostEventsAsync(Event("late-view", "view", new { productId = "p1" }), Event("late-search", "search", new { query = Query }),
            new { id = EventPrefix + "late-anon", type = "view", anonymousId = AnonymousId, sessionId = SessionId, productId = "p2", occurredAt = app.Clock.GetUtcNow() });
        var body = await TestApp.ReadJsonAsync(response);
        Assert.Equal(0, body.GetProperty("accepted").GetInt32());
        Assert.All(body.GetProperty("results").EnumerateArray(), r => Assert.Equal(Domain.Profiles.ArchiveReasons.Erased, r.GetProperty("error").GetString()));
    }

    /// <summary>
    /// No store holds the behaviour of those who may not be profiled: none of their behavioural event ids,
    /// session ids or search text — and the never-consented customer's id nowhere at all (the others' ids
    /// stay only on the consent, account and objection records they gave).
    /// </summary>
    private static void AssertNoTraceOfThoseWhoMayNotBeProfiled(List<StoredRecord> records)
    {
        var leaks = new List<string>();
        foreach (var record in records)
        {
            foreach (var marker in new[] { "zqu-", "zqu secret", UnprofiledId("never") })
            {
                if (record.Text.Contains(marker, StringComparison.Ordinal) || record.Location.Contains(marker, StringComparison.Ordinal))
                {
                    leaks.Add($"{record.Store} {record.Location}: {marker}");
                }
            }
        }

        Assert.True(leaks.Count == 0, "behaviour of customers who may not be profiled was kept:\n" + string.Join('\n', leaks));
    }

    private object Event(string id, string type, object fields) =>
        MergeJson(new { id = EventPrefix + id, type, customerId = CustomerId, occurredAt = app.Clock.GetUtcNow() }, fields);

    private static JsonElement MergeJson(object head, object tail)
    {
        var merged = JsonSerializer.SerializeToNode(head, Domain.Json.Options)!.AsObject();
        foreach (var (name, value) in JsonSerializer.SerializeToNode(tail, Domain.Json.Options)!.AsObject().ToList())
        {
            merged[name] = value?.DeepClone();
        }

        return JsonSerializer.SerializeToElement(merged);
    }

    private async Task PostAsync(params object[] events)
    {
        var response = await app.PostEventsAsync(events);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Seeds the customer across every store and feature; returns the recommendations they were shown.</summary>
    private async Task<RecommendationResponse> SeedAsync(HttpClient client)
    {
        var now = app.Clock.GetUtcNow();
        await app.Get<CatalogProvider>().SaveAsync(
        [
            new Product("p1", "Runner", "shoes", 60m, Brand: "Acme"), new Product("p2", "Trail", "shoes", 80m, Brand: "Acme"),
            new Product("p3", "Tote", "bags", 30m), new Product("p4", "Socks", "shoes", 5m), new Product("p5", "Cap", "hats", 15m),
            new Product("p6", "Scarf", "hats", 20m), new Product("rare-1", "Rare one", "misc", 99m), new Product("rare-2", "Rare two", "misc", 99m),
        ]);
        (await client.PutAsJsonAsync($"/api/admin/experiments/{ExperimentId}", new
        {
            placement = "home",
            variants = new[] { new { name = "a", weight = 1 }, new { name = "b", weight = 1 } },
            startsAt = now.AddDays(-1),
            endsAt = now.AddDays(60),
        })).EnsureSuccessStatusCode();

        await SeedThoseWhoMayNotBeProfiledAsync();

        // Other customers, so that the model and the counters are more than this one customer.
        await app.GrantAnalyticsAsync("zq-other-1", "zq-other-2");
        await PostAsync(app.View("o1", "zq-other-1", "p1"), app.View("o2", "zq-other-1", "p2"), app.View("o3", "zq-other-2", "p2"),
            app.View("o4", "zq-other-2", "p5"), app.AddToCart("o5", "zq-other-2", "p6"));

        // An anonymous visit with a cookie-banner consent, then a login linking it, then the account facts.
        await PostAsync(
            new { id = EventPrefix + "anon-consent", type = "consent", anonymousId = AnonymousId, channel = "analytics", granted = true, policyVersion = "2026-01", source = "cookie_banner", occurredAt = now.AddMinutes(-9) },
            new { id = EventPrefix + "session", type = "session_start", anonymousId = AnonymousId, sessionId = SessionId, occurredAt = now.AddMinutes(-9), referrer = "https://www.example.net/deals", context = new { ip = "203.0.113.77", device = "mobile", country = "FR", locale = "fr-FR" } },
            new { id = EventPrefix + "anon-view", type = "view", anonymousId = AnonymousId, sessionId = SessionId, productId = "p5", occurredAt = now.AddMinutes(-8) });
        await PostAsync(new { id = EventPrefix + "identify", type = "identify", customerId = CustomerId, anonymousId = AnonymousId, occurredAt = now.AddMinutes(-7) },
            Event("account", "account", new { email = Email, phone = Phone, birthYear = 1985, timeZone = "Europe/Paris" }));

        // Consent history through the API (each one audited).
        foreach (var channel in new[] { "analytics", "personalization", "email", AdAudiences.ConsentChannel })
        {
            var consent = await client.PostAsJsonAsync($"/api/privacy/consents/{CustomerId}", new { channel, granted = true, policyVersion = "2026-01", source = "preference_centre" });
            Assert.Equal(HttpStatusCode.Accepted, consent.StatusCode);
            _auditedActions++;
        }

        // Behaviour: views (only they viewed rare-1 and rare-2 together), a search, a wishlist, a refused event (a dead letter).
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await PostAsync(Event("v-rare-1", "view", new { productId = "rare-1" }), Event("v-rare-2", "view", new { productId = "rare-2" }),
            Event("v-p1", "view", new { productId = "p1" }), Event("v-p2", "view", new { productId = "p2" }),
            Event("search", "search", new { query = Query, resultIds = new[] { "p1", "p2" }, resultCount = 2 }),
            Event("wish", "wishlist_add", new { productId = "p6" }));
        await app.PostEventsAsync(Event("bad", "view", new { }));

        // A model trained with them in it, and their cached list.
        await app.Get<RetrainingService>().RetrainAsync("privacy-test");
        await app.PumpAsync();
        Assert.Contains((await app.Get<ModelStore>().GetCurrentAsync()).NeighborsOf("rare-1"), n => n.ProductId == "rare-2");
        Assert.NotNull(await app.Get<IDocumentStore>().ReadAsync(Collections.Recommendations, CustomerId, CustomerId));

        // Recommendations shown (an experiment exposure and bandit impression) and clicked.
        var shown = (await client.GetFromJsonAsync<RecommendationResponse>($"/api/recommendations/{CustomerId}", Domain.Json.Options))!;
        Assert.True(shown.Personalized);
        Assert.NotNull(shown.Variant);
        await PostAsync(Event("impression", "recommendation_impression", new { recommendationId = shown.RecommendationId, placement = "home", variant = shown.Variant, productIds = shown.Items.Select(i => i.ProductId).Take(3) }),
            Event("click", "recommendation_click", new { recommendationId = shown.RecommendationId, placement = "home", variant = shown.Variant, position = 0, productId = shown.Items[0].ProductId }));

        if (drivesTimers)
        {
            // Browse abandonment fires two hours after the last view; the provider refuses it: a dead-lettered message.
            receiver.AnswerNext(410);
            app.Clock.Advance(TimeSpan.FromHours(2));
            await app.PumpAsync();
        }

        // A purchase (an experiment conversion and a bandit reward), then a cart left behind.
        await PostAsync(Event("order", "purchase", new { orderId = OrderId, lines = new[] { new { productId = "p3", quantity = 1, price = 30m, recommendationId = shown.RecommendationId } }, total = 30m, currency = "EUR" }));
        await PostAsync(Event("cart", "add_to_cart", new { productId = "p4", quantity = 2, price = 5m }));
        if (drivesTimers)
        {
            // The first cart reminder goes out four hours later; two more stay queued.
            app.Clock.Advance(TimeSpan.FromHours(4));
            await app.PumpAsync();
        }

        // A rectification, and the ad-audience export that includes them.
        var rectified = await client.PatchAsync($"/api/privacy/rectification/{CustomerId}", JsonContent.Create(new { timeZone = "Europe/Berlin" }));
        Assert.Equal(HttpStatusCode.OK, rectified.StatusCode);
        _auditedActions++;
        var audience = (await client.GetFromJsonAsync<AdAudienceExport>("/api/privacy/ad-audiences", Domain.Json.Options))!;
        Assert.Contains(Identifiers()["email SHA-256"], audience.EmailSha256);
        Assert.Contains(Identifiers()["phone SHA-256"], audience.PhoneSha256);
        return shown;
    }

    private async Task AssertExportIsCompleteAsync(HttpClient client, RecommendationResponse shown)
    {
        var export = await client.GetFromJsonAsync<JsonElement>($"/api/privacy/export/{CustomerId}");
        _auditedActions++;

        Assert.Equal([CustomerId, "anon:" + AnonymousId], Strings(export.GetProperty("subjects")));
        var profile = export.GetProperty("profile");
        Assert.Equal(Identifiers()["email SHA-256"], profile.GetProperty("emailSha256").GetString());
        Assert.Equal(Identifiers()["phone SHA-256"], profile.GetProperty("phoneSha256").GetString());
        Assert.Equal(1985, profile.GetProperty("birthYear").GetInt32());
        Assert.Equal("Europe/Berlin", profile.GetProperty("timeZone").GetString());
        Assert.Equal([AnonymousId], Strings(profile.GetProperty("anonymousIds")));
        Assert.Equal(["ad_audiences", "analytics", "email", "personalization"], profile.GetProperty("consents").EnumerateObject().Select(c => c.Name).Order());
        Assert.True(profile.GetProperty("consentHistory").GetArrayLength() >= 4);
        Assert.Equal(["p1", "p2", "p5", "rare-1", "rare-2"], profile.GetProperty("recentViews").EnumerateArray().Select(v => v.GetProperty("productId").GetString()).Order());
        Assert.Equal(Query, profile.GetProperty("recentSearches")[0].GetProperty("query").GetString());
        Assert.True(profile.GetProperty("wishlist").TryGetProperty("p6", out _));
        Assert.True(profile.GetProperty("purchased").TryGetProperty("p3", out _));
        Assert.True(profile.GetProperty("cart").TryGetProperty("p4", out _));
        Assert.True(profile.GetProperty("categoryAffinities").EnumerateObject().Any());

        // Every archived event of the customer and of the linked visitor, and nobody else's.
        var events = export.GetProperty("events").EnumerateArray().ToList();
        var ids = events.Select(e => e.GetProperty("id").GetString()!).ToList();
        string[] expected = ["anon-consent", "session", "anon-view", "identify", "account", "v-rare-1", "v-rare-2", "v-p1", "v-p2", "search", "wish", "impression", "click", "order", "cart"];
        Assert.Equal(expected.Select(id => EventPrefix + id).Order(), ids.Where(id => id.StartsWith(EventPrefix, StringComparison.Ordinal)).Order());
        Assert.Equal(4, ids.Count(id => id.StartsWith("consent-", StringComparison.Ordinal)));  // recorded through the API
        Assert.Equal(1, ids.Count(id => id.StartsWith("rectification-", StringComparison.Ordinal)));
        Assert.Equal(expected.Length + 5, events.Count);
        Assert.All(events, e => Assert.True(e.TryGetProperty("customerId", out var c) ? c.GetString() == CustomerId : e.GetProperty("anonymousId").GetString() == AnonymousId));

        // The cached list as stored now (refreshed after the purchase and cart add, so not the list shown before them).
        var cachedNow = await app.Get<IDocumentStore>().GetAsync<CachedRecommendations>(Collections.Recommendations, CustomerId, CustomerId);
        Assert.NotEmpty(cachedNow!.Items);
        Assert.Equal(cachedNow.Items.Select(i => i.ProductId), export.GetProperty("cachedRecommendations").GetProperty("items").EnumerateArray().Select(i => i.GetProperty("productId").GetString()));
        var experiment = Assert.Single(export.GetProperty("experiments").EnumerateArray());
        Assert.Equal(ExperimentId, experiment.GetProperty("experimentId").GetString());
        Assert.Equal(shown.Variant, experiment.GetProperty("variant").GetString());
        Assert.True(experiment.GetProperty("converted").GetBoolean());
        Assert.Equal(1, experiment.GetProperty("orders").GetInt32());

        var workflows = export.GetProperty("workflows").EnumerateArray().Select(w => w.GetProperty("id").GetString()!).ToList();
        Assert.Contains("cart-abandonment", workflows);
        Assert.Contains("browse-abandonment", workflows);
        var letters = export.GetProperty("deadLetters").EnumerateArray().ToList();
        Assert.Contains(letters, l => l.GetProperty("eventId").GetString() == EventPrefix + "bad");
        if (drivesTimers)
        {
            Assert.Contains(workflows, w => w.StartsWith("msg:cart-abandonment:", StringComparison.Ordinal));  // sent
            Assert.Contains(workflows, w => w.StartsWith("msg:browse-abandonment:", StringComparison.Ordinal)); // dead-lettered
            Assert.Contains(letters, l => l.GetProperty("source").GetString() == "webhook:email");
        }
    }

    private async Task<JsonElement> EraseAsync(HttpClient client)
    {
        app.Clock.Advance(TimeSpan.FromSeconds(1)); // models trained before the erasure are told apart by their training time
        var started = await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = CustomerId });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        _auditedActions += 2; // started, completed
        var requestId = (await TestApp.ReadJsonAsync(started)).GetProperty("requestId").GetString()!;
        await app.PumpAsync();

        var status = await client.GetFromJsonAsync<JsonElement>($"/api/privacy/erasure/{requestId}");
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.All(status.GetProperty("tasks").EnumerateObject(), t => Assert.Equal("done", t.Value.GetProperty("state").GetString()));

        // One signed deletion request per provider, naming them by customer id.
        var deletions = receiver.Deliveries.Where(d => d.Body.Contains("\"erasure_request\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(["email", "push", "sms"], deletions.Select(d => d.Channel).Order());
        Assert.All(deletions, d => Assert.True(d.SignatureValid));
        Assert.All(deletions, d => Assert.Contains(CustomerId, d.Body, StringComparison.Ordinal));
        return status.GetProperty("receipt");
    }

    private async Task<List<StoredRecord>> ScanAsync()
    {
        var records = new List<StoredRecord>();
        await foreach (var record in scanner.ReadAllAsync())
        {
            records.Add(record);
        }

        return records;
    }

    /// <summary>
    /// No identifier anywhere, except in the categories the receipt lists as retained — and those
    /// hold exactly what it says: pseudonymized orders and consent decisions (counted), the audit
    /// entries of the privacy actions, the erasure request, and (before they fire) queued timers.
    /// </summary>
    private void AssertOnlyTheReceiptsRetention(List<StoredRecord> records, JsonElement receipt, bool timersMayLinger)
    {
        var identifiers = Identifiers();
        var retained = receipt.GetProperty("retained").EnumerateArray().ToDictionary(r => r.GetProperty("what").GetString()!, r => r);
        int pseudonymized = 0, audit = 0, requests = 0, timers = 0;
        var leaks = new List<string>();
        foreach (var record in records)
        {
            // The archive holds one event per line: judge each line on its own.
            var parts = record.Location.StartsWith(BlobPrefixes.Events, StringComparison.Ordinal) ? record.Text.Split('\n') : [record.Text];
            foreach (var text in parts)
            {
                var found = identifiers.Where(i => text.Contains(i.Value, StringComparison.OrdinalIgnoreCase) || record.Location.Contains(i.Value, StringComparison.OrdinalIgnoreCase))
                    .Select(i => i.Key).ToList();
                if (found.Count == 0)
                {
                    continue;
                }

                if (IsPseudonymizedRecord(record, text, found))
                {
                    pseudonymized++;
                }
                else if (record.Location.StartsWith(AuditLog.Prefix, StringComparison.Ordinal) && found.SequenceEqual(["customer id SHA-256"]))
                {
                    audit++;
                }
                else if (record.Location.StartsWith(Collections.Erasures + "/", StringComparison.Ordinal) && found.SequenceEqual(["customer id SHA-256"]))
                {
                    requests++;
                }
                else if (timersMayLinger && IsQueuedTimer(record, found))
                {
                    timers++;
                }
                else
                {
                    leaks.Add($"{record.Store} {record.Location}: {string.Join(", ", found)} in {Shorten(text)}");
                }
            }
        }

        Assert.True(leaks.Count == 0, "traces of the erased customer:\n" + string.Join('\n', leaks));
        Assert.Equal(retained["orders and returns, and consent decisions, in the event archive"].GetProperty("count").GetInt32(), pseudonymized);
        Assert.Equal(6, pseudonymized); // the order, the four API consents and the visitor's cookie-banner consent
        Assert.False(retained["privacy audit log entries"].TryGetProperty("count", out _)); // not counted: every action about them
        Assert.Equal(_auditedActions, audit);
        Assert.Equal(retained["this erasure request"].GetProperty("count").GetInt32(), requests);
        Assert.True(retained.ContainsKey("workflow timer messages queued before the erasure"));
        Assert.Equal(4, retained.Count);
        Assert.Equal(0, timers); // queued timers are sealed for their customer and hold no raw id at all (issue 14, TimerSeal)
    }

    /// <summary>A purchase, return or consent decision kept with the pseudonym in place of the subject and no other identifier.</summary>
    private static bool IsPseudonymizedRecord(StoredRecord record, string line, List<string> found)
    {
        if (!record.Location.StartsWith(BlobPrefixes.Events, StringComparison.Ordinal) || line.Length == 0)
        {
            return false;
        }

        var e = JsonDocument.Parse(line).RootElement;
        var pseudonym = e.GetProperty("customerId").GetString();
        return e.GetProperty("type").GetString() is "purchase" or "return" or "consent"
            && (pseudonym == "erased:" + CustomerHash || pseudonym == "erased:" + VisitorHash)
            && !e.TryGetProperty("anonymousId", out _) && !e.TryGetProperty("sessionId", out _) && !e.TryGetProperty("context", out _)
            && found.All(f => f is "customer id SHA-256" or "anonymous subject SHA-256" or "event id" or "order id");
    }

    /// <summary>A workflow timer queued before the erasure: on a workflow queue, holding the customer id and nothing else of theirs.</summary>
    private static bool IsQueuedTimer(StoredRecord record, List<string> found) =>
        record.Store == StoredRecord.Queues
        && (record.Location.StartsWith(CartAbandonmentWorkflow.Queue + "/", StringComparison.Ordinal) || record.Location.StartsWith(BrowseAbandonmentWorkflow.Queue + "/", StringComparison.Ordinal)
            || record.Location.StartsWith(DeliveryService.Queue + "/", StringComparison.Ordinal))
        && found.SequenceEqual(["customer id"]);

    private async Task AssertTheModelForgotThemAsync()
    {
        var models = app.Get<ModelStore>();
        var pointer = (await models.GetPointerAsync())!;
        var served = (await models.GetVersionAsync(pointer.Version))!;
        Assert.DoesNotContain(served.NeighborsOf("rare-1"), n => n.ProductId == "rare-2");
        foreach (var manifest in await models.ListAsync())
        {
            if (manifest.Version != pointer.Version)
            {
                Assert.Null(await models.GetVersionAsync(manifest.Version)); // trained with them: deleted, the manifest stays
                await Assert.ThrowsAsync<ModelVersionUnavailableException>(() => models.PointToAsync(manifest.Version, "rollback", pinned: false));
            }
        }
    }

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(s => s.GetString()!).ToList();

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
