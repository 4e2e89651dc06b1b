using System.Net;
using System.Text.Json;
using Recommender.Domain.Catalog;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

/// <summary>Post-purchase cross-sell through whole timelines, against a real receiver that verifies signatures.</summary>
public sealed class PostPurchaseTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _app = new TestApp(_receiver.Url);
        DeliveryTests.StartAtMorning(_app); // three days after 09:00 is outside quiet hours (UTC: no time zone known)
        _receiver.Clock = _app.Clock.GetUtcNow;
        await _app.Get<CatalogProvider>().SaveAsync([
            new Product("p1", "Espresso machine", "kitchen", 300m, ImageUrl: "https://img.example.com/p1.jpg", Url: "https://shop.example.com/p1"),
            new Product("p2", "Milk jug", "kitchen", 20m),
            new Product("p3", "Coffee grinder", "kitchen", 80m),
            new Product("p4", "Descaler", "kitchen", 10m),
        ]);
        // Another customer bought the machine with the grinder: "bought with" knows the pair.
        await PostAsync(_app.Purchase("other", "c9", "p1", "p3"));
        await _app.GrantAnalyticsAsync("c1");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task PostAsync(params object[] events) => (await _app.PostEventsAsync(events)).EnsureSuccessStatusCode();

    private Task<PostPurchaseState?> StateAsync(string orderId = "order-b1") => _app.Get<PostPurchaseWorkflow>().GetAsync("c1", orderId);

    private async Task AdvanceAndPumpAsync(TimeSpan by)
    {
        _app.Clock.Advance(by);
        await _app.PumpAsync();
    }

    private static List<string> Products(JsonElement list) => [.. list.EnumerateArray().Select(i => i.GetProperty("productId").GetString()!)];

    private int Delivered => _receiver.Deliveries.Count(d => d.AnsweredWith is >= 200 and < 300);

    [Fact]
    public async Task Delivery_ThreeDaysLater_SendsOneSignedCrossSell_BoughtWithTheOrder_NeverTheOrderItself()
    {
        await PostAsync(_app.Consent("k1", "c1", granted: true), _app.Purchase("b1", "c1", "p1", "p2"));
        Assert.Equal(PostPurchaseStatus.AwaitingDelivery, (await StateAsync())!.Status);
        await AdvanceAndPumpAsync(TimeSpan.FromDays(2));
        await PostAsync(_app.Delivery("d1", "c1", "order-b1", "p1", "p2"));
        var delivered = _app.Clock.GetUtcNow();
        Assert.Equal(delivered + TimeSpan.FromDays(3), (await StateAsync())!.DueAt);

        await AdvanceAndPumpAsync(TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1));
        Assert.Empty(_receiver.Deliveries);
        Assert.Equal(PostPurchaseStatus.Armed, (await StateAsync())!.Status);

        await AdvanceAndPumpAsync(TimeSpan.FromMinutes(1));

        var delivery = Assert.Single(_receiver.Deliveries);
        Assert.True(delivery.SignatureValid);
        Assert.Equal(delivered + TimeSpan.FromDays(3), delivery.At);
        using var message = JsonDocument.Parse(delivery.Body);
        var root = message.RootElement;
        Assert.Equal("post_purchase", root.GetProperty("type").GetString());
        Assert.Equal(delivery.IdempotencyKey, root.GetProperty("messageId").GetString());
        Assert.Equal("order-b1", root.GetProperty("orderId").GetString());
        Assert.Equal(delivered, root.GetProperty("deliveredAt").GetDateTimeOffset());
        Assert.Equal(["p1", "p2"], Products(root.GetProperty("order")).Order());
        Assert.Equal("Espresso machine", root.GetProperty("order").EnumerateArray().Single(p => p.GetProperty("productId").GetString() == "p1").GetProperty("name").GetString());
        var recommendations = root.GetProperty("recommendations");
        Assert.StartsWith("rec-", recommendations.GetProperty("recommendationId").GetString(), StringComparison.Ordinal);
        var recommended = Products(recommendations.GetProperty("items"));
        Assert.Equal("p3", recommended[0]); // bought with the espresso machine
        Assert.DoesNotContain("p1", recommended);
        Assert.DoesNotContain("p2", recommended);
        Assert.Equal(PostPurchaseStatus.Sent, (await StateAsync())!.Status);

        await AdvanceAndPumpAsync(TimeSpan.FromDays(10));
        Assert.Single(_receiver.Deliveries);
    }

    [Fact]
    public async Task WholeOrderReturned_BeforeItFires_CancelsIt()
    {
        await PostAsync(_app.Consent("k1", "c1", granted: true), _app.Purchase("b1", "c1", "p1", "p2"), _app.Delivery("d1", "c1", "order-b1"));
        await AdvanceAndPumpAsync(TimeSpan.FromDays(1));
        await PostAsync(_app.Return("r1", "c1", "order-b1", "p1"));
        Assert.Equal(PostPurchaseStatus.Armed, (await StateAsync())!.Status); // p2 is still kept
        await PostAsync(_app.Return("r2", "c1", "order-b1", "p2"));

        await AdvanceAndPumpAsync(TimeSpan.FromDays(3));

        Assert.Empty(_receiver.Deliveries);
        var state = (await StateAsync())!;
        Assert.Equal(PostPurchaseStatus.Cancelled, state.Status);
        Assert.Contains(state.History, h => h.What == "cancelled: the whole order was returned");
    }

    [Fact]
    public async Task PartialReturn_StillSends_WithoutTheReturnedProduct()
    {
        await PostAsync(_app.Consent("k1", "c1", granted: true), _app.Purchase("b1", "c1", "p1", "p2"), _app.Delivery("d1", "c1", "order-b1"));
        await AdvanceAndPumpAsync(TimeSpan.FromDays(1));
        await PostAsync(_app.Return("r1", "c1", "order-b1", "p2"));

        await AdvanceAndPumpAsync(TimeSpan.FromDays(2));

        using var message = JsonDocument.Parse(Assert.Single(_receiver.Deliveries).Body);
        Assert.Equal(["p1"], Products(message.RootElement.GetProperty("order")));
        Assert.DoesNotContain("p2", Products(message.RootElement.GetProperty("recommendations").GetProperty("items")));
    }

    [Fact]
    public async Task RedeliveredDeliveryEvents_AndRedeliveredTimers_SendExactlyOnce_FromTheFirstDelivery()
    {
        await PostAsync(_app.Consent("k1", "c1", granted: true), _app.Purchase("b1", "c1", "p1"), _app.Delivery("d1", "c1", "order-b1"));
        var firstDue = (await StateAsync())!.DueAt;
        await AdvanceAndPumpAsync(TimeSpan.FromHours(6));
        // The same event again (same id), and the carrier system reporting the delivery again (new id).
        await PostAsync(_app.Delivery("d1", "c1", "order-b1"));
        await PostAsync(_app.Delivery("d2", "c1", "order-b1"));
        Assert.Equal(firstDue, (await StateAsync())!.DueAt);

        await AdvanceAndPumpAsync(firstDue!.Value - _app.Clock.GetUtcNow());
        Assert.Single(_receiver.Deliveries);

        // The queue delivers the timer again (at-least-once), twice.
        var generation = (await StateAsync())!.Generation;
        var timer = JsonSerializer.Serialize(new PostPurchaseTimerMessage("c1", "order-b1", generation), Domain.Json.Options);
        await _app.Get<IWorkQueue>().SendAsync(PostPurchaseWorkflow.Queue, timer);
        await _app.Get<IWorkQueue>().SendAsync(PostPurchaseWorkflow.Queue, timer);
        await AdvanceAndPumpAsync(TimeSpan.FromDays(5));

        Assert.Single(_receiver.Deliveries);
    }

    [Fact]
    public async Task CrashAfterHandingToTheOutbox_RedeliveredTimer_SendsExactlyOnce()
    {
        await PostAsync(_app.Consent("k1", "c1", granted: true), _app.Purchase("b1", "c1", "p1"), _app.Delivery("d1", "c1", "order-b1"));
        var generation = (await StateAsync())!.Generation;
        await AdvanceAndPumpAsync(TimeSpan.FromDays(3));
        Assert.Single(_receiver.Deliveries);

        // As if the process died after the outbox step and before recording "sent": the state still says sending.
        await _app.Get<IDocumentStore>().UpdateAsync<PostPurchaseState>(Collections.Workflows, "c1", PostPurchaseWorkflow.InstanceId("order-b1"), s =>
        {
            s!.Status = PostPurchaseStatus.Sending;
            return s;
        });
        await _app.Get<IWorkQueue>().SendAsync(PostPurchaseWorkflow.Queue, JsonSerializer.Serialize(new PostPurchaseTimerMessage("c1", "order-b1", generation), Domain.Json.Options));
        await AdvanceAndPumpAsync(TimeSpan.FromMinutes(1));

        Assert.Single(_receiver.Deliveries);
        Assert.Equal(PostPurchaseStatus.Sent, (await StateAsync())!.Status);
    }

    [Fact]
    public async Task DeliveryBeforeItsPurchase_ArmsFromTheDeliveredProducts_AndThePurchaseFillsTheOrderIn()
    {
        await PostAsync(_app.Consent("k1", "c1", granted: true), _app.Delivery("d1", "c1", "order-b1", "p1"));
        Assert.Equal(PostPurchaseStatus.Armed, (await StateAsync())!.Status);
        await AdvanceAndPumpAsync(TimeSpan.FromHours(1));
        await PostAsync(_app.Purchase("b1", "c1", "p1", "p4"));

        await AdvanceAndPumpAsync(TimeSpan.FromDays(3));

        using var message = JsonDocument.Parse(Assert.Single(_receiver.Deliveries).Body);
        Assert.Equal(["p1", "p4"], Products(message.RootElement.GetProperty("order")).Order());
    }

    [Fact]
    public async Task ReturnBeforeTheDelivery_TheDeliveryArmsNothing()
    {
        await PostAsync(_app.Consent("k1", "c1", granted: true), _app.Purchase("b1", "c1", "p1"));
        await PostAsync(_app.Return("r1", "c1", "order-b1", "p1"));
        await AdvanceAndPumpAsync(TimeSpan.FromHours(1));
        await PostAsync(_app.Delivery("d1", "c1", "order-b1", "p1"));

        await AdvanceAndPumpAsync(TimeSpan.FromDays(4));

        Assert.Empty(_receiver.Deliveries);
        var state = (await StateAsync())!;
        Assert.Equal(PostPurchaseStatus.Cancelled, state.Status);
        Assert.Null(state.DueAt);
    }

    [Fact]
    public async Task UnknownOrder_WithDeliveredProducts_Sends_WithoutAnyProduct_IsSuppressedWithTheReason()
    {
        await PostAsync(_app.Consent("k1", "c1", granted: true), _app.Delivery("d1", "c1", "o-known-products", "p1", "p3"), _app.Delivery("d2", "c1", "o-nothing-known"));

        await AdvanceAndPumpAsync(TimeSpan.FromDays(3));

        using var message = JsonDocument.Parse(Assert.Single(_receiver.Deliveries).Body);
        Assert.Equal("o-known-products", message.RootElement.GetProperty("orderId").GetString());
        Assert.Equal(["p1", "p3"], Products(message.RootElement.GetProperty("order")).Order());
        var recommended = Products(message.RootElement.GetProperty("recommendations").GetProperty("items"));
        Assert.DoesNotContain("p3", recommended); // bought with p1, but delivered in this very order
        Assert.DoesNotContain("p1", recommended);
        var unknown = (await StateAsync("o-nothing-known"))!;
        Assert.Equal(PostPurchaseStatus.Suppressed, unknown.Status);
        Assert.Contains(unknown.History, h => h.What.StartsWith("suppressed: no product of the order to cross-sell", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(null)]
    public async Task WithoutEmailConsent_NothingIsSent_AndTheSuppressionIsCounted(bool? granted)
    {
        var events = new List<object> { _app.Purchase("b1", "c1", "p1"), _app.Delivery("d1", "c1", "order-b1") };
        if (granted is { } g)
        {
            events.Add(_app.Consent("k1", "c1", g));
        }

        await PostAsync([.. events]);
        await AdvanceAndPumpAsync(TimeSpan.FromDays(3));

        Assert.Empty(_receiver.Deliveries);
        var state = (await StateAsync())!;
        Assert.Equal(PostPurchaseStatus.Suppressed, state.Status);
        Assert.Contains(state.History, h => h.What == "suppressed: no email consent");
        var counters = (await _app.Get<WorkflowStats>().ReadAsync()).Single(c => c.Kind == PostPurchaseWorkflow.Kind);
        Assert.Equal((0, 1), (counters.Sent, counters.Suppressed));
    }

    [Fact]
    public async Task UnsubscribeAfterScheduling_NothingIsSent()
    {
        await PostAsync(_app.Consent("k1", "c1", granted: true), _app.Purchase("b1", "c1", "p1"), _app.Delivery("d1", "c1", "order-b1"));
        await AdvanceAndPumpAsync(TimeSpan.FromDays(1));
        await PostAsync(_app.Consent("k2", "c1", granted: false));

        await AdvanceAndPumpAsync(TimeSpan.FromDays(2));

        Assert.Empty(_receiver.Deliveries);
        Assert.Equal(PostPurchaseStatus.Suppressed, (await StateAsync())!.Status);
    }

    [Fact]
    public async Task ProviderFails_ThenSucceeds_TheReceiverCountsExactlyOneDelivery()
    {
        await PostAsync(_app.Consent("k1", "c1", granted: true), _app.Purchase("b1", "c1", "p1"), _app.Delivery("d1", "c1", "order-b1"));
        _receiver.AnswerNext(500);

        await AdvanceAndPumpAsync(TimeSpan.FromDays(3));
        Assert.Equal(0, Delivered);
        await AdvanceAndPumpAsync(TimeSpan.FromMinutes(1)); // past the first backoff (at most 30 s)

        Assert.Equal([500, 200], _receiver.Deliveries.Select(d => d.AnsweredWith));
        Assert.All(_receiver.Deliveries, d => Assert.True(d.SignatureValid));
        Assert.Single(_receiver.Deliveries.Select(d => d.IdempotencyKey).Distinct());
        Assert.Equal(1, Delivered);
        var counters = (await _app.Get<WorkflowStats>().ReadAsync()).Single(c => c.Kind == PostPurchaseWorkflow.Kind);
        Assert.Equal((1, 0, 0), (counters.Sent, counters.Suppressed, counters.DeadLettered));
    }

    [Fact]
    public async Task WithoutAnalyticsConsent_NoInstanceIsKept()
    {
        await PostAsync(_app.Consent("k1", "c2", granted: true), _app.Purchase("b1", "c2", "p1"), _app.Delivery("d1", "c2", "order-b1"));

        await AdvanceAndPumpAsync(TimeSpan.FromDays(3));

        Assert.Empty(_receiver.Deliveries);
        Assert.Null(await _app.Get<PostPurchaseWorkflow>().GetAsync("c2", "order-b1"));
    }

    [Fact]
    public async Task OperatorView_ListsTheOrderInstanceWithItsNextWakeUp_AndCancelsIt()
    {
        using var client = _app.CreateClient();
        await PostAsync(_app.Consent("k1", "c1", granted: true), _app.Purchase("b1", "c1", "p1"), _app.Delivery("d1", "c1", "order-b1"));

        var view = await TestApp.ReadJsonAsync(await client.GetAsync("/api/admin/workflows/c1"));
        var instance = Assert.Single(view.GetProperty("postPurchase").EnumerateArray());
        Assert.Equal(("order-b1", "armed"), (instance.GetProperty("orderId").GetString(), instance.GetProperty("status").GetString()));
        Assert.True(instance.TryGetProperty("dueAt", out _));
        Assert.NotEmpty(instance.GetProperty("history").EnumerateArray());

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/admin/workflows/c1/cancel/post-purchase:order-b1", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/admin/workflows/c1/cancel/post-purchase:order-b1", null)).StatusCode);
        await AdvanceAndPumpAsync(TimeSpan.FromDays(4));

        Assert.Empty(_receiver.Deliveries);
        Assert.Equal(PostPurchaseStatus.Cancelled, (await StateAsync())!.Status);
    }
}
