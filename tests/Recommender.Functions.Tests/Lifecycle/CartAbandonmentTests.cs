using System.Text.Json;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

public sealed class CartAbandonmentTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _app = new TestApp(_receiver.Url);
        DeliveryTests.StartAtMorning(_app); // reminders 4 hours later fall outside quiet hours (UTC: no time zone known)
        _receiver.Clock = _app.Clock.GetUtcNow;
        await _app.GrantAnalyticsAsync("c1");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private Task<CartAbandonmentState?> StateAsync(string customer) => _app.Get<CartAbandonmentWorkflow>().GetAsync(customer);

    [Fact]
    public async Task AddToCart_FourHoursLater_SendsOneSignedEmailWithTheCartAsItIsNow()
    {
        await _app.PostEventsAsync(_app.Consent("k1", "c1", granted: true), _app.AddToCart("a1", "c1", "p1", 30m), _app.AddToCart("a2", "c1", "p2", 12m));
        await _app.PostEventsAsync(_app.RemoveFromCart("r1", "c1", "p2"));

        _app.Clock.Advance(TimeSpan.FromHours(3.9));
        await _app.PumpAsync();
        Assert.Empty(_receiver.Deliveries);
        Assert.Equal(CartAbandonmentStatus.Armed, (await StateAsync("c1"))!.Status);

        _app.Clock.Advance(TimeSpan.FromMinutes(7));
        await _app.PumpAsync();

        var delivery = Assert.Single(_receiver.Deliveries);
        Assert.True(delivery.SignatureValid);
        using var message = JsonDocument.Parse(delivery.Body);
        var cart = message.RootElement.GetProperty("cart").EnumerateArray().ToList();
        Assert.Equal("p1", Assert.Single(cart).GetProperty("productId").GetString());
        Assert.Equal(30m, message.RootElement.GetProperty("cartValue").GetDecimal());
        Assert.Equal("cart_abandonment", message.RootElement.GetProperty("type").GetString());
        Assert.True(message.RootElement.GetProperty("recommendations").TryGetProperty("recommendationId", out _));
        Assert.Equal(delivery.IdempotencyKey, message.RootElement.GetProperty("messageId").GetString());
        var afterFirst = (await StateAsync("c1"))!;
        Assert.Equal(CartAbandonmentStatus.Armed, afterFirst.Status); // the 24-hour reminder is next
        Assert.Equal(1, afterFirst.Stage);
    }

    [Fact]
    public async Task RedeliveredTimer_SendsNothingMore()
    {
        await _app.PostEventsAsync(_app.Consent("k1", "c1", granted: true), _app.AddToCart("a1", "c1", "p1"));
        var generation = (await StateAsync("c1"))!.Generation;
        _app.Clock.Advance(TimeSpan.FromHours(4));
        await _app.PumpAsync();

        // The queue delivers the same timer again (at-least-once), twice.
        var message = JsonSerializer.Serialize(new CartTimerMessage("c1", generation), Domain.Json.Options);
        await _app.Get<IWorkQueue>().SendAsync(CartAbandonmentWorkflow.Queue, message);
        await _app.Get<IWorkQueue>().SendAsync(CartAbandonmentWorkflow.Queue, message);
        await _app.PumpAsync();

        Assert.Single(_receiver.Deliveries);
    }

    [Fact]
    public async Task Checkout_BeforeTheTimer_CancelsTheReminder()
    {
        await _app.PostEventsAsync(_app.Consent("k1", "c1", granted: true), _app.AddToCart("a1", "c1", "p1"));
        _app.Clock.Advance(TimeSpan.FromHours(1));
        await _app.PostEventsAsync(_app.Purchase("b1", "c1", "p1"));

        _app.Clock.Advance(TimeSpan.FromHours(5));
        await _app.PumpAsync();

        Assert.Empty(_receiver.Deliveries);
        var state = (await StateAsync("c1"))!;
        Assert.Equal(CartAbandonmentStatus.Cancelled, state.Status);
        Assert.Contains(state.History, h => h.What == "cancelled: checkout");
    }

    [Fact]
    public async Task EmptiedCart_CancelsTheReminder()
    {
        await _app.PostEventsAsync(_app.Consent("k1", "c1", granted: true), _app.AddToCart("a1", "c1", "p1"));
        await _app.PostEventsAsync(_app.RemoveFromCart("r1", "c1", "p1"));

        _app.Clock.Advance(TimeSpan.FromHours(5));
        await _app.PumpAsync();

        Assert.Empty(_receiver.Deliveries);
        Assert.Equal(CartAbandonmentStatus.Cancelled, (await StateAsync("c1"))!.Status);
    }

    [Fact]
    public async Task AnotherCartChange_RestartsTheFourHours()
    {
        await _app.PostEventsAsync(_app.Consent("k1", "c1", granted: true), _app.AddToCart("a1", "c1", "p1"));
        _app.Clock.Advance(TimeSpan.FromHours(3));
        await _app.PostEventsAsync(_app.AddToCart("a2", "c1", "p2"));

        _app.Clock.Advance(TimeSpan.FromHours(1.5));
        await _app.PumpAsync();
        Assert.Empty(_receiver.Deliveries);

        _app.Clock.Advance(TimeSpan.FromHours(3));
        await _app.PumpAsync();
        Assert.Single(_receiver.Deliveries);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(null)]
    public async Task WithoutEmailConsent_NothingIsSent(bool? granted)
    {
        var events = new List<object> { _app.AddToCart("a1", "c1", "p1") };
        if (granted is { } g)
        {
            events.Add(_app.Consent("k1", "c1", g));
        }

        await _app.PostEventsAsync(events.ToArray());
        _app.Clock.Advance(TimeSpan.FromHours(5));
        await _app.PumpAsync();

        Assert.Empty(_receiver.Deliveries);
        var state = (await StateAsync("c1"))!;
        Assert.Equal(CartAbandonmentStatus.Suppressed, state.Status);
        Assert.Contains(state.History, h => h.What == "suppressed: no email consent");
    }

    [Fact]
    public async Task ProviderFailure_IsRetriedWithTheSameIdempotencyKey()
    {
        await _app.PostEventsAsync(_app.Consent("k1", "c1", granted: true), _app.AddToCart("a1", "c1", "p1"));
        _receiver.AnswerNext(500);
        _app.Clock.Advance(TimeSpan.FromHours(4));

        await _app.PumpAsync();
        var state = (await StateAsync("c1"))!;
        Assert.Equal(1, state.Stage); // the first reminder was handed to the outbox; the 24-hour one is armed
        Assert.Equal(OutboxStatus.Pending, (await _app.Get<MessageOutbox>().GetAsync("c1", state.MessageId!))!.Status);

        _app.Clock.Advance(TimeSpan.FromMinutes(1)); // past the first backoff (at most 30 s)
        await _app.PumpAsync();

        var deliveries = _receiver.Deliveries.ToList();
        Assert.Equal([500, 200], deliveries.Select(d => d.AnsweredWith));
        Assert.Single(deliveries.Select(d => d.IdempotencyKey).Distinct());
        Assert.Equal(OutboxStatus.Sent, (await _app.Get<MessageOutbox>().GetAsync("c1", state.MessageId!))!.Status);
    }

    [Fact]
    public async Task OperatorView_ListsInstancesWithHistory_CancelsOne_AndCountsOutcomes()
    {
        using var client = _app.CreateClient();
        await _app.GrantAnalyticsAsync("c2");
        await _app.PostEventsAsync(_app.Consent("k1", "c1", granted: true), _app.AddToCart("a1", "c1", "p1"));
        await _app.PostEventsAsync(_app.Consent("k2", "c2", granted: true), _app.AddToCart("a2", "c2", "p1"));

        var view = await TestApp.ReadJsonAsync(await client.GetAsync("/api/admin/workflows/c1"));
        Assert.Equal("armed", view.GetProperty("cartAbandonment").GetProperty("status").GetString());
        Assert.True(view.GetProperty("cartAbandonment").TryGetProperty("dueAt", out _));
        Assert.NotEmpty(view.GetProperty("cartAbandonment").GetProperty("history").EnumerateArray());

        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await client.PostAsync("/api/admin/workflows/c2/cancel/cart-abandonment", null)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.PostAsync("/api/admin/workflows/c2/cancel/cart-abandonment", null)).StatusCode);
        _app.Clock.Advance(TimeSpan.FromHours(5));
        await _app.PumpAsync();

        Assert.Single(_receiver.Deliveries); // c1's reminder only
        var stats = await TestApp.ReadJsonAsync(await client.GetAsync("/api/admin/workflow-stats"));
        var cart = stats.EnumerateArray().Single(s => s.GetProperty("kind").GetString() == "cart_abandonment");
        Assert.Equal(1, cart.GetProperty("sent").GetInt64());
        var messages = (await TestApp.ReadJsonAsync(await client.GetAsync("/api/admin/workflows/c1"))).GetProperty("messages");
        Assert.Equal("sent", messages[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reminders_At4Hours_24Hours_And3Days_EachWithItsOwnKey_ThenNothingMore()
    {
        // The default caps (2 emails a week) would hold back the third reminder: that interplay is
        // DeliveryTests' subject; here the caps are raised to see all three stages.
        _app.Get<Microsoft.Extensions.Options.IOptions<MessagingOptions>>().Value.MaxPerChannelPerWindow = 10;
        _app.Get<Microsoft.Extensions.Options.IOptions<MessagingOptions>>().Value.MaxPerWindow = 10;
        await _app.PostEventsAsync(_app.Consent("k1", "c1", granted: true), _app.AddToCart("a1", "c1", "p1", 30m), _app.AddToCart("a2", "c1", "p2", 12m));
        var start = _app.Clock.GetUtcNow();
        List<string> CartOf(Delivery d) =>
            [.. JsonDocument.Parse(d.Body).RootElement.GetProperty("cart").EnumerateArray().Select(l => l.GetProperty("productId").GetString()!)];

        _app.Clock.Advance(TimeSpan.FromHours(4));
        await _app.PumpAsync();
        Assert.Equal(["p1", "p2"], CartOf(Assert.Single(_receiver.Deliveries)));

        // Each reminder is composed when it fires, from the cart as it is then (a cart change would
        // restart the clock, so nothing changes here).
        _app.Clock.Advance(start + TimeSpan.FromHours(24) - _app.Clock.GetUtcNow());
        await _app.PumpAsync();
        Assert.Equal(2, _receiver.Deliveries.Count);

        _app.Clock.Advance(start + TimeSpan.FromDays(3) - _app.Clock.GetUtcNow());
        await _app.PumpAsync();
        Assert.Equal(3, _receiver.Deliveries.Count);
        Assert.Equal(3, _receiver.Deliveries.Select(d => d.IdempotencyKey).Distinct().Count());
        Assert.Equal(CartAbandonmentStatus.Sent, (await StateAsync("c1"))!.Status);

        _app.Clock.Advance(TimeSpan.FromDays(10));
        await _app.PumpAsync();
        Assert.Equal(3, _receiver.Deliveries.Count); // nothing after the third
    }

    [Fact]
    public async Task CheckoutAfterTheFirstReminder_CancelsTheOthers()
    {
        await _app.PostEventsAsync(_app.Consent("k1", "c1", granted: true), _app.AddToCart("a1", "c1", "p1"));
        _app.Clock.Advance(TimeSpan.FromHours(4));
        await _app.PumpAsync();
        Assert.Single(_receiver.Deliveries);

        _app.Clock.Advance(TimeSpan.FromHours(2));
        await _app.PostEventsAsync(_app.Purchase("b1", "c1", "p1"));
        _app.Clock.Advance(TimeSpan.FromDays(4));
        await _app.PumpAsync();

        Assert.Single(_receiver.Deliveries);
        Assert.Equal(CartAbandonmentStatus.Cancelled, (await StateAsync("c1"))!.Status);
    }

    [Fact]
    public async Task BrowseAbandonment_TwoHoursAfterTheLastView_SendsTheViewedProducts_AndEachViewMovesIt()
    {
        await _app.PostEventsAsync(_app.Consent("k1", "c1", granted: true), _app.View("v1", "c1", "p1", TimeSpan.Zero));
        _app.Clock.Advance(TimeSpan.FromHours(1));
        await _app.PostEventsAsync(_app.View("v2", "c1", "p2", TimeSpan.Zero));

        _app.Clock.Advance(TimeSpan.FromMinutes(90)); // 2.5 h after the first view, 1.5 h after the second
        await _app.PumpAsync();
        Assert.Empty(_receiver.Deliveries);

        _app.Clock.Advance(TimeSpan.FromMinutes(31));
        await _app.PumpAsync();

        var delivery = Assert.Single(_receiver.Deliveries);
        Assert.True(delivery.SignatureValid);
        using var message = JsonDocument.Parse(delivery.Body);
        Assert.Equal("browse_abandonment", message.RootElement.GetProperty("type").GetString());
        Assert.Equal(["p2", "p1"], message.RootElement.GetProperty("viewed").EnumerateArray().Select(v => v.GetProperty("productId").GetString()));
        Assert.Equal(CartAbandonmentStatus.Sent, (await _app.Get<BrowseAbandonmentWorkflow>().GetAsync("c1"))!.Status);

        _app.Clock.Advance(TimeSpan.FromDays(1));
        await _app.PumpAsync();
        Assert.Single(_receiver.Deliveries); // once
    }

    [Fact]
    public async Task BrowseAbandonment_IsCancelledByACartAdd_AndCartAbandonmentTakesOver()
    {
        await _app.PostEventsAsync(_app.Consent("k1", "c1", granted: true), _app.View("v1", "c1", "p1", TimeSpan.Zero));
        _app.Clock.Advance(TimeSpan.FromMinutes(30));
        await _app.PostEventsAsync(_app.AddToCart("a1", "c1", "p1"));

        _app.Clock.Advance(TimeSpan.FromHours(3));
        await _app.PumpAsync();
        Assert.Empty(_receiver.Deliveries);
        Assert.Equal(CartAbandonmentStatus.Cancelled, (await _app.Get<BrowseAbandonmentWorkflow>().GetAsync("c1"))!.Status);

        _app.Clock.Advance(TimeSpan.FromHours(1.5));
        await _app.PumpAsync();
        var only = Assert.Single(_receiver.Deliveries);
        Assert.Contains("cart_abandonment", only.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrowseAbandonment_WithoutEmailConsent_IsSuppressed()
    {
        await _app.PostEventsAsync(_app.View("v1", "c1", "p1", TimeSpan.Zero));

        _app.Clock.Advance(TimeSpan.FromHours(3));
        await _app.PumpAsync();

        Assert.Empty(_receiver.Deliveries);
        var state = (await _app.Get<BrowseAbandonmentWorkflow>().GetAsync("c1"))!;
        Assert.Equal(CartAbandonmentStatus.Suppressed, state.Status);
        Assert.Contains(state.History, h => h.What == "suppressed: no email consent");
    }
}
