using System.Text.Json;
using Microsoft.Extensions.Options;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Messaging;
using Recommender.Domain.Profiles;
using Recommender.Domain.Workflows;
using Recommender.Functions.Messaging;
using Recommender.Functions.Tests.Faults;
using Xunit.Abstractions;

namespace Recommender.Functions.Tests;

/// <summary>
/// A crash and restart between every pair of steps: each workflow's whole timeline runs once to count
/// its steps (writes, queue sends and completions, webhooks accepted), then once more per step, the
/// process dying right after that step. A crashed queue message comes back when its lease expires (as
/// in Storage queues); a crashed ingestion batch is delivered again (as Event Hubs does from its last
/// checkpoint). The provider on the other end verifies signatures and must see every expected message
/// exactly once — by idempotency key, as a provider de-duplicates — and nothing else.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : WebhookReceiverTests
{
    private delegate Task Timeline(TimelineRun run, string customer);

    [Fact]
    public Task CartAbandonment_CrashAfterAnyStep_EveryReminderExactlyOnce() => EveryCrashPointAsync(CartTimelineAsync, expectedMessages: 3);

    [Fact]
    public Task BrowseAbandonment_CrashAfterAnyStep_TheReminderExactlyOnce() => EveryCrashPointAsync(BrowseTimelineAsync, expectedMessages: 1);

    [Fact]
    public Task PostPurchase_CrashAfterAnyStep_TheCrossSellExactlyOnce() => EveryCrashPointAsync(PostPurchaseTimelineAsync, expectedMessages: 1);

    [Fact]
    public Task PostPurchase_DeliveryBeforeItsPurchase_CrashAfterAnyStep_TheCrossSellExactlyOnce() =>
        EveryCrashPointAsync(OutOfOrderPostPurchaseTimelineAsync, expectedMessages: 1);

    [Fact]
    public Task Replenishment_CrashAfterAnyStep_TheReminderExactlyOnce() => EveryCrashPointAsync(ReplenishmentTimelineAsync, expectedMessages: 2,
        setup: SaveCoffeeCatalogAsync);

    [Fact]
    public Task Replenishment_CrashAfterAnyStep_ASuppressedReminderStillMovesTheTimerOn() => EveryCrashPointAsync(SuppressedReplenishmentTimelineAsync, expectedMessages: 1,
        setup: SaveCoffeeCatalogAsync);

    [Fact]
    public Task PriceDrop_CrashAfterAnyStep_TheAlertExactlyOnce() => EveryCrashPointAsync(PriceDropTimelineAsync, expectedMessages: 1);

    [Fact]
    public Task BackInStock_CrashAfterAnyStep_TheAlertExactlyOnce() => EveryCrashPointAsync(BackInStockTimelineAsync, expectedMessages: 1);

    [Fact]
    public Task FlashSale_CrashAfterAnyStep_TheAlertExactlyOnce() => EveryCrashPointAsync(FlashSaleTimelineAsync, expectedMessages: 1,
        setup: FillEveryDirectoryShardAsync);

    [Fact]
    public async Task IngestionCrash_AfterTheProfileWrite_TheRetriedBatchStillArmsTheReminder()
    {
        var faults = new FaultInjector();
        await using var app = new TestApp(Receiver.Url) { Faults = faults };
        Receiver.Clock = app.Clock.GetUtcNow;
        DeliveryTests.StartAtMorning(app);
        var run = new TimelineRun(app, faults);
        await run.IngestAsync(app.Consent("k1", "c1", true, "analytics"), app.Consent("k2", "c1", true));

        // The cart change reaches the profile (its event id now counts as processed), then the process
        // dies before the workflows hear of it; Event Hubs delivers the batch again.
        faults.Arm(step => step.StartsWith("replace profiles/c1/", StringComparison.Ordinal));
        await run.IngestAsync(app.AddToCart("a1", "c1", "p1"));
        Assert.NotNull(faults.CrashedAfter);

        var state = await app.Get<CartAbandonmentWorkflow>().GetAsync("c1");
        Assert.Equal(CartAbandonmentStatus.Armed, state?.Status);
        await run.AdvanceAsync(CartAbandonmentWorkflow.Delay);
        Assert.Equal("cart-abandonment:c1:1:1", Assert.Single(Receiver.Deliveries).IdempotencyKey);
    }

    /// <summary>Cart changes, then the 4-hour, 24-hour and 3-day reminders.</summary>
    private static async Task CartTimelineAsync(TimelineRun run, string c)
    {
        var app = run.App;
        await run.IngestAsync(app.Consent($"{c}-analytics", c, true, "analytics"), app.Consent($"{c}-email", c, true));
        await run.IngestAsync(app.AddToCart($"{c}-add1", c, "p1", 30m), app.AddToCart($"{c}-add2", c, "p2", 12m));
        await run.AdvanceAsync(TimeSpan.FromHours(1));
        await run.IngestAsync(app.RemoveFromCart($"{c}-remove2", c, "p2")); // restarts the clock
        await run.AdvanceAsync(TimeSpan.FromHours(4));
        await run.AdvanceAsync(TimeSpan.FromHours(20));
        await run.AdvanceAsync(TimeSpan.FromHours(48));
    }

    /// <summary>Views, a later view that moves the reminder, then the reminder two hours after it.</summary>
    private static async Task BrowseTimelineAsync(TimelineRun run, string c)
    {
        var app = run.App;
        await run.IngestAsync(app.Consent($"{c}-analytics", c, true, "analytics"), app.Consent($"{c}-email", c, true));
        await run.IngestAsync(app.View($"{c}-view1", c, "p1"), app.View($"{c}-view2", c, "p2", TimeSpan.FromSeconds(30)));
        await run.AdvanceAsync(TimeSpan.FromHours(1));
        await run.IngestAsync(app.View($"{c}-view3", c, "p3"));
        await run.AdvanceAsync(TimeSpan.FromHours(2));
    }

    /// <summary>
    /// Two of an order bought, delivered a day later, one of them returned the next day (the other is
    /// kept: a return counted twice would cancel the cross-sell), then the cross-sell 3 days after the delivery.
    /// </summary>
    private static async Task PostPurchaseTimelineAsync(TimelineRun run, string c)
    {
        var app = run.App;
        await run.IngestAsync(app.Consent($"{c}-analytics", c, true, "analytics"), app.Consent($"{c}-email", c, true));
        await run.IngestAsync(new
        {
            id = $"{c}-purchase", type = "purchase", customerId = c, orderId = "o1", occurredAt = app.Clock.GetUtcNow(),
            lines = new[] { new { productId = "p1", quantity = 2, price = 10m } },
        });
        await run.AdvanceAsync(TimeSpan.FromDays(1));
        await run.IngestAsync(app.Delivery($"{c}-delivery", c, "o1", "p1"));
        await run.AdvanceAsync(TimeSpan.FromDays(1));
        await run.IngestAsync(app.Return($"{c}-return", c, "o1", "p1"));
        await run.AdvanceAsync(TimeSpan.FromDays(2));
    }

    /// <summary>
    /// Out of order: the delivery (naming no products) arrives first and arms the timer; the purchase, which happened
    /// two days earlier, arrives an hour later and says what the order holds; the cross-sell 3 days after the delivery.
    /// </summary>
    private static async Task OutOfOrderPostPurchaseTimelineAsync(TimelineRun run, string c)
    {
        var app = run.App;
        await run.IngestAsync(app.Consent($"{c}-analytics", c, true, "analytics"), app.Consent($"{c}-email", c, true));
        await run.IngestAsync(app.Delivery($"{c}-delivery", c, "o1"));
        await run.AdvanceAsync(TimeSpan.FromHours(1));
        await run.IngestAsync(new
        {
            id = $"{c}-purchase", type = "purchase", customerId = c, orderId = "o1", occurredAt = app.Clock.GetUtcNow() - TimeSpan.FromDays(2),
            lines = new[] { new { productId = "p1", quantity = 1, price = 10m }, new { productId = "p2", quantity = 1, price = 20m } },
        });
        await run.AdvanceAsync(TimeSpan.FromDays(3));
    }

    /// <summary>
    /// A purchase of coffee that lasts 30 days and filters that last 40, then their two reminders 28 and 38
    /// days later (the timer re-arming at each 7-day queue hop, and moving on to the filters after the coffee).
    /// </summary>
    private static async Task ReplenishmentTimelineAsync(TimelineRun run, string c)
    {
        var app = run.App;
        await run.IngestAsync(app.Consent($"{c}-analytics", c, true, "analytics"), app.Consent($"{c}-email", c, true));
        await run.IngestAsync(app.Purchase($"{c}-purchase", c, "cof", "fil"));
        for (var week = 1; week <= 6; week++)
        {
            await run.AdvanceAsync(TimeSpan.FromDays(7));
        }
    }

    /// <summary>
    /// The same purchase, but email consent withdrawn before the coffee's reminder (suppressed: the timer moves on
    /// to the filters in the same write) and granted again before the filters' reminder, which is sent.
    /// </summary>
    private static async Task SuppressedReplenishmentTimelineAsync(TimelineRun run, string c)
    {
        var app = run.App;
        await run.IngestAsync(app.Consent($"{c}-analytics", c, true, "analytics"), app.Consent($"{c}-email", c, true));
        await run.IngestAsync(app.Purchase($"{c}-purchase", c, "cof", "fil"));
        await run.AdvanceAsync(TimeSpan.FromDays(7));
        await run.AdvanceAsync(TimeSpan.FromDays(14));
        await run.IngestAsync(app.Consent($"{c}-email-withdrawn", c, false));
        await run.AdvanceAsync(TimeSpan.FromDays(7));
        await run.IngestAsync(app.Consent($"{c}-email-again", c, true));
        await run.AdvanceAsync(TimeSpan.FromDays(7));
        await run.AdvanceAsync(TimeSpan.FromDays(7));
    }

    /// <summary>
    /// A product of the customer's own (so runs do not share watchers) enters the catalog, the customer wishlists it
    /// (a view would arm a browse reminder too), an hour later its price falls 15 %: detected, fanned out to the
    /// watcher shard, one alert to the customer.
    /// </summary>
    private static async Task PriceDropTimelineAsync(TimelineRun run, string c)
    {
        var app = run.App;
        var product = $"{c}-boot";
        await run.IngestAsync(app.Consent($"{c}-analytics", c, true, "analytics"), app.Consent($"{c}-email", c, true));
        await run.IngestAsync(new { id = $"{c}-new", type = "catalog_change", productId = product, change = "new_product", name = "Boot", category = "shoes", price = 100m, occurredAt = app.Clock.GetUtcNow() });
        await run.IngestAsync(new { id = $"{c}-wish", type = "wishlist_add", customerId = c, productId = product, occurredAt = app.Clock.GetUtcNow() });
        await run.AdvanceAsync(TimeSpan.FromHours(1));
        await run.IngestAsync(new { id = $"{c}-drop", type = "catalog_change", productId = product, change = "price", price = 85m, occurredAt = app.Clock.GetUtcNow() });
        await run.AdvanceAsync(TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// A product of the customer's own enters the catalog and is wishlisted; an hour later it sells out, another hour
    /// later it is back in stock: detected, fanned out to the watcher shard, one alert to the wishlister.
    /// </summary>
    private static async Task BackInStockTimelineAsync(TimelineRun run, string c)
    {
        var app = run.App;
        var product = $"{c}-boot";
        await run.IngestAsync(app.Consent($"{c}-analytics", c, true, "analytics"), app.Consent($"{c}-email", c, true));
        await run.IngestAsync(new { id = $"{c}-new", type = "catalog_change", productId = product, change = "new_product", name = "Boot", category = "shoes", price = 100m, occurredAt = app.Clock.GetUtcNow() });
        await run.IngestAsync(new { id = $"{c}-wish", type = "wishlist_add", customerId = c, productId = product, occurredAt = app.Clock.GetUtcNow() });
        await run.AdvanceAsync(TimeSpan.FromHours(1));
        await run.IngestAsync(new { id = $"{c}-out", type = "catalog_change", productId = product, change = "stock", inStock = false, occurredAt = app.Clock.GetUtcNow() });
        await run.AdvanceAsync(TimeSpan.FromHours(1));
        await run.IngestAsync(new { id = $"{c}-back", type = "catalog_change", productId = product, change = "stock", inStock = true, occurredAt = app.Clock.GetUtcNow() });
        await run.AdvanceAsync(TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// The customer wishlists a product of a category of their own (so no other run's customer prefers it, and its
    /// once-a-day sale is this run's); an hour later a sale in that category: fanned out to every customer-directory
    /// shard, a page per non-empty shard, one alert to the customer.
    /// </summary>
    private static async Task FlashSaleTimelineAsync(TimelineRun run, string c)
    {
        var app = run.App;
        var category = $"{c}-shoes";
        await run.IngestAsync(app.Consent($"{c}-analytics", c, true, "analytics"), app.Consent($"{c}-email", c, true));
        await run.IngestAsync(new { id = $"{c}-new", type = "catalog_change", productId = $"{c}-boot", change = "new_product", name = "Boot", category, price = 100m, occurredAt = app.Clock.GetUtcNow() });
        await run.IngestAsync(new { id = $"{c}-wish", type = "wishlist_add", customerId = c, productId = $"{c}-boot", occurredAt = app.Clock.GetUtcNow() });
        await run.AdvanceAsync(TimeSpan.FromHours(1));
        await run.IngestAsync(new { id = $"{c}-sale", type = "catalog_change", change = "sale", category, percent = 30, name = "Summer sale", occurredAt = app.Clock.GetUtcNow() });
        await run.AdvanceAsync(TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// A customer (no profile: skipped by the page scan) in every directory shard from the start: a sale's fan-out then
    /// queues one page per shard in every run, instead of more pages as each run's customer fills another shard, which
    /// would move every later step past the reference's count, never to be crashed after.
    /// </summary>
    private static async Task FillEveryDirectoryShardAsync(TestApp app)
    {
        var profiles = app.Get<ProfileStore>();
        var empty = ProfileStore.AllShards.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; empty.Count > 0; i++)
        {
            if (empty.Remove(ProfileStore.ShardOf($"directory-filler-{i}")))
            {
                await profiles.RegisterCustomerAsync($"directory-filler-{i}");
            }
        }
    }

    private static Task SaveCoffeeCatalogAsync(TestApp app) => app.Get<CatalogProvider>().SaveAsync([
        new Product("cof", "Coffee beans", "coffee", 15m, ReplenishAfterDays: 30),
        new Product("fil", "Paper filters", "coffee", 4m, ReplenishAfterDays: 40),
    ]);

    private async Task EveryCrashPointAsync(Timeline timeline, int expectedMessages, Func<TestApp, Task>? setup = null)
    {
        var faults = new FaultInjector();
        await using var app = new TestApp(Receiver.Url) { Faults = faults };
        if (setup is not null)
        {
            await setup(app);
        }

        Receiver.Clock = app.Clock.GetUtcNow;
        Receiver.AfterDelivery = d => faults.Observe($"webhook {d.IdempotencyKey} accepted");
        var messaging = app.Get<IOptions<MessagingOptions>>().Value;
        messaging.MaxPerWindow = messaging.MaxPerChannelPerWindow = 10; // the caps are DeliveryTests' subject

        // The first run creates what later runs only update (item counters, the popularity board):
        // it warms the app up so that the reference run counts the same steps as the crashing runs.
        await RunAsync(app, faults, timeline, "warmup", crashAfter: 0);
        var (reference, steps) = await RunAsync(app, faults, timeline, "reference", crashAfter: 0);
        output.WriteLine($"{steps} steps; expected messages: {string.Join(", ", reference)}");
        Assert.Equal(expectedMessages, reference.Count);

        var failures = new List<string>();
        for (var k = 1; k <= steps; k++)
        {
            var (keys, runSteps) = await RunAsync(app, faults, timeline, $"crash{k}", crashAfter: k);
            if (faults.CrashedAfter is null)
            {
                // The run ended before step k: it counted fewer trailing steps than the reference (a batch
                // redelivered within the hour of its first delivery lands on the archive blob it already
                // wrote, one put fewer). Nothing was left to crash after; its messages are still checked.
                Assert.True(runSteps < k, $"no crash after step {k}, yet the run counted {runSteps} steps");
                Assert.True(k > steps - 5, $"no crash after step {k} of {steps}: only the last steps may be missing");
            }
            if (!keys.SequenceEqual(reference))
            {
                failures.Add($"crash after {faults.CrashedAfter}: got [{string.Join(", ", keys)}]");
            }
        }

        Assert.True(failures.Count == 0, $"expected [{string.Join(", ", reference)}] every time; {string.Join(Environment.NewLine, failures)}");
    }

    /// <summary>
    /// One timeline for a fresh customer, every batch of it delivered again at the end (Event Hubs
    /// replaying from an old checkpoint), then ten quiet days (nothing more may arrive); returns the
    /// provider's distinct idempotency keys for the customer (customer id replaced by <c>{c}</c>) and the steps counted.
    /// </summary>
    private async Task<(List<string> Keys, int Steps)> RunAsync(TestApp app, FaultInjector faults, Timeline timeline, string customer, int crashAfter)
    {
        DeliveryTests.StartAtMorning(app);
        faults.Arm(crashAfter);
        var run = new TimelineRun(app, faults);
        await timeline(run, customer);
        await run.RedeliverEveryBatchAsync();
        await run.AdvanceAsync(TimeSpan.FromDays(10));
        var steps = faults.MutatingCalls;
        faults.Restart();

        var deliveries = Receiver.Deliveries.Where(d => CustomerOf(d) == customer).ToList();
        Assert.All(deliveries, d => Assert.True(d.SignatureValid, $"bad signature on {d.IdempotencyKey}"));
        Assert.All(deliveries, d => Assert.Equal(200, d.AnsweredWith));
        foreach (var posts in deliveries.GroupBy(d => d.IdempotencyKey))
        {
            // A crash after the provider accepted a message and before the outbox recorded it repeats
            // that POST with the same key (the provider drops it); nothing else may ever repeat one.
            var crashedAfterThisPost = faults.CrashedAfter?.EndsWith($"webhook {posts.Key} accepted", StringComparison.Ordinal) == true;
            Assert.True(posts.Count() == 1 || (crashedAfterThisPost && posts.Count() == 2),
                $"{posts.Key} posted {posts.Count()} times (crash after {faults.CrashedAfter ?? "nothing"})");
        }

        var keys = deliveries.GroupBy(d => d.IdempotencyKey).Select(posts => Normalized(posts.First(), customer)).Order(StringComparer.Ordinal).ToList();
        return (keys, steps);
    }

    /// <summary>
    /// A message's key the same in every run: the customer id replaced by <c>{c}</c>; a key that hashes the customer
    /// in (catalog alerts) becomes its kind and subject (<c>price_drop:{c}-boot</c>, <c>flash_sale:{c}-shoes</c>).
    /// </summary>
    private static string Normalized(Delivery delivery, string customer)
    {
        var key = delivery.IdempotencyKey;
        if (key.Contains($":{customer}:", StringComparison.Ordinal))
        {
            return key.Replace($":{customer}:", ":{c}:", StringComparison.Ordinal);
        }

        var body = JsonDocument.Parse(delivery.Body).RootElement;
        var subject = body.TryGetProperty("product", out var product) ? product.GetProperty("productId").GetString() : body.GetProperty("sale").GetProperty("category").GetString();
        return $"{body.GetProperty("type").GetString()}:{subject?.Replace(customer, "{c}", StringComparison.Ordinal)}";
    }

    private static string? CustomerOf(Delivery delivery) =>
        JsonDocument.Parse(delivery.Body).RootElement.TryGetProperty("customerId", out var id) ? id.GetString() : null;

    /// <summary>Drives one timeline; when a step crashes the process, restarts it and lets the platform redeliver.</summary>
    private sealed class TimelineRun(TestApp app, FaultInjector faults)
    {
        private readonly List<List<string>> _batches = [];

        public TestApp App => app;

        /// <summary>One Event Hubs batch; after a crash the same batch comes again.</summary>
        public Task IngestAsync(params object[] events)
        {
            var bodies = events.Select(e => JsonSerializer.Serialize(e, Json.Options)).ToList();
            _batches.Add(bodies);
            return IngestAsync(bodies);
        }

        /// <summary>Every batch of the run once more, in order, now: it must start nothing again.</summary>
        public async Task RedeliverEveryBatchAsync()
        {
            foreach (var bodies in _batches)
            {
                await IngestAsync(bodies);
            }
        }

        private async Task IngestAsync(List<string> bodies)
        {
            try
            {
                await app.Get<IngestionService>().IngestAsync(bodies, "eventhub");
            }
            catch (Exception) when (faults.IsDown)
            {
                faults.Restart();
                await app.Get<IngestionService>().IngestAsync(bodies, "eventhub");
            }
        }

        /// <summary>Time passes and the queue triggers run; after a crash, its messages come back when their lease expires.</summary>
        public async Task AdvanceAsync(TimeSpan by)
        {
            app.Clock.Advance(by);
            try
            {
                await app.PumpAsync();
            }
            catch (Exception) when (faults.IsDown)
            {
                faults.Restart();
                app.Clock.Advance(app.Get<IOptions<QueuePumpOptions>>().Value.Lease + TimeSpan.FromSeconds(1));
                await app.PumpAsync();
            }
        }
    }
}
