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
public sealed class WorkflowRetentionTests : ReceiverAppTest
{
    protected override async Task SetUpAsync()
    {
        await App.GrantAnalyticsAsync("c1");
        await PostAsync(App.Consent("k1", "c1", granted: true));
    }

    /// <summary>Moves the clock on by whole days, runs the retention sweep, then the queue triggers.</summary>
    private async Task AfterDaysAsync(double days)
    {
        App.Clock.Advance(TimeSpan.FromDays(days));
        await App.Get<RetentionService>().EnforceAsync();
        await App.PumpAsync();
    }

    [Fact]
    public async Task ASuppressionOlderThan90Days_StillStopsASend_WhileTheCartStateExpired()
    {
        await PostAsync(App.AddToCart("a1", "c1", "p1"));
        await App.Get<SuppressionList>().SuppressAsync("c1", "email", "hard bounce", "provider");
        Assert.NotNull(await App.Get<CartAbandonmentWorkflow>().GetAsync("c1"));

        await AfterDaysAsync(100);
        Assert.Null(await App.Get<CartAbandonmentWorkflow>().GetAsync("c1")); // an ordinary workflow document: gone after 90 days
        var now = App.Clock.GetUtcNow();
        await App.Get<MessageOutbox>().EnqueueAsync(new OutboundMessage("m1", "c1", "email", "test_offer", "{}", now, now));
        await App.PumpAsync();

        Assert.Empty(Receiver.Deliveries);
        var entry = (await App.Get<MessageOutbox>().GetAsync("c1", "m1"))!;
        Assert.Equal(OutboxStatus.Suppressed, entry.Status);
        Assert.Equal("email suppressed by provider: hard bounce", entry.Reason);
    }

    [Fact]
    public async Task ALiftedSuppression_NoLongerStopsASend()
    {
        await App.Get<SuppressionList>().SuppressAsync("c1", "email", "STOP", "provider");
        await AfterDaysAsync(200);
        await App.Get<SuppressionList>().LiftAsync("c1", "email");
        var now = App.Clock.GetUtcNow();
        await App.Get<MessageOutbox>().EnqueueAsync(new OutboundMessage("m1", "c1", "email", "test_offer", "{}", now, now));

        await App.PumpAsync();

        Assert.Equal("m1", Assert.Single(Receiver.Deliveries).IdempotencyKey);
    }

    [Fact]
    public async Task RepeatPurchasesFurtherApartThan90Days_AreLearned_TheHistoryLivingTwoYears()
    {
        await App.Get<CatalogProvider>().SaveAsync([new Product("tea", "Green tea", "tea", 7m)]); // no catalog interval: learned
        await PostAsync(App.Purchase("b1", "c1", "tea"));
        await AfterDaysAsync(120);
        await PostAsync(App.Purchase("b2", "c1", "tea"));
        await AfterDaysAsync(120);
        await PostAsync(App.Purchase("b3", "c1", "tea"));

        var item = (await App.Get<ReplenishmentWorkflow>().GetAsync("c1"))!.Products["tea"];
        Assert.Equal(3, item.Purchases.Count);
        Assert.Equal((ReminderStatus.Armed, TimeSpan.FromDays(120)), (item.Status, item.Interval));
        await AfterDaysAsync(118); // 120 days on, reminded 2 days ahead
        Assert.Equal("replenishment", System.Text.Json.JsonDocument.Parse(Assert.Single(Receiver.Deliveries).Body).RootElement.GetProperty("type").GetString());

        await AfterDaysAsync(ReplenishmentWorkflow.HistoryTimeToLive.TotalDays - 1);
        Assert.NotNull(await App.Get<ReplenishmentWorkflow>().GetAsync("c1"));
        await AfterDaysAsync(1);
        Assert.Null(await App.Get<ReplenishmentWorkflow>().GetAsync("c1")); // two years after its last write
    }
}
