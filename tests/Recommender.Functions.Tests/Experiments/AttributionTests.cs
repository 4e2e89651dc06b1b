using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain.Attribution;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;
using Recommender.Domain.Segments;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Functions.Tests;

/// <summary>
/// Attribution end to end: events through ingestion, the daily counters, and the report route —
/// the exact split per model, reconciliation with the store revenue, redelivery, refunds, bad input.
/// </summary>
public class AttributionTests
{
    internal static Dictionary<string, object> Event(string id, string type, string customer, DateTimeOffset at, params (string Key, object Value)[] fields)
    {
        var e = new Dictionary<string, object> { ["id"] = id, ["type"] = type, ["customerId"] = customer, ["occurredAt"] = at };
        foreach (var (key, value) in fields)
        {
            e[key] = value;
        }

        return e;
    }

    internal static object Impression(string id, string customer, DateTimeOffset at, string placement = "home", string variant = "B", string? recommendationId = null) =>
        Event(id, "recommendation_impression", customer, at, ("recommendationId", recommendationId ?? "r-" + id), ("placement", placement), ("variant", variant),
            ("productIds", new[] { "p1", "p2" }));

    internal static object MessageClick(string id, string customer, DateTimeOffset at, string campaign = "spring", string type = "email_click") =>
        Event(id, type, customer, at, ("messageId", "m-" + id), ("campaignId", campaign), ("productId", "p1"));

    internal static object Purchase(string id, string customer, DateTimeOffset at, decimal total, string? orderId = null, string currency = "EUR", string? recommendationId = null) =>
        Event(id, "purchase", customer, at, ("orderId", orderId ?? "o-" + id), ("total", total), ("currency", currency),
            ("lines", new object[] { recommendationId is null ? new { productId = "p1", quantity = 1, price = total } : new { productId = "p1", quantity = 1, price = total, recommendationId } }));

    internal static object Refund(string id, string customer, DateTimeOffset at, string orderId, decimal amount, string currency = "EUR") =>
        Event(id, "return", customer, at, ("orderId", orderId), ("refundAmount", amount), ("currency", currency), ("lines", new[] { new { productId = "p1", quantity = 1 } }));

    /// <summary>Analytics consent, and consent to email and push tracking (opens and clicks count only with it).</summary>
    internal static async Task GrantAsync(TestApp app, params string[] customers)
    {
        await app.GrantAnalyticsAsync(customers);
        await PostAsync(app, [.. customers.SelectMany(c => new[] { app.Consent($"et-{c}", c, true, "email_tracking"), app.Consent($"pt-{c}", c, true, "push_tracking") })]);
    }

    internal static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static async Task<JsonElement> ReportAsync(TestApp app, string filters = "")
    {
        using var client = app.CreateClient();
        var now = app.Clock.GetUtcNow();
        var response = await client.GetAsync($"/api/admin/attribution?from={Day(now.AddDays(-3))}&to={Day(now.AddDays(1))}{filters}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TestApp.ReadJsonAsync(response);
    }

    internal static async Task PostAsync(TestApp app, params object[] events)
    {
        var response = await app.PostEventsAsync(events);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    internal static JsonElement Bucket(JsonElement report, string channel, string source, string variant = "-") =>
        report.GetProperty("buckets").EnumerateArray().Single(b => b.GetProperty("channel").GetString() == channel && b.GetProperty("source").GetString() == source
            && b.GetProperty("variant").GetString() == variant).GetProperty("figures");

    internal static void AssertModels(JsonElement figures, double lastTouch, double linear, double timeDecay)
    {
        var attributed = figures.GetProperty("attributed");
        Assert.Equal(lastTouch, attributed.GetProperty("lastTouch").GetDouble(), 2);
        Assert.Equal(linear, attributed.GetProperty("linear").GetDouble(), 2);
        Assert.Equal(timeDecay, attributed.GetProperty("timeDecay").GetDouble(), 2);
    }

    internal static void AssertReconciles(JsonElement report, double revenue)
    {
        var store = report.GetProperty("store");
        Assert.Equal(revenue, store.GetProperty("revenue").GetDouble(), 2);
        var reconciled = store.GetProperty("reconciled");
        Assert.Equal(revenue, reconciled.GetProperty("lastTouch").GetDouble(), 2);
        Assert.Equal(revenue, reconciled.GetProperty("linear").GetDouble(), 2);
        Assert.Equal(revenue, reconciled.GetProperty("timeDecay").GetDouble(), 2);
        Assert.True(store.GetProperty("reconciles").GetBoolean());
    }

    internal static long Dropped(JsonElement report, string reason) => report.GetProperty("store").GetProperty("dropped").GetProperty(reason).GetInt64();

    /// <summary>Alice (analytics consent): home impression 24 h before, spring email click 12 h before, a purchase of 90. Bob (no consent): an impression, a purchase of 50.</summary>
    private static object[] Journeys(DateTimeOffset now) =>
    [
        Impression("i1", "alice", now.AddHours(-24)),
        MessageClick("c1", "alice", now.AddHours(-12)),
        Purchase("p1", "alice", now, 90m, orderId: "o-1"),
        Impression("i2", "bob", now.AddHours(-1)),
        Purchase("p2", "bob", now.AddMinutes(-30), 50m),
    ];

    [Fact]
    public async Task Journey_IsSplitExactlyPerModel_ReconcilesWithTheStoreRevenue_AndARedeliveredBatchCountsOnce()
    {
        await using var app = new TestApp();
        await GrantAsync(app, "alice");
        var now = app.Clock.GetUtcNow();
        var batch = Journeys(now);
        await PostAsync(app, batch);

        var report = await ReportAsync(app);
        AssertJourneys(report);

        // The same batch again (Event Hubs redelivery), then a known event in a new batch with a new one: nothing twice.
        await PostAsync(app, batch);
        AssertJourneys(await ReportAsync(app));
        await PostAsync(app, Purchase("p2", "bob", now.AddMinutes(-30), 50m), Impression("i3", "bob", now.AddMinutes(-5)));
        var after = await ReportAsync(app);
        Assert.Equal(3, Bucket(after, "recommendation", "home", "B").GetProperty("impressions").GetInt64());
        AssertReconciles(after, 140);
        Assert.Equal(2, after.GetProperty("store").GetProperty("orders").GetInt64());
    }

    private static void AssertJourneys(JsonElement report)
    {
        // Default half-life of a day: weights 2^-1 and 2^-0.5 → 37.28 and 52.72 of 90.
        var home = Bucket(report, "recommendation", "home", "B");
        Assert.Equal(2, home.GetProperty("impressions").GetInt64());
        Assert.Equal(0, home.GetProperty("orders").GetInt64());
        AssertModels(home, 0, 45, 37.28);
        var email = Bucket(report, "email", "spring");
        Assert.Equal(1, email.GetProperty("clicks").GetInt64());
        Assert.Equal(1, email.GetProperty("orders").GetInt64());
        Assert.Equal(90, email.GetProperty("averageOrderValue").GetDouble(), 2);
        Assert.Equal(1.0, email.GetProperty("conversion").GetDouble(), 6);
        AssertModels(email, 90, 45, 52.72);
        var none = Bucket(report, "none", "-");
        Assert.Equal(1, none.GetProperty("orders").GetInt64());
        AssertModels(none, 50, 50, 50); // Bob's purchase: no consent, so in the totals only

        var store = report.GetProperty("store");
        Assert.Equal(2, store.GetProperty("orders").GetInt64());
        Assert.Equal(1, store.GetProperty("ordersWithoutConsent").GetInt64());
        Assert.Equal(90, store.GetProperty("influencedRevenue").GetDouble(), 2);
        Assert.Equal(90 / 140.0, store.GetProperty("influencedShare").GetDouble(), 6);
        Assert.Equal(50, store.GetProperty("unattributed").GetDouble(), 2);
        AssertReconciles(report, 140);
        Assert.All(DroppedReasons.All, r => Assert.Equal(0, Dropped(report, r)));
    }

    [Fact]
    public async Task Refund_ReversesWhatItsOrderWasCreditedWith_Once_AndNeverMoreThanTheOrder()
    {
        await using var app = new TestApp();
        await GrantAsync(app, "alice");
        var now = app.Clock.GetUtcNow();
        await PostAsync(app, Journeys(now));

        var refund = Refund("r1", "alice", now.AddMinutes(5), "o-1", 30m);
        await PostAsync(app, refund);
        await PostAsync(app, refund); // redelivered: reversed once

        var report = await ReportAsync(app);
        // 30 of 90 is a third of each share: time decay 37.28 − 12.43 and 52.72 − 17.57.
        AssertModels(Bucket(report, "email", "spring"), 60, 30, 35.15);
        AssertModels(Bucket(report, "recommendation", "home", "B"), 0, 30, 24.85);
        var store = report.GetProperty("store");
        Assert.Equal(1, store.GetProperty("refunds").GetInt64());
        Assert.Equal(30, store.GetProperty("refundedRevenue").GetDouble(), 2);
        Assert.Equal(60, store.GetProperty("influencedRevenue").GetDouble(), 2);
        AssertReconciles(report, 110);

        // A second refund of 100 only takes the 60 left; a refund of an order never seen comes off the unattributed bucket.
        await PostAsync(app, Refund("r2", "alice", now.AddMinutes(6), "o-1", 100m), Refund("r3", "bob", now.AddMinutes(6), "o-unknown", 10m));
        await PostAsync(app, Refund("r3", "bob", now.AddMinutes(6), "o-unknown", 10m)); // redelivered, of a customer without a stored profile: claimed once
        report = await ReportAsync(app);
        AssertModels(Bucket(report, "email", "spring"), 0, 0, 0);
        AssertModels(Bucket(report, "none", "-"), 40, 40, 40);
        Assert.Equal(1, Dropped(report, DroppedReasons.RefundExceedsOrder));
        Assert.Equal(1, Dropped(report, DroppedReasons.RefundOfUnknownOrder));
        AssertReconciles(report, 40);
    }

    [Fact]
    public async Task DuplicateOrders_UnknownRecommendationIds_ForeignCurrencies_AndClockSkew_AreLeftOutAndCountedWithTheirReason()
    {
        await using var app = new TestApp(settings: new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Embedded",
            ["Recommender:Attribution:ClockSkewTolerance"] = "00:01:00",
            ["Recommender:Attribution:ExchangeRates:USD"] = "0.5",
        });
        await GrantAsync(app, "alice");
        var now = app.Clock.GetUtcNow();
        await PostAsync(app,
            Impression("i1", "alice", now.AddHours(-2), recommendationId: "rec-known"),
            Purchase("p1", "alice", now.AddMinutes(-3), 90m, orderId: "o-1", recommendationId: "rec-known"),
            Purchase("p1-again", "alice", now.AddMinutes(-2), 90m, orderId: "o-1"), // the same order under another event id
            Purchase("p3", "alice", now.AddMinutes(-2), 20m, recommendationId: "rec-never-served"),
            Purchase("p4", "alice", now.AddMinutes(-1), 20m, currency: "USD"),
            Purchase("p5", "alice", now.AddMinutes(-1), 20m, currency: "GBP"),
            Impression("i-skewed", "alice", now.AddMinutes(5)));
        var tooFar = await app.PostEventsAsync(Impression("i-refused", "alice", now.AddMinutes(11)));
        Assert.False((await TestApp.ReadJsonAsync(tooFar)).GetProperty("results")[0].GetProperty("accepted").GetBoolean()); // the validator's own limit

        var report = await ReportAsync(app);
        Assert.Equal(1, Dropped(report, DroppedReasons.DuplicateOrder));
        Assert.Equal(1, Dropped(report, DroppedReasons.UnknownRecommendationId));
        Assert.Equal(1, Dropped(report, DroppedReasons.CurrencyMismatch));
        Assert.Equal(1, Dropped(report, DroppedReasons.ClockSkew));
        Assert.Equal(1, Bucket(report, "recommendation", "home", "B").GetProperty("impressions").GetInt64());
        var store = report.GetProperty("store");
        Assert.Equal(3, store.GetProperty("orders").GetInt64());
        AssertReconciles(report, 90 + 20 + 10); // 20 USD at 0.5
        Assert.Equal(120, store.GetProperty("influencedRevenue").GetDouble(), 2); // all three after the impression; p1's line names it too
    }

    [Fact]
    public async Task Report_FiltersByPlacementChannelCampaignVariantAndSegment_AndItsDaysAddUpToItsTotals()
    {
        await using var app = new TestApp();
        await GrantAsync(app, "alice");
        var now = app.Clock.GetUtcNow();
        await app.Get<IDocumentStore>().PutAsync(Collections.Workflows, "alice", CustomerSegments.DocumentId,
            new CustomerSegments { CustomerId = "alice", RunId = "run-1", ComputedAt = now, Segments = ["vip"] });
        await PostAsync(app, app.Consent("pt-bob", "bob", true, "push_tracking")); // Bob: push tracking, no analytics consent
        await PostAsync(app,
            Impression("i1", "alice", now.AddHours(-30)),
            MessageClick("c1", "alice", now.AddHours(-12)),
            Purchase("p1", "alice", now.AddHours(-1), 90m),
            Impression("i2", "bob", now.AddHours(-2), placement: "product", variant: "A"),
            MessageClick("c2", "bob", now.AddHours(-2), campaign: "flash", type: "push_click"));

        static IEnumerable<string> Channels(JsonElement r) => r.GetProperty("buckets").EnumerateArray().Select(b => $"{b.GetProperty("channel").GetString()}/{b.GetProperty("source").GetString()}");
        Assert.Equal(["recommendation/home"], Channels(await ReportAsync(app, "&placement=home")));
        Assert.Equal(["email/spring"], Channels(await ReportAsync(app, "&channel=email")));
        Assert.Equal(["push/flash"], Channels(await ReportAsync(app, "&campaign=flash")));
        Assert.Equal(["recommendation/product"], Channels(await ReportAsync(app, "&variant=A")));

        var vip = await ReportAsync(app, "&segment=vip");
        Assert.Equal(["email/spring", "recommendation/home"], Channels(vip));
        Assert.Equal(1, vip.GetProperty("totals").GetProperty("impressions").GetInt64()); // Bob's impression is not a VIP's
        AssertReconciles(vip, 90);

        var all = await ReportAsync(app);
        Assert.Equal(5, all.GetProperty("days").GetArrayLength());
        foreach (var field in new[] { "impressions", "clicks", "orders" })
        {
            Assert.Equal(all.GetProperty("totals").GetProperty(field).GetInt64(), all.GetProperty("days").EnumerateArray().Sum(d => d.GetProperty("figures").GetProperty(field).GetInt64()));
        }

        Assert.Equal(2, all.GetProperty("totals").GetProperty("impressions").GetInt64());
        Assert.Equal(2, all.GetProperty("totals").GetProperty("clicks").GetInt64());
        // Alice's impression is older than the 1-day view window: the email click earns all of her purchase.
        AssertModels(Bucket(all, "email", "spring"), 90, 90, 90);
        AssertModels(Bucket(all, "recommendation", "home", "B"), 0, 0, 0);
    }

    [Theory]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?to=2026-13-01", "to")]
    [InlineData("?from=2026-02-02&to=2026-02-01", "after")]
    [InlineData("?from=2024-01-01&to=2026-01-01", "366")]
    [InlineData("?channel=sms", "channel")]
    [InlineData("?placement=bad%20id", "placement")]
    [InlineData("?placement=home&campaign=spring", "placement")]
    [InlineData("?placement=home&channel=email", "placement")]
    [InlineData("?segment=gold", "segment")]
    [InlineData("?variant=", "variant")]
    public async Task Report_BadParameter_Is400ProblemDetailsNamingIt(string query, string named)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var response = await client.GetAsync("/api/admin/attribution" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await TestApp.ReadJsonAsync(response);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains(named, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasure_DeletesTheJourneyAndTheOrderRecords_TheAnonymousCountersStay()
    {
        await using var app = new TestApp();
        await GrantAsync(app, "alice");
        var now = app.Clock.GetUtcNow();
        await PostAsync(app, Journeys(now));
        var store = app.Get<AttributionStore>();
        Assert.NotNull(await store.GetJourneyAsync("alice"));

        var request = await app.Get<ErasureService>().StartAsync("alice");
        await app.PumpAsync();

        var status = (await app.Get<ErasureService>().GetAsync(request.RequestId))!;
        Assert.Equal("completed", status.Status);
        Assert.True(status.Tasks[ErasureTarget.AttributionJourneys].Removed >= 1);
        Assert.Null(await store.GetJourneyAsync("alice"));
        await foreach (var _ in app.Get<IDocumentStore>().ReadPartitionAsync(Collections.Workflows, AttributionStore.OrdersPartition("alice")))
        {
            Assert.Fail("an order record of the erased customer is left");
        }

        AssertReconciles(await ReportAsync(app), 140);
    }

    [Fact]
    public async Task Report_ExperimentWithAHoldout_ShowsTheUpliftOfTheExposed()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        var now = app.Clock.GetUtcNow();
        var put = await client.PutAsJsonAsync("/api/admin/experiments/home-holdout", new
        {
            placement = "home",
            variants = new[] { new { name = "treatment", weight = 90 }, new { name = "holdout", weight = 10 } },
            startsAt = now.AddHours(-3),
            endsAt = now.AddDays(7),
        }, Domain.Json.Options);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await PostAsync(app,
            Impression("t1", "u1", now.AddHours(-2), variant: "treatment"), Purchase("tp1", "u1", now.AddHours(-1), 120m),
            Impression("t2", "u2", now.AddHours(-2), variant: "treatment"),
            Impression("h1", "u3", now.AddHours(-2), variant: "holdout"), Purchase("hp1", "u3", now.AddHours(-1), 80m),
            Impression("h2", "u4", now.AddHours(-2), variant: "holdout"));

        var uplift = Assert.Single((await ReportAsync(app)).GetProperty("uplift").EnumerateArray());
        Assert.Equal("home-holdout", uplift.GetProperty("experimentId").GetString());
        Assert.Equal(60, uplift.GetProperty("exposed").GetProperty("revenuePerUser").GetDouble(), 6);
        Assert.Equal(40, uplift.GetProperty("holdout").GetProperty("revenuePerUser").GetDouble(), 6);
        Assert.Equal(0.5, uplift.GetProperty("revenuePerUserUplift").GetDouble(), 6);
        Assert.Equal(0, uplift.GetProperty("conversionUplift").GetDouble(), 6);
    }

    [Fact]
    public async Task Send_OfAMessageCountsOnceOnItsKindsRow_EvenWhenTheDeliveryIsRedelivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new TestApp(receiver.Url);
        DeliveryTests.StartAtMorning(app);
        receiver.Clock = app.Clock.GetUtcNow;
        await app.PostEventsAsync(app.Consent("k1", "c1", true, "email"));
        var now = app.Clock.GetUtcNow();
        await app.Get<Domain.Messaging.MessageOutbox>().EnqueueAsync(new Domain.Messaging.OutboundMessage("m1", "c1", "email", "test_offer",
            JsonSerializer.Serialize(new { messageId = "m1", type = "test_offer" }), now, now));
        await app.PumpAsync();
        var redelivery = JsonSerializer.Serialize(new Domain.Messaging.DeliveryMessage("c1", "m1"), Domain.Json.Options);
        await app.Get<IWorkQueue>().SendAsync(DeliveryService.Queue, redelivery);
        await app.PumpAsync();

        Assert.Single(receiver.Deliveries);
        Assert.Equal(1, Bucket(await ReportAsync(app), "email", "test_offer").GetProperty("sends").GetInt64());
    }
}
