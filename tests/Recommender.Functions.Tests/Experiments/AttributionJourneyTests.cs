using Recommender.Domain.Attribution;
using Recommender.Domain.Events;
using Recommender.Domain.Privacy;
using static Recommender.Functions.Tests.AttributionTests;

namespace Recommender.Functions.Tests;

/// <summary>
/// How a journey is put together (issue 17): a visitor's touches before login join the customer's journey
/// (consent permitting), and a touch that arrives after its purchase re-attributes the order within the grace
/// period — once, reconciling to the cent, never after a refund, never beyond the grace period.
/// </summary>
public sealed class AttributionJourneyTests
{
    private static object AnonymousConsent(string id, string visitor, DateTimeOffset at) =>
        new { id, type = "consent", anonymousId = visitor, channel = "analytics", granted = true, policyVersion = "2026-01", source = "cookie_banner", occurredAt = at };

    private static object AnonymousImpression(string id, string visitor, DateTimeOffset at, string placement = "home") =>
        new { id, type = "recommendation_impression", anonymousId = visitor, recommendationId = "r-" + id, placement, variant = "B", productIds = new[] { "p1" }, occurredAt = at };

    private static object Login(string id, string customer, string visitor, DateTimeOffset at) =>
        new { id, type = "identify", customerId = customer, anonymousId = visitor, occurredAt = at };

    [Fact]
    public async Task Login_TheVisitorsTouchesJoinTheCustomersJourney_SoAPurchaseAfterLoginIsAttributedToThem()
    {
        await using var app = new TestApp();
        await GrantAsync(app, "alice");
        var now = app.Clock.GetUtcNow();
        // A visitor who accepted analytics on the cookie banner sees the home list (an earlier batch), then logs in as Alice and buys.
        await PostAsync(app, AnonymousConsent("k-v1", "cookie-1", now.AddHours(-3)), AnonymousImpression("i-v1", "cookie-1", now.AddHours(-2)));
        Assert.NotNull(await app.Get<AttributionStore>().GetJourneyAsync(ClickstreamEvent.AnonymousSubjectPrefix + "cookie-1"));
        await PostAsync(app, Login("login-1", "alice", "cookie-1", now.AddHours(-1)));
        await PostAsync(app, Purchase("p1", "alice", now, 90m));

        var report = await ReportAsync(app);
        AssertModels(Bucket(report, "recommendation", "home", "B"), 90, 90, 90);
        Assert.Equal(1, Bucket(report, "recommendation", "home", "B").GetProperty("orders").GetInt64());
        Assert.Equal(90, report.GetProperty("store").GetProperty("influencedRevenue").GetDouble(), 2);
        AssertReconciles(report, 90);

        // The touches are the customer's now: the visitor's copy is gone, and erasing Alice erases them.
        var store = app.Get<AttributionStore>();
        Assert.Null(await store.GetJourneyAsync(ClickstreamEvent.AnonymousSubjectPrefix + "cookie-1"));
        Assert.Contains((await store.GetJourneyAsync("alice"))!.Touches, t => t.EventId == "i-v1");
        var request = await app.Get<ErasureService>().StartAsync("alice");
        await app.PumpAsync();
        Assert.Equal("completed", (await app.Get<ErasureService>().GetAsync(request.RequestId))!.Status);
        Assert.Null(await store.GetJourneyAsync("alice"));
    }

    [Fact]
    public async Task Login_OfACustomerWhoRefusesAnalytics_ForgetsTheVisitorsTouches_TheOrderCountsInTheTotalsOnly()
    {
        await using var app = new TestApp();
        var now = app.Clock.GetUtcNow();
        await PostAsync(app, AnonymousConsent("k-v2", "cookie-2", now.AddHours(-3)), AnonymousImpression("i-v2", "cookie-2", now.AddHours(-2)));
        // The visitor's cookie-banner consent passes to the customer at login; Carol's own later refusal wins.
        var refusal = app.Consent("k-carol", "carol", false, "analytics");
        await PostAsync(app, Login("login-2", "carol", "cookie-2", now.AddHours(-1)), refusal);
        await PostAsync(app, Purchase("p2", "carol", now, 40m));

        var report = await ReportAsync(app);
        AssertModels(Bucket(report, "recommendation", "home", "B"), 0, 0, 0);
        AssertModels(Bucket(report, "none", "-"), 40, 40, 40);
        Assert.Equal(1, report.GetProperty("store").GetProperty("ordersWithoutConsent").GetInt64());
        Assert.Null(await app.Get<AttributionStore>().GetJourneyAsync("carol"));
        Assert.Null(await app.Get<AttributionStore>().GetJourneyAsync(ClickstreamEvent.AnonymousSubjectPrefix + "cookie-2"));
        AssertReconciles(report, 40);
    }

    [Fact]
    public async Task AnalyticsConsentWithdrawn_TheJourneyIsForgotten_LaterPurchasesCountInTheTotalsOnly()
    {
        await using var app = new TestApp();
        await GrantAsync(app, "alice");
        var now = app.Clock.GetUtcNow();
        await PostAsync(app, Impression("i1", "alice", now.AddHours(-2)));
        Assert.NotNull(await app.Get<AttributionStore>().GetJourneyAsync("alice"));

        await PostAsync(app, app.Consent("k-withdrawn", "alice", false, "analytics"));
        await PostAsync(app, Purchase("p1", "alice", now, 30m));

        Assert.Null(await app.Get<AttributionStore>().GetJourneyAsync("alice"));
        var report = await ReportAsync(app);
        AssertModels(Bucket(report, "none", "-"), 30, 30, 30);
        AssertReconciles(report, 30);
    }

    /// <summary>Alice: home impression 24 h and email click 12 h before her purchase of 90 (as in <see cref="AttributionTests"/>).</summary>
    private static async Task<DateTimeOffset> PurchaseAfterTwoTouchesAsync(TestApp app)
    {
        await GrantAsync(app, "alice");
        var now = app.Clock.GetUtcNow();
        await PostAsync(app, Impression("i1", "alice", now.AddHours(-24)), MessageClick("c1", "alice", now.AddHours(-12)), Purchase("p1", "alice", now, 90m, orderId: "o-1"));
        return now;
    }

    [Fact]
    public async Task LateTouch_BeforeThePurchaseAndWithinTheGracePeriod_ReattributesTheOrderOnce_ReconcilingToTheCent()
    {
        await using var app = new TestApp();
        var purchasedAt = await PurchaseAfterTwoTouchesAsync(app);
        app.Clock.Advance(TimeSpan.FromHours(20));
        // A push click 6 h before the purchase arrives 20 h after it (a phone that was offline).
        var late = MessageClick("late", "alice", purchasedAt.AddHours(-6), campaign: "flash", type: "push_click");
        await PostAsync(app, late);
        await PostAsync(app, late); // redelivered: re-attributes nothing more

        var report = await ReportAsync(app);
        // Three eligible touches now. Time decay weights 2^-1, 2^-0.5, 2^-0.25 of 90 → 21.97, 31.07 and the remainder 36.96.
        AssertModels(Bucket(report, "recommendation", "home", "B"), 0, 30, 21.97);
        AssertModels(Bucket(report, "email", "spring"), 0, 30, 31.07);
        AssertModels(Bucket(report, "push", "flash"), 90, 30, 36.96);
        Assert.Equal(0, Bucket(report, "email", "spring").GetProperty("orders").GetInt64());
        Assert.Equal(1, Bucket(report, "push", "flash").GetProperty("orders").GetInt64());
        Assert.Equal(1, Bucket(report, "push", "flash").GetProperty("clicks").GetInt64());
        var store = report.GetProperty("store");
        Assert.Equal(1, store.GetProperty("orders").GetInt64());
        Assert.Equal(1, store.GetProperty("reattributedOrders").GetInt64());
        AssertReconciles(report, 90);

        // A refund afterwards reverses the new shares in proportion: reconciliation still exact.
        await PostAsync(app, Refund("r1", "alice", app.Clock.GetUtcNow(), "o-1", 45m));
        report = await ReportAsync(app);
        AssertModels(Bucket(report, "push", "flash"), 45, 15, 18.48);
        AssertReconciles(report, 45);
    }

    [Fact]
    public async Task LateTouch_AfterTheGracePeriod_AfterTheRefund_OrAfterThePurchase_LeavesTheOrderAsReported()
    {
        await using var app = new TestApp();
        var purchasedAt = await PurchaseAfterTwoTouchesAsync(app);
        // After the purchase: never earns it.
        await PostAsync(app, MessageClick("after", "alice", purchasedAt.AddMinutes(5), campaign: "after", type: "push_click"));
        // Beyond the default grace period of a day.
        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await PostAsync(app, MessageClick("too-late", "alice", purchasedAt.AddHours(-6), campaign: "flash", type: "push_click"));

        var report = await ReportAsync(app);
        AssertModels(Bucket(report, "email", "spring"), 90, 45, 52.72);
        AssertModels(Bucket(report, "push", "flash"), 0, 0, 0);
        AssertModels(Bucket(report, "push", "after"), 0, 0, 0);
        Assert.Equal(0, report.GetProperty("store").GetProperty("reattributedOrders").GetInt64());

        // Within the grace period but after a refund: the order keeps its attribution, counted with its reason.
        await using var refundedApp = new TestApp();
        purchasedAt = await PurchaseAfterTwoTouchesAsync(refundedApp);
        await PostAsync(refundedApp, Refund("r1", "alice", purchasedAt.AddMinutes(1), "o-1", 10m));
        await PostAsync(refundedApp, MessageClick("late", "alice", purchasedAt.AddHours(-6), campaign: "flash", type: "push_click"));
        report = await ReportAsync(refundedApp);
        AssertModels(Bucket(report, "push", "flash"), 0, 0, 0);
        Assert.Equal(1, Dropped(report, DroppedReasons.LateTouchAfterRefund));
        AssertReconciles(report, 80);
    }
}
