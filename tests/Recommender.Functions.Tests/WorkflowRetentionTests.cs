using Recommender.Domain.Catalog;
using Recommender.Domain.Messaging;
using Recommender.Domain.Retention;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

/// <summary>
/// Documents of the <c>workflows</c> collection expire 90 days after their last write — except the
/// permanent ones: the suppression list never expires, the replenishment purchase history lives
/// 2 years. On the embedded store with the fake clock, through the retention sweep.
/// </summary>
public sealed class WorkflowRetentionTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _app = new TestApp(_receiver.Url);
        DeliveryTests.StartAtMorning(_app); // whole days later it is still 09:00 UTC: outside quiet hours
        _receiver.Clock = _app.Clock.GetUtcNow;
        await _app.GrantAnalyticsAsync("c1");
        await PostAsync(_app.Consent("k1", "c1", granted: true));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task PostAsync(params object[] events) => (await _app.PostEventsAsync(events)).EnsureSuccessStatusCode();

    /// <summary>Moves the clock on by whole days, runs the retention sweep, then the queue triggers.</summary>
    private async Task AfterDaysAsync(double days)
    {
        _app.Clock.Advance(TimeSpan.FromDays(days));
        await _app.Get<RetentionService>().EnforceAsync();
        await _app.PumpAsync();
    }

    [Fact]
    public async Task ASuppressionOlderThan90Days_StillStopsASend_WhileTheCartStateExpired()
    {
        await PostAsync(_app.AddToCart("a1", "c1", "p1"));
        await _app.Get<SuppressionList>().SuppressAsync("c1", "email", "hard bounce", "provider");
        Assert.NotNull(await _app.Get<CartAbandonmentWorkflow>().GetAsync("c1"));

        await AfterDaysAsync(100);
        Assert.Null(await _app.Get<CartAbandonmentWorkflow>().GetAsync("c1")); // an ordinary workflow document: gone after 90 days
        var now = _app.Clock.GetUtcNow();
        await _app.Get<MessageOutbox>().EnqueueAsync(new OutboundMessage("m1", "c1", "email", "test_offer", "{}", now, now));
        await _app.PumpAsync();

        Assert.Empty(_receiver.Deliveries);
        var entry = (await _app.Get<MessageOutbox>().GetAsync("c1", "m1"))!;
        Assert.Equal(OutboxStatus.Suppressed, entry.Status);
        Assert.Equal("email suppressed by provider: hard bounce", entry.Reason);
    }

    [Fact]
    public async Task ALiftedSuppression_NoLongerStopsASend()
    {
        await _app.Get<SuppressionList>().SuppressAsync("c1", "email", "STOP", "provider");
        await AfterDaysAsync(200);
        await _app.Get<SuppressionList>().LiftAsync("c1", "email");
        var now = _app.Clock.GetUtcNow();
        await _app.Get<MessageOutbox>().EnqueueAsync(new OutboundMessage("m1", "c1", "email", "test_offer", "{}", now, now));

        await _app.PumpAsync();

        Assert.Equal("m1", Assert.Single(_receiver.Deliveries).IdempotencyKey);
    }

    [Fact]
    public async Task RepeatPurchasesFurtherApartThan90Days_AreLearned_TheHistoryLivingTwoYears()
    {
        await _app.Get<CatalogProvider>().SaveAsync([new Product("tea", "Green tea", "tea", 7m)]); // no catalog interval: learned
        await PostAsync(_app.Purchase("b1", "c1", "tea"));
        await AfterDaysAsync(120);
        await PostAsync(_app.Purchase("b2", "c1", "tea"));
        await AfterDaysAsync(120);
        await PostAsync(_app.Purchase("b3", "c1", "tea"));

        var item = (await _app.Get<ReplenishmentWorkflow>().GetAsync("c1"))!.Products["tea"];
        Assert.Equal(3, item.Purchases.Count);
        Assert.Equal((ReminderStatus.Armed, TimeSpan.FromDays(120)), (item.Status, item.Interval));
        await AfterDaysAsync(118); // 120 days on, reminded 2 days ahead
        Assert.Equal("replenishment", System.Text.Json.JsonDocument.Parse(Assert.Single(_receiver.Deliveries).Body).RootElement.GetProperty("type").GetString());

        await AfterDaysAsync(ReplenishmentWorkflow.HistoryTimeToLive.TotalDays - 1);
        Assert.NotNull(await _app.Get<ReplenishmentWorkflow>().GetAsync("c1"));
        await AfterDaysAsync(1);
        Assert.Null(await _app.Get<ReplenishmentWorkflow>().GetAsync("c1")); // two years after its last write
    }
}
