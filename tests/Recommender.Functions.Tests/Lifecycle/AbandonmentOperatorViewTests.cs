using System.Net;
using System.Text.Json;
using Recommender.Domain.Messaging;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

/// <summary>
/// Browse abandonment in the operator view (state, history, next wake-up, cancel), and the
/// suppressions cart and browse abandonment decide when their timer fires, counted in the workflow
/// stats once each — as post-purchase and replenishment count theirs.
/// </summary>
public sealed class AbandonmentOperatorViewTests : ReceiverAppTest
{
    protected override Task SetUpAsync() => App.GrantAnalyticsAsync("c1", "c2");

    private async Task<WorkflowCounters?> CountersAsync(string kind) =>
        (await App.Get<WorkflowStats>().ReadAsync()).SingleOrDefault(c => c.Kind == kind);

    [Fact]
    public async Task OperatorView_ListsBrowseAbandonment_WithStateHistoryAndNextWakeUp_AndCancelsIt()
    {
        using var client = App.CreateClient();
        await PostAsync(App.Consent("k1", "c1", true), App.View("v1", "c1", "p1", TimeSpan.Zero));
        await PostAsync(App.Consent("k2", "c2", true), App.View("v2", "c2", "p1", TimeSpan.Zero));
        var dueAt = App.Clock.GetUtcNow() + BrowseAbandonmentWorkflow.Delay;

        var browse = (await TestApp.ReadJsonAsync(await client.GetAsync("/api/admin/workflows/c1"))).GetProperty("browseAbandonment");
        Assert.Equal("armed", browse.GetProperty("status").GetString());
        Assert.Equal(dueAt, browse.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Contains(browse.GetProperty("history").EnumerateArray(), h => h.GetProperty("what").GetString()!.StartsWith("armed for", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/admin/workflows/c2/cancel/browse-abandonment", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/admin/workflows/c2/cancel/browse-abandonment", null)).StatusCode);
        App.Clock.Advance(TimeSpan.FromHours(3));
        await App.PumpAsync();

        var delivery = Assert.Single(Receiver.Deliveries); // c1's reminder only
        Assert.Equal("browse_abandonment", JsonDocument.Parse(delivery.Body).RootElement.GetProperty("type").GetString());
        var cancelled = (await TestApp.ReadJsonAsync(await client.GetAsync("/api/admin/workflows/c2"))).GetProperty("browseAbandonment");
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("cancelled: cancelled by an operator", cancelled.GetProperty("history").EnumerateArray().Last().GetProperty("what").GetString());
        Assert.Equal("sent", (await TestApp.ReadJsonAsync(await client.GetAsync("/api/admin/workflows/c1"))).GetProperty("browseAbandonment").GetProperty("status").GetString());
    }

    [Fact]
    public async Task BrowseAbandonment_SuppressedWithoutConsent_IsCountedOnce_EvenWhenTheTimerIsRedelivered()
    {
        await PostAsync(App.View("v1", "c1", "p1", TimeSpan.Zero)); // no email consent
        var generation = (await App.Get<BrowseAbandonmentWorkflow>().GetAsync("c1"))!.Generation;
        App.Clock.Advance(TimeSpan.FromHours(3));
        await App.PumpAsync();

        await App.Get<BrowseAbandonmentWorkflow>().WakeAsync(new BrowseTimerMessage("c1", generation)); // redelivered

        Assert.Equal(CartAbandonmentStatus.Suppressed, (await App.Get<BrowseAbandonmentWorkflow>().GetAsync("c1"))!.Status);
        var counters = await CountersAsync(BrowseAbandonmentWorkflow.Kind);
        Assert.Equal((0, 1, 0), (counters!.Sent, counters.Suppressed, counters.DeadLettered));
        Assert.Empty(Receiver.Deliveries);
    }

    [Fact]
    public async Task CartAbandonment_SuppressedWithoutConsent_OrWithNothingToSend_IsCountedOnceEach()
    {
        await PostAsync(App.AddToCart("a1", "c1", "p1")); // c1: no email consent
        await PostAsync(App.Consent("k2", "c2", true), App.AddToCart("a2", "c2", "p1"));
        var generation = (await App.Get<CartAbandonmentWorkflow>().GetAsync("c1"))!.Generation;
        await App.Get<Domain.Profiles.ProfileStore>().UpdateAsync("c2", p =>
        {
            p!.Cart.Clear(); // emptied without a cart event: the timer finds nothing to send
            return p;
        });
        App.Clock.Advance(TimeSpan.FromHours(5));
        await App.PumpAsync();

        await App.Get<CartAbandonmentWorkflow>().WakeAsync(new CartTimerMessage("c1", generation)); // redelivered

        Assert.Contains((await App.Get<CartAbandonmentWorkflow>().GetAsync("c1"))!.History, h => h.What == "suppressed: no email consent");
        Assert.Contains((await App.Get<CartAbandonmentWorkflow>().GetAsync("c2"))!.History, h => h.What == "suppressed: cart is empty");
        var counters = await CountersAsync(CartAbandonmentWorkflow.Kind);
        Assert.Equal((0, 2, 0), (counters!.Sent, counters.Suppressed, counters.DeadLettered));
        Assert.Empty(Receiver.Deliveries);
    }
}
