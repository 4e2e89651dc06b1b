using System.Net;
using System.Text.Json;
using Recommender.Domain.Catalog;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

/// <summary>Replenishment reminders through whole timelines (weeks, so timers re-arm at each 7-day queue hop), against a real receiver.</summary>
public sealed class ReplenishmentTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private TestApp _app = null!;
    private DateTimeOffset _start;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _app = new TestApp(_receiver.Url);
        DeliveryTests.StartAtMorning(_app); // whole days after 09:00 stay outside quiet hours (UTC: no time zone known)
        _receiver.Clock = _app.Clock.GetUtcNow;
        await _app.Get<CatalogProvider>().SaveAsync([
            new Product("cof", "Coffee beans", "coffee", 15m, ImageUrl: "https://img.example.com/cof.jpg", ReplenishAfterDays: 30),
            new Product("fil", "Paper filters", "coffee", 4m, ReplenishAfterDays: 30),
            new Product("pod", "Coffee pods", "coffee", 9m, ReplenishAfterDays: 30),
            new Product("tea", "Green tea", "tea", 7m),
            new Product("mug", "Mug", "kitchen", 12m),
            new Product("vit", "Vitamins", "health", 20m, ReplenishAfterDays: 30), // a sensitive category by default
        ]);
        await _app.GrantAnalyticsAsync("c1");
        await PostAsync(_app.Consent("k1", "c1", granted: true));
        _start = _app.Clock.GetUtcNow();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task PostAsync(params object[] events) => (await _app.PostEventsAsync(events)).EnsureSuccessStatusCode();

    private Task<ReplenishmentState?> StateAsync() => _app.Get<ReplenishmentWorkflow>().GetAsync("c1");

    /// <summary>Moves the clock to <paramref name="sinceStart"/> after the first purchase and runs the queue triggers.</summary>
    private async Task AtAsync(TimeSpan sinceStart)
    {
        _app.Clock.SetUtcNow(_start + sinceStart);
        await _app.PumpAsync();
    }

    private static TimeSpan Days(double days) => TimeSpan.FromDays(days);

    private static List<string> Products(JsonElement list) => [.. list.EnumerateArray().Select(i => i.GetProperty("productId").GetString()!)];

    private static List<string> ProductsOf(Delivery delivery) => Products(JsonDocument.Parse(delivery.Body).RootElement.GetProperty("products"));

    [Fact]
    public async Task CatalogInterval_RemindsAtThePurchasePlusTheIntervalMinusTheLeadTime_Once()
    {
        await PostAsync(_app.Purchase("b1", "c1", "cof", "mug", "vit"));
        var state = (await StateAsync())!;
        Assert.Equal(_start + Days(28), state.DueAt); // 30 days, reminded 2 days ahead
        Assert.Equal(["cof", "mug"], state.Products.Keys.Order()); // the sensitive product is never tracked

        await AtAsync(Days(28) - TimeSpan.FromMinutes(1)); // wakes at 7, 14 and 21 days and sleeps again
        Assert.Empty(_receiver.Deliveries);
        Assert.Equal(ReplenishmentStatus.Armed, (await StateAsync())!.Status);

        await AtAsync(Days(28));

        var delivery = Assert.Single(_receiver.Deliveries);
        Assert.True(delivery.SignatureValid);
        Assert.Equal(_start + Days(28), delivery.At);
        using var message = JsonDocument.Parse(delivery.Body);
        var root = message.RootElement;
        Assert.Equal("replenishment", root.GetProperty("type").GetString());
        Assert.Equal(delivery.IdempotencyKey, root.GetProperty("messageId").GetString());
        var product = Assert.Single(root.GetProperty("products").EnumerateArray());
        Assert.Equal(("cof", "Coffee beans", 30.0, "catalog"), (product.GetProperty("productId").GetString(), product.GetProperty("name").GetString(),
            product.GetProperty("intervalDays").GetDouble(), product.GetProperty("intervalSource").GetString()));
        Assert.Equal(_start, product.GetProperty("lastPurchasedAt").GetDateTimeOffset());
        var recommendations = root.GetProperty("recommendations");
        Assert.StartsWith("rec-", recommendations.GetProperty("recommendationId").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("cof", Products(recommendations.GetProperty("items")));
        var after = (await StateAsync())!;
        Assert.Equal((ReplenishmentStatus.Idle, ReminderStatus.Reminded), (after.Status, after.Products["cof"].Status));

        await AtAsync(Days(90));
        Assert.Single(_receiver.Deliveries);
    }

    [Fact]
    public async Task NewPurchase_MovesTheReminder()
    {
        await PostAsync(_app.Purchase("b1", "c1", "cof"));
        await AtAsync(Days(10));
        await PostAsync(_app.Purchase("b2", "c1", "cof"));

        await AtAsync(Days(28) + TimeSpan.FromHours(1));
        Assert.Empty(_receiver.Deliveries);

        await AtAsync(Days(38));
        var delivery = Assert.Single(_receiver.Deliveries);
        Assert.Equal(_start + Days(38), delivery.At);
    }

    [Fact]
    public async Task ReturnedPurchase_CancelsTheReminder()
    {
        await PostAsync(_app.Purchase("b1", "c1", "cof"));
        await AtAsync(Days(5));
        await PostAsync(_app.Return("r1", "c1", "order-b1", "cof"));

        await AtAsync(Days(40));

        Assert.Empty(_receiver.Deliveries);
        var state = (await StateAsync())!;
        Assert.Equal((ReplenishmentStatus.Idle, ReminderStatus.Cancelled), (state.Status, state.Products["cof"].Status));
        Assert.Contains(state.History, h => h.What == "cof: order order-b1 returned; reminder cancelled");
    }

    [Fact]
    public async Task ReturningTheLatestPurchase_Cancels_EvenWithAnOlderPurchaseLeft()
    {
        await PostAsync(_app.Purchase("b1", "c1", "cof"));
        await AtAsync(Days(10));
        await PostAsync(_app.Purchase("b2", "c1", "cof"));
        await AtAsync(Days(12));
        await PostAsync(_app.Return("r2", "c1", "order-b2", "cof"));

        await AtAsync(Days(45));

        Assert.Empty(_receiver.Deliveries);
        Assert.Equal(["order-b1"], (await StateAsync())!.Products["cof"].Purchases.Select(p => p.OrderId));
    }

    [Fact]
    public async Task ReturnArrivingBeforeItsPurchase_ThePurchaseArmsNothing()
    {
        await PostAsync(_app.Return("r1", "c1", "order-b1", "cof"));
        await AtAsync(TimeSpan.FromHours(1));
        await PostAsync(_app.Purchase("b1", "c1", "cof"));

        await AtAsync(Days(40));

        Assert.Empty(_receiver.Deliveries);
        Assert.Empty((await StateAsync())!.Products["cof"].Purchases);
    }

    [Fact]
    public async Task WithoutACatalogInterval_TheMedianOfTwoRepeatGapsIsLearned()
    {
        await PostAsync(_app.Purchase("b1", "c1", "tea"));
        await AtAsync(Days(8));
        await PostAsync(_app.Purchase("b2", "c1", "tea"));
        Assert.Equal((ReminderStatus.Learning, ReplenishmentStatus.Idle), ((await StateAsync())!.Products["tea"].Status, (await StateAsync())!.Status)); // one gap only
        await AtAsync(Days(20));
        await PostAsync(_app.Purchase("b3", "c1", "tea"));

        // Gaps of 8 and 12 days: every 10 days, so a reminder at 20 + 10 - 2 days.
        await AtAsync(Days(28) - TimeSpan.FromMinutes(1));
        Assert.Empty(_receiver.Deliveries);
        await AtAsync(Days(28));

        using var message = JsonDocument.Parse(Assert.Single(_receiver.Deliveries).Body);
        var product = Assert.Single(message.RootElement.GetProperty("products").EnumerateArray());
        Assert.Equal(("tea", 10.0, "learned"), (product.GetProperty("productId").GetString(), product.GetProperty("intervalDays").GetDouble(),
            product.GetProperty("intervalSource").GetString()));
    }

    [Fact]
    public async Task ProductsDueWithinADay_GoInOneMessage_LaterOnesInTheirOwn()
    {
        await PostAsync(_app.Purchase("b1", "c1", "cof"));
        await AtAsync(TimeSpan.FromHours(12));
        await PostAsync(_app.Purchase("b2", "c1", "fil"));
        await AtAsync(Days(5));
        await PostAsync(_app.Purchase("b3", "c1", "pod"));

        await AtAsync(Days(28));
        Assert.Equal(["cof", "fil"], ProductsOf(Assert.Single(_receiver.Deliveries)));
        await AtAsync(Days(33) - TimeSpan.FromMinutes(1));
        Assert.Single(_receiver.Deliveries);

        await AtAsync(Days(33));
        Assert.Equal(2, _receiver.Deliveries.Count);
        Assert.Equal(["pod"], ProductsOf(_receiver.Deliveries.Last()));
        Assert.Equal(2, _receiver.Deliveries.Select(d => d.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task RedeliveredTimers_AndACrashAfterTheOutboxStep_SendExactlyOnce()
    {
        await PostAsync(_app.Purchase("b1", "c1", "cof"));
        var armed = (await StateAsync())!.Generation;
        await AtAsync(Days(28));
        var sent = Assert.Single(_receiver.Deliveries);

        // The queue delivers the timer again, twice; then, as if the process had died after the outbox
        // step and before recording it, the state says "sending" again and the timer comes back.
        var timer = JsonSerializer.Serialize(new ReplenishmentTimerMessage("c1", armed), Domain.Json.Options);
        await _app.Get<IWorkQueue>().SendAsync(ReplenishmentWorkflow.Queue, timer);
        await _app.Get<IWorkQueue>().SendAsync(ReplenishmentWorkflow.Queue, timer);
        await AtAsync(Days(28) + TimeSpan.FromMinutes(1));
        await _app.Get<IDocumentStore>().UpdateAsync<ReplenishmentState>(Collections.Workflows, "c1", ReplenishmentWorkflow.InstanceId, s =>
        {
            (s!.Status, s.Generation, s.Sending, s.MessageId) = (ReplenishmentStatus.Sending, armed, ["cof"], sent.IdempotencyKey);
            return s;
        });
        await _app.Get<IWorkQueue>().SendAsync(ReplenishmentWorkflow.Queue, timer);
        await AtAsync(Days(28) + TimeSpan.FromMinutes(2));

        Assert.Single(_receiver.Deliveries);
        Assert.Equal(ReplenishmentStatus.Idle, (await StateAsync())!.Status);
    }

    [Fact]
    public async Task WithoutEmailConsent_NothingIsSent_AndTheSuppressionIsCounted()
    {
        await PostAsync(_app.Consent("k2", "c1", granted: false), _app.Purchase("b1", "c1", "cof"));

        await AtAsync(Days(28));

        Assert.Empty(_receiver.Deliveries);
        var state = (await StateAsync())!;
        Assert.Equal((ReplenishmentStatus.Idle, ReminderStatus.Suppressed), (state.Status, state.Products["cof"].Status));
        Assert.Contains(state.History, h => h.What == "suppressed: no email consent: cof");
        var counters = (await _app.Get<WorkflowStats>().ReadAsync()).Single(c => c.Kind == ReplenishmentWorkflow.Kind);
        Assert.Equal((0, 1), (counters.Sent, counters.Suppressed));
    }

    [Fact]
    public async Task UnsubscribeAfterScheduling_NothingIsSent()
    {
        await PostAsync(_app.Purchase("b1", "c1", "cof"));
        await AtAsync(Days(10));
        await PostAsync(_app.Consent("k2", "c1", granted: false));

        await AtAsync(Days(40));

        Assert.Empty(_receiver.Deliveries);
        Assert.Equal(ReminderStatus.Suppressed, (await StateAsync())!.Products["cof"].Status);
    }

    [Fact]
    public async Task WithdrawingAnalyticsConsent_ForgetsThePurchaseHistory()
    {
        await PostAsync(_app.Purchase("b1", "c1", "cof"));
        await AtAsync(Days(10));
        await PostAsync(_app.Consent("k2", "c1", granted: false, channel: "analytics"));

        await AtAsync(Days(40));

        Assert.Empty(_receiver.Deliveries);
        Assert.Null(await StateAsync());
    }

    [Fact]
    public async Task ProviderFails_ThenSucceeds_TheReceiverCountsExactlyOneDelivery()
    {
        await PostAsync(_app.Purchase("b1", "c1", "cof"));
        _receiver.AnswerNext(500);

        await AtAsync(Days(28));
        await AtAsync(Days(28) + TimeSpan.FromMinutes(1)); // past the first backoff (at most 30 s)

        Assert.Equal([500, 200], _receiver.Deliveries.Select(d => d.AnsweredWith));
        Assert.All(_receiver.Deliveries, d => Assert.True(d.SignatureValid));
        Assert.Single(_receiver.Deliveries.Select(d => d.IdempotencyKey).Distinct());
        Assert.Equal(1, _receiver.Deliveries.Count(d => d.AnsweredWith == 200));
        var counters = (await _app.Get<WorkflowStats>().ReadAsync()).Single(c => c.Kind == ReplenishmentWorkflow.Kind);
        Assert.Equal((1, 0, 0), (counters.Sent, counters.Suppressed, counters.DeadLettered));
    }

    [Fact]
    public async Task OperatorView_ListsTheRemindersWithTheNextWakeUp_AndCancelsThem()
    {
        using var client = _app.CreateClient();
        await PostAsync(_app.Purchase("b1", "c1", "cof"));

        var view = await TestApp.ReadJsonAsync(await client.GetAsync("/api/admin/workflows/c1"));
        var replenishment = view.GetProperty("replenishment");
        Assert.Equal("armed", replenishment.GetProperty("status").GetString());
        Assert.Equal(_start + Days(28), replenishment.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal("armed", replenishment.GetProperty("products").GetProperty("cof").GetProperty("status").GetString());
        Assert.NotEmpty(replenishment.GetProperty("history").EnumerateArray());

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/admin/workflows/c1/cancel/replenishment", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/admin/workflows/c1/cancel/replenishment", null)).StatusCode);
        await AtAsync(Days(40));

        Assert.Empty(_receiver.Deliveries);
        Assert.Equal(ReminderStatus.Cancelled, (await StateAsync())!.Products["cof"].Status);
    }
}
