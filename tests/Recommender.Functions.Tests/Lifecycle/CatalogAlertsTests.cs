using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

/// <summary>
/// Price drop, back in stock and flash sale alerts, from storefront events and catalog changes to
/// the provider: the fake clock drives the queues, and the real local receiver verifies signatures
/// and counts deliveries per message kind.
/// </summary>
public sealed class CatalogAlertsTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _app = new TestApp(_receiver.Url);
        DeliveryTests.StartAtMorning(_app); // outside quiet hours (UTC: no time zone known)
        _receiver.Clock = _app.Clock.GetUtcNow;
        await _app.Get<CatalogProvider>().SaveAsync(
        [
            new Product("boot", "Boot", "shoes", 100m, ImageUrl: "https://img.example/boot.jpg"),
            new Product("sandal", "Sandal", "shoes", 40m, InStock: false),
            new Product("novel", "Novel", "books", 20m),
            new Product("atlas", "Atlas", "books", 30m),
        ]);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task PriceDrop_OfAtLeastTheThreshold_TellsEachViewerAndWishlisterOnce_WithTheProductAndRecommendations()
    {
        await CustomersAsync("viewer", "wisher");
        await PostAsync(_app.View("v1", "viewer", "boot"), WishlistAdd("w1", "wisher", "boot"));

        await PostAsync(PriceChange("ch1", "boot", 85m));
        await _app.PumpAsync();

        var deliveries = Of(CatalogAlertsWorkflow.PriceDropKind);
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.True(d.SignatureValid));
        var byCustomer = deliveries.ToDictionary(d => Body(d).GetProperty("customerId").GetString()!);
        Assert.Equal("viewed", Body(byCustomer["viewer"]).GetProperty("reason").GetString());
        Assert.Equal("wishlisted", Body(byCustomer["wisher"]).GetProperty("reason").GetString());
        var message = Body(byCustomer["viewer"]);
        var product = message.GetProperty("product");
        Assert.Equal("boot", product.GetProperty("productId").GetString());
        Assert.Equal(85m, product.GetProperty("price").GetDecimal());
        Assert.Equal(100m, product.GetProperty("previousPrice").GetDecimal());
        Assert.Equal(15m, product.GetProperty("percentOff").GetDecimal());
        Assert.Equal("https://img.example/boot.jpg", product.GetProperty("imageUrl").GetString());
        var recommendationId = message.GetProperty("recommendationId").GetString();
        Assert.StartsWith("rec", recommendationId, StringComparison.Ordinal);
        Assert.Equal(recommendationId, message.GetProperty("recommendations").GetProperty("recommendationId").GetString());
        Assert.Equal(byCustomer["viewer"].IdempotencyKey, message.GetProperty("messageId").GetString());
        Assert.NotEqual(byCustomer["viewer"].IdempotencyKey, byCustomer["wisher"].IdempotencyKey);

        using var client = _app.CreateClient();
        var stats = await TestApp.ReadJsonAsync(await client.GetAsync("/api/admin/workflow-stats"));
        Assert.Equal(2, stats.EnumerateArray().Single(s => s.GetProperty("kind").GetString() == CatalogAlertsWorkflow.PriceDropKind).GetProperty("sent").GetInt64());

        _app.Clock.Advance(TimeSpan.FromMinutes(30));
        await _app.PumpAsync();
        Assert.Equal(2, Of(CatalogAlertsWorkflow.PriceDropKind).Count); // nothing more
    }

    [Fact]
    public async Task PriceDrop_BelowTheThreshold_TellsNobody_UntilAFurtherFallReachesIt()
    {
        await CustomersAsync("viewer");
        await PostAsync(_app.View("v1", "viewer", "boot"));

        await PostAsync(PriceChange("ch1", "boot", 95m)); // 5 % below what they saw
        await _app.PumpAsync();
        Assert.Empty(Of(CatalogAlertsWorkflow.PriceDropKind));

        await PostAsync(PriceChange("ch2", "boot", 90m, secondsLater: 1)); // the same fall goes on: now 10 % below
        await _app.PumpAsync();
        var delivery = Assert.Single(Of(CatalogAlertsWorkflow.PriceDropKind));
        Assert.Equal(90m, Body(delivery).GetProperty("product").GetProperty("price").GetDecimal());
    }

    [Fact]
    public async Task TheSameDropReportedTwice_OrFallingFurther_IsOneOccurrence_ButDropRiseDrop_IsANewOne()
    {
        await CustomersAsync("viewer");
        await PostAsync(_app.View("v1", "viewer", "boot"));

        await PostAsync(PriceChange("ch1", "boot", 85m));
        await PostAsync(PriceChange("ch2", "boot", 85m, secondsLater: 1)); // another system reports the same drop
        await PostAsync(PriceChange("ch3", "boot", 80m, secondsLater: 2)); // and it keeps falling
        await _app.PumpAsync();
        Assert.Single(Of(CatalogAlertsWorkflow.PriceDropKind));

        await PostAsync(PriceChange("ch4", "boot", 100m, secondsLater: 3)); // back up: the fall is over
        await PostAsync(PriceChange("ch5", "boot", 85m, secondsLater: 4)); // and down again: a new occurrence
        await _app.PumpAsync();

        var deliveries = Of(CatalogAlertsWorkflow.PriceDropKind);
        Assert.Equal(2, deliveries.Count);
        Assert.Equal(2, deliveries.Select(d => d.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task RedeliveredCatalogChange_AndRedeliveredFanOutMessages_DeliverOncePerCustomer()
    {
        await CustomersAsync("viewer", "wisher");
        await PostAsync(_app.View("v1", "viewer", "boot"), WishlistAdd("w1", "wisher", "boot"));
        var change = PriceChange("ch1", "boot", 85m);
        await PostAsync(change);
        await _app.PumpAsync();
        Assert.Equal(2, Of(CatalogAlertsWorkflow.PriceDropKind).Count);

        // Event Hubs delivers the batch again, then every fan-out message is delivered again.
        await PostAsync(change);
        var alert = Assert.Single(Assert.Single((await StateAsync("boot")).Changes).Alerts);
        var fanOut = new CatalogAlertMessage(CatalogAlertStep.FanOut, alert);
        await SendAsync(fanOut);
        for (var shard = 0; shard < ProductWatchers.Shards; shard++)
        {
            await SendAsync(fanOut with { Step = CatalogAlertStep.Shard, Shard = shard });
        }

        await SendAsync(fanOut with { Step = CatalogAlertStep.Notify, CustomerId = "viewer", SeenPrice = 100m, Reason = "viewed" });
        await SendAsync(fanOut with { Step = CatalogAlertStep.Notify, CustomerId = "wisher", SeenPrice = 100m, Reason = "wishlisted" });
        await _app.PumpAsync();
        _app.Clock.Advance(TimeSpan.FromHours(1));
        await _app.PumpAsync();

        var deliveries = Of(CatalogAlertsWorkflow.PriceDropKind);
        Assert.Equal(2, deliveries.Count);
        Assert.Equal(
            new[] { CatalogAlertsWorkflow.MessageIdOf(alert, "viewer"), CatalogAlertsWorkflow.MessageIdOf(alert, "wisher") }.Order(),
            deliveries.Select(d => d.IdempotencyKey).Order());
    }

    [Fact]
    public async Task CrashAfterDetection_BeforeTheFanOutWasQueued_TheRedeliveredChangeQueuesIt()
    {
        await CustomersAsync("viewer");
        await PostAsync(_app.View("v1", "viewer", "boot"));
        var change = PriceChange("ch1", "boot", 85m);
        await PostAsync(change);

        // The process died after recording the alert: the fan-out message never left, the change is not marked queued.
        var queue = _app.Get<IWorkQueue>();
        foreach (var lost in await queue.ReceiveAsync(CatalogAlertsWorkflow.Queue, 32, TimeSpan.FromMinutes(5)))
        {
            await queue.DeleteAsync(lost);
        }

        await _app.Get<IDocumentStore>().UpdateAsync<CatalogAlertState>(Collections.Items, "boot", CatalogAlertsWorkflow.ProductStateId, s =>
        {
            s!.Changes[0] = s.Changes[0] with { Queued = false };
            return s;
        });
        await _app.PumpAsync();
        Assert.Empty(Of(CatalogAlertsWorkflow.PriceDropKind));

        await PostAsync(change); // the batch comes again
        await _app.PumpAsync();

        Assert.Single(Of(CatalogAlertsWorkflow.PriceDropKind));
        Assert.True(Assert.Single((await StateAsync("boot")).Changes).Queued);
    }

    [Fact]
    public async Task ProviderFailure_ThenSuccess_DeliversExactlyOnce()
    {
        await CustomersAsync("viewer");
        await PostAsync(_app.View("v1", "viewer", "boot"));
        _receiver.AnswerNext(500);

        await PostAsync(PriceChange("ch1", "boot", 85m));
        await _app.PumpAsync();
        _app.Clock.Advance(TimeSpan.FromMinutes(1)); // past the first backoff (at most 30 s)
        await _app.PumpAsync();

        var deliveries = Of(CatalogAlertsWorkflow.PriceDropKind);
        Assert.Equal([500, 200], deliveries.Select(d => d.AnsweredWith));
        Assert.Single(deliveries.Select(d => d.IdempotencyKey).Distinct());
    }

    [Fact]
    public async Task WithoutAnalyticsConsent_Unsubscribed_Suppressed_Objecting_OrAMinor_NobodyIsTold()
    {
        await CustomersAsync("unsubscribed", "suppressed", "minor", "objector");
        await PostAsync(
            _app.Consent("e0", "no-analytics", true),
            _app.View("v0", "no-analytics", "boot"), _app.View("v1", "unsubscribed", "boot"), _app.View("v2", "suppressed", "boot"), _app.View("v3", "minor", "boot"),
            _app.View("v4", "objector", "boot"));
        Assert.NotNull(await _app.Get<ProductWatchers>().GetListAsync("minor"));

        await PostAsync(
            _app.Consent("u1", "unsubscribed", false),
            new { id = "age", type = "account", customerId = "minor", birthYear = _app.Clock.GetUtcNow().Year - 14, occurredAt = _app.Clock.GetUtcNow() });
        await _app.Get<SuppressionList>().SuppressAsync("suppressed", "email", "complaint", "provider");
        using var client = _app.CreateClient();
        (await client.PutAsJsonAsync("/api/privacy/objection/objector", new { objects = true })).EnsureSuccessStatusCode();
        await PostAsync(PriceChange("ch1", "boot", 50m));
        await _app.PumpAsync();

        Assert.Empty(Of(CatalogAlertsWorkflow.PriceDropKind));
        Assert.Null(await _app.Get<ProductWatchers>().GetListAsync("no-analytics")); // never recorded
        Assert.Null(await _app.Get<ProductWatchers>().GetListAsync("minor")); // forgotten when profiling stopped
        Assert.DoesNotContain("minor", (await _app.Get<ProductWatchers>().ReadShardAsync("boot", ProductWatchers.ShardOf("minor"))).Keys);
        var suppressed = Assert.Single(await _app.Get<MessageOutbox>().ListAsync("suppressed"));
        Assert.Equal(OutboxStatus.Suppressed, suppressed.Status); // the send rules stopped it at send time
        Assert.Empty(await _app.Get<MessageOutbox>().ListAsync("unsubscribed"));
        Assert.Empty(await _app.Get<MessageOutbox>().ListAsync("objector"));
    }

    [Fact]
    public async Task AViewOlderThanTheWindow_NoLongerCounts()
    {
        await CustomersAsync("viewer");
        await PostAsync(_app.View("v1", "viewer", "boot"));

        _app.Clock.Advance(TimeSpan.FromDays(31));
        await PostAsync(PriceChange("ch1", "boot", 50m));
        await _app.PumpAsync();

        Assert.Empty(Of(CatalogAlertsWorkflow.PriceDropKind));
    }

    [Fact]
    public async Task BackInStock_TellsWishlistersOnly_AndAWishlistRemovalEndsIt()
    {
        await CustomersAsync("wisher", "viewer", "changed-mind");
        await PostAsync(WishlistAdd("w1", "wisher", "sandal"), _app.View("v1", "viewer", "sandal"), WishlistAdd("w2", "changed-mind", "sandal"));
        await PostAsync(new { id = "w3", type = "wishlist_remove", customerId = "changed-mind", productId = "sandal", occurredAt = _app.Clock.GetUtcNow() });

        await PostAsync(StockChange("ch1", "sandal", inStock: true));
        await PostAsync(StockChange("ch1b", "sandal", inStock: true, secondsLater: 1)); // already in stock: nothing new
        await _app.PumpAsync();

        var delivery = Assert.Single(Of(CatalogAlertsWorkflow.BackInStockKind));
        var message = Body(delivery);
        Assert.Equal("wisher", message.GetProperty("customerId").GetString());
        Assert.Equal("sandal", message.GetProperty("product").GetProperty("productId").GetString());
        Assert.True(message.GetProperty("product").GetProperty("inStock").GetBoolean());
        Assert.True(message.TryGetProperty("recommendationId", out _));
    }

    [Fact]
    public async Task FlashSale_TellsCustomersWhoseTopCategoriesIncludeIt_OncePerDay()
    {
        await CustomersAsync("shoe-fan", "reader");
        await _app.GrantAnalyticsAsync("no-email");
        await PostAsync(_app.View("v1", "shoe-fan", "boot"), _app.View("v2", "shoe-fan", "sandal"), _app.View("v3", "reader", "novel"), _app.View("v4", "no-email", "boot"));

        await PostAsync(Sale("s1", "shoes"));
        await PostAsync(Sale("s1", "shoes")); // redelivered
        await PostAsync(Sale("s2", "Shoes", secondsLater: 60)); // announced again the same day
        await _app.PumpAsync();

        var delivery = Assert.Single(Of(CatalogAlertsWorkflow.FlashSaleKind));
        var message = Body(delivery);
        Assert.Equal("shoe-fan", message.GetProperty("customerId").GetString());
        Assert.Equal("category_affinity", message.GetProperty("reason").GetString());
        Assert.Equal("shoes", message.GetProperty("sale").GetProperty("category").GetString());
        Assert.Equal(30, message.GetProperty("sale").GetProperty("percent").GetInt32());
        Assert.All(message.GetProperty("recommendations").GetProperty("items").EnumerateArray(),
            item => Assert.Equal("shoes", item.GetProperty("category").GetString()));

        // The views armed browse abandonment too: raise the caps so its email does not hold the next sale back.
        _app.Get<IOptions<MessagingOptions>>().Value.MaxPerChannelPerWindow = 10;
        _app.Clock.Advance(TimeSpan.FromDays(1));
        await PostAsync(Sale("s3", "shoes"));
        await _app.PumpAsync();
        Assert.Equal(2, Of(CatalogAlertsWorkflow.FlashSaleKind).Count); // another day, another sale
    }

    [Fact]
    public async Task SaleEvent_NeedsACategory_AndNamesNoProduct()
    {
        using var client = _app.CreateClient();
        var response = await _app.PostEventsAsync(
            new { id = "s1", type = "catalog_change", change = "sale", occurredAt = _app.Clock.GetUtcNow() },
            new { id = "s2", type = "catalog_change", change = "sale", category = "shoes", productId = "boot", percent = 20, occurredAt = _app.Clock.GetUtcNow() });

        var outcomes = (await TestApp.ReadJsonAsync(response)).GetProperty("results");
        Assert.False(outcomes[0].GetProperty("accepted").GetBoolean());
        Assert.Contains("category", outcomes[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(outcomes[1].GetProperty("accepted").GetBoolean());
        Assert.Equal(1, outcomes[1].GetProperty("droppedFieldCount").GetInt32());
        Assert.Equal(100m, (await _app.Get<CatalogProvider>().GetAsync())["boot"].Price); // a sale changes no product
    }

    [Fact]
    public async Task Export_ListsTheWatches_AndErasure_RemovesThemFromBothSides()
    {
        await CustomersAsync("leaver", "stayer");
        await PostAsync(_app.View("v1", "leaver", "boot"), WishlistAdd("w1", "leaver", "novel"), _app.View("v2", "stayer", "boot"));
        using var client = _app.CreateClient();

        var export = await client.GetFromJsonAsync<JsonElement>("/api/privacy/export/leaver");
        var watching = export.GetProperty("watching").EnumerateArray().ToDictionary(w => w.GetProperty("productId").GetString()!, w => w.GetProperty("watch"));
        Assert.Equal(["boot", "novel"], watching.Keys.Order());
        Assert.Equal(100m, watching["boot"].GetProperty("price").GetDecimal());
        Assert.True(watching["boot"].TryGetProperty("viewedAt", out _));
        Assert.True(watching["novel"].TryGetProperty("wishlistedAt", out _));

        var request = await _app.Get<ErasureService>().StartAsync("leaver");
        await _app.PumpAsync();

        var status = (await _app.Get<ErasureService>().GetAsync(request.RequestId))!;
        Assert.Equal("completed", status.Status);
        Assert.Equal(2, status.Tasks[ErasureTarget.ProductWatchers].Removed);
        var watchers = _app.Get<ProductWatchers>();
        Assert.Null(await watchers.GetListAsync("leaver"));
        foreach (var product in new[] { "boot", "novel" })
        {
            Assert.DoesNotContain("leaver", (await watchers.ReadShardAsync(product, ProductWatchers.ShardOf("leaver"))).Keys);
        }

        Assert.Contains("stayer", (await watchers.ReadShardAsync("boot", ProductWatchers.ShardOf("stayer"))).Keys);
        Assert.NotNull(await watchers.GetListAsync("stayer"));
    }

    [Theory]
    [InlineData("""{"step":"shard","shard":16,"alert":{"kind":"price_drop","subject":"boot","occurrence":"ch1","changeId":"ch1","at":"2026-05-01T12:00:00Z"}}""")]
    [InlineData("""{"step":"notify","alert":{"kind":"price_drop","subject":"boot","occurrence":"ch1","changeId":"ch1","at":"2026-05-01T12:00:00Z"}}""")]
    [InlineData("""{"step":"fan_out"}""")]
    public async Task MalformedQueueMessage_IsDeadLettered_NotRetried(string body) =>
        Assert.Equal(Messaging.DispatchOutcome.DeadLettered, await _app.Get<Messaging.QueueDispatcher>().DispatchAsync(CatalogAlertsWorkflow.Queue, body));

    /// <summary>Customers with analytics and email consent.</summary>
    private async Task CustomersAsync(params string[] customers)
    {
        await _app.GrantAnalyticsAsync(customers);
        await PostAsync(customers.Select(c => _app.Consent("email-" + c, c, true)).ToArray());
    }

    private async Task PostAsync(params object[] events)
    {
        var response = await _app.PostEventsAsync(events);
        response.EnsureSuccessStatusCode();
        Assert.All((await TestApp.ReadJsonAsync(response)).GetProperty("results").EnumerateArray(), e => Assert.True(e.GetProperty("accepted").GetBoolean(), e.ToString()));
    }

    private object WishlistAdd(string id, string customer, string product) =>
        new { id, type = "wishlist_add", customerId = customer, productId = product, occurredAt = _app.Clock.GetUtcNow() };

    private object PriceChange(string id, string product, decimal price, int secondsLater = 0) =>
        new { id, type = "catalog_change", source = "pim", productId = product, change = "price", price, occurredAt = _app.Clock.GetUtcNow().AddSeconds(secondsLater) };

    private object StockChange(string id, string product, bool inStock, int secondsLater = 0) =>
        new { id, type = "catalog_change", productId = product, change = "stock", inStock, occurredAt = _app.Clock.GetUtcNow().AddSeconds(secondsLater) };

    private object Sale(string id, string category, int secondsLater = 0) =>
        new { id, type = "catalog_change", change = "sale", category, percent = 30, name = "Summer sale", occurredAt = _app.Clock.GetUtcNow().AddSeconds(secondsLater) };

    private async Task<CatalogAlertState> StateAsync(string productId) =>
        (await _app.Get<IDocumentStore>().GetAsync<CatalogAlertState>(Collections.Items, productId, CatalogAlertsWorkflow.ProductStateId))!;

    private Task SendAsync(CatalogAlertMessage message) =>
        _app.Get<IWorkQueue>().SendAsync(CatalogAlertsWorkflow.Queue, JsonSerializer.Serialize(message, Json.Options));

    /// <summary>The deliveries of one message kind (views also arm browse abandonment, whose emails are not the subject here).</summary>
    private List<Delivery> Of(string kind) => _receiver.Deliveries.Where(d => Body(d).GetProperty("type").GetString() == kind).ToList();

    private static JsonElement Body(Delivery delivery) => JsonDocument.Parse(delivery.Body).RootElement.Clone();
}
