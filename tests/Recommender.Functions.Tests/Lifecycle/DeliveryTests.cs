using System.Globalization;
using System.Text.Json;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Functions.Tests;

/// <summary>Provider webhooks through the outbox: retries, dead letters and the send rules, end to end.</summary>
public sealed class DeliveryTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private TestApp _app = null!;

    /// <summary>Moves the clock forward to 09:00 UTC of the next day, so tests do not depend on when they run (quiet hours).</summary>
    internal static void StartAtMorning(TestApp app)
    {
        var now = app.Clock.GetUtcNow();
        app.Clock.SetUtcNow(new DateTimeOffset(now.UtcDateTime.Date.AddDays(1).AddHours(9), TimeSpan.Zero));
    }

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _app = new TestApp(_receiver.Url, new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Embedded",
            ["Recommender:Webhooks:Push:Url"] = _receiver.UrlFor("push").ToString(),
            ["Recommender:Webhooks:Push:Secret"] = TestApp.WebhookSecret,
            ["Recommender:Webhooks:Sms:Url"] = _receiver.UrlFor("sms").ToString(),
            ["Recommender:Webhooks:Sms:Secret"] = TestApp.WebhookSecret,
        });
        StartAtMorning(_app);
        _receiver.Clock = _app.Clock.GetUtcNow;
        await _app.GrantAnalyticsAsync("c1");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private MessageOutbox Outbox => _app.Get<MessageOutbox>();

    private object Consent(string id, string customer, string channel, bool granted = true, string source = "signup_form") =>
        new { id, type = "consent", customerId = customer, channel, granted, policyVersion = "2026-01", source, occurredAt = _app.Clock.GetUtcNow() };

    private async Task PostAsync(params object[] events) => (await _app.PostEventsAsync(events)).EnsureSuccessStatusCode();

    private async Task<OutboundMessage> EnqueueAsync(string messageId, string customer = "c1", string channel = "email", TimeSpan? after = null)
    {
        var now = _app.Clock.GetUtcNow();
        var message = new OutboundMessage(messageId, customer, channel, "test_offer",
            JsonSerializer.Serialize(new { messageId, type = "test_offer", channel }), now, now + (after ?? TimeSpan.Zero));
        await Outbox.EnqueueAsync(message);
        return message;
    }

    private async Task<OutboxEntry> EntryAsync(string messageId, string customer = "c1") => (await Outbox.GetAsync(customer, messageId))!;

    private TimeSpan WaitOf(OutboxEntry entry) => entry.NextAttemptAt!.Value - _app.Clock.GetUtcNow();

    [Fact]
    public async Task Message_IsDeliveredOnceWithAValidSignature_EvenWhenEnqueuedAndRedeliveredAgain()
    {
        await PostAsync(Consent("k1", "c1", "email"));
        var message = await EnqueueAsync("m1");
        await _app.PumpAsync();

        Assert.False(await Outbox.EnqueueAsync(message)); // the same decision again: already there
        var redelivery = JsonSerializer.Serialize(new DeliveryMessage("c1", "m1"), Domain.Json.Options);
        await _app.Get<IWorkQueue>().SendAsync(DeliveryService.Queue, redelivery);
        await _app.Get<IWorkQueue>().SendAsync(DeliveryService.Queue, redelivery);
        await _app.PumpAsync();

        var delivery = Assert.Single(_receiver.Deliveries);
        Assert.True(delivery.SignatureValid);
        Assert.Equal("m1", delivery.IdempotencyKey);
        Assert.Equal(message.Body, delivery.Body);
        var entry = await EntryAsync("m1");
        Assert.Equal(OutboxStatus.Sent, entry.Status);
        Assert.Equal(1, entry.Attempts);
    }

    [Fact]
    public async Task ServerErrors_AreRetriedWithTheSameKeyAndGrowingBackoff()
    {
        await PostAsync(Consent("k1", "c1", "email"));
        _receiver.AnswerNext(500, 503);
        await EnqueueAsync("m1");

        await _app.PumpAsync();
        var afterFirst = await EntryAsync("m1");
        Assert.Equal(OutboxStatus.Pending, afterFirst.Status);
        Assert.InRange(WaitOf(afterFirst), TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.Contains("500", afterFirst.LastError, StringComparison.Ordinal);

        _app.Clock.Advance(TimeSpan.FromSeconds(30));
        await _app.PumpAsync();
        var afterSecond = await EntryAsync("m1");
        Assert.Equal(2, afterSecond.Attempts);
        Assert.InRange(WaitOf(afterSecond), TimeSpan.Zero, TimeSpan.FromSeconds(60));

        _app.Clock.Advance(TimeSpan.FromSeconds(60));
        await _app.PumpAsync();

        Assert.Equal([500, 503, 200], _receiver.Deliveries.Select(d => d.AnsweredWith));
        Assert.All(_receiver.Deliveries, d => Assert.Equal("m1", d.IdempotencyKey));
        Assert.Equal(OutboxStatus.Sent, (await EntryAsync("m1")).Status);
        var options = new MessagingOptions();
        Assert.Equal(
            [TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120), TimeSpan.FromHours(1)],
            new[] { 1, 2, 3, 10 }.Select(a => DeliveryService.BackoffCeiling(a, options)));
    }

    [Fact]
    public async Task TooManyRequests_IsRetriedAfterRetryAfter()
    {
        await PostAsync(Consent("k1", "c1", "email"));
        _receiver.AnswerNext(429, "120");
        _receiver.AnswerNext(429, (_app.Clock.GetUtcNow() + TimeSpan.FromMinutes(10)).ToString("r", CultureInfo.InvariantCulture));
        await EnqueueAsync("m1");

        await _app.PumpAsync();
        Assert.Equal(TimeSpan.FromSeconds(120), WaitOf(await EntryAsync("m1")));
        _app.Clock.Advance(TimeSpan.FromSeconds(119));
        await _app.PumpAsync();
        Assert.Single(_receiver.Deliveries);

        _app.Clock.Advance(TimeSpan.FromSeconds(1));
        await _app.PumpAsync();
        Assert.Equal(2, _receiver.Deliveries.Count);
        Assert.Equal(TimeSpan.FromMinutes(8), WaitOf(await EntryAsync("m1"))); // the HTTP date, 2 minutes later

        _app.Clock.Advance(TimeSpan.FromMinutes(8));
        await _app.PumpAsync();
        Assert.Equal([429, 429, 200], _receiver.Deliveries.Select(d => d.AnsweredWith));
        Assert.Equal(OutboxStatus.Sent, (await EntryAsync("m1")).Status);
    }

    [Fact]
    public async Task BadRequest_IsDeadLetteredAtOnceWithTheReason()
    {
        await PostAsync(Consent("k1", "c1", "email"));
        _receiver.AnswerNext(400);
        await EnqueueAsync("m1");

        await _app.PumpAsync();
        _app.Clock.Advance(TimeSpan.FromHours(2));
        await _app.PumpAsync();

        Assert.Single(_receiver.Deliveries);
        var entry = await EntryAsync("m1");
        Assert.Equal(OutboxStatus.DeadLettered, entry.Status);
        Assert.Contains("400", entry.Reason, StringComparison.Ordinal);
        var letter = Assert.Single(await _app.Get<DeadLetters>().ReadAllAsync(), l => l.EventId == _app.Get<DeadLetters>().KeyedRef("m", "m1"));
        Assert.Equal(entry.Reason, letter.Reason);
        Assert.Equal("webhook:email", letter.Source);
    }

    [Fact]
    public async Task BadRequest_DeadLetter_HoldsNoneOfTheMessage_OnlyItsKindChannelAndKeyedReferences()
    {
        await PostAsync(Consent("k1", "c1", "email"));
        _receiver.AnswerNext(400);
        var now = _app.Clock.GetUtcNow();
        var body = JsonSerializer.Serialize(new { messageId = "offer:c1:1", customerId = "c1", email = "jane.doe@example.com", phone = "+33612345678", ip = "203.0.113.77", note = "Dear Jane, your size 38 boots" });
        await Outbox.EnqueueAsync(new OutboundMessage("offer:c1:1", "c1", "email", "test_offer", body, now, now));

        await _app.PumpAsync();

        var deadLetters = _app.Get<DeadLetters>();
        var letter = Assert.Single(await deadLetters.ReadAllAsync());
        var raw = await QueueDeadLetterTests.RawDeadLettersAsync(_app);
        foreach (var personal in new[] { "jane.doe", "example.com", "33612345678", "203.0.113.77", "Dear Jane", "offer:c1:1", "\"c1\"" })
        {
            Assert.DoesNotContain(personal, raw, StringComparison.Ordinal);
        }

        Assert.Equal(("webhook:email", "test_offer", deadLetters.KeyedRef("m", "offer:c1:1")), (letter.Source, letter.Type, letter.EventId));
        Assert.Contains("400", letter.Reason, StringComparison.Ordinal);
        // Access and erasure still find it by the customer's keyed reference.
        Assert.Single(await deadLetters.MentioningAsync(["c1"]));
        Assert.Equal(1, await deadLetters.EraseMentionsAsync(["c1"]));
    }

    [Fact]
    public async Task ServerErrors_AfterMaxAttempts_AreDeadLettered()
    {
        await PostAsync(Consent("k1", "c1", "email"));
        _receiver.AnswerNext(500, 500, 500, 500, 500, 500, 500);
        await EnqueueAsync("m1");

        for (var i = 0; i < 8; i++)
        {
            await _app.PumpAsync();
            _app.Clock.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal(6, _receiver.Deliveries.Count);
        var entry = await EntryAsync("m1");
        Assert.Equal(OutboxStatus.DeadLettered, entry.Status);
        Assert.Equal("gave up after 6 attempts: provider answered 500", entry.Reason);
        Assert.Contains(await _app.Get<DeadLetters>().ReadAllAsync(), l => l.EventId == _app.Get<DeadLetters>().KeyedRef("m", "m1") && l.Reason == entry.Reason);
    }

    [Fact]
    public async Task WithoutConsent_IsSuppressed()
    {
        await EnqueueAsync("m1");
        await _app.PumpAsync();

        Assert.Empty(_receiver.Deliveries);
        var entry = await EntryAsync("m1");
        Assert.Equal(OutboxStatus.Suppressed, entry.Status);
        Assert.Equal("no email consent", entry.Reason);
    }

    [Fact]
    public async Task Sms_NeedsDoubleOptIn()
    {
        await PostAsync(Consent("k1", "c1", "sms"), Consent("k2", "c2", "sms", source: "double_opt_in"));
        await EnqueueAsync("m1", "c1", "sms");
        await EnqueueAsync("m2", "c2", "sms");
        await _app.PumpAsync();

        var entry = await EntryAsync("m1");
        Assert.Equal(OutboxStatus.Suppressed, entry.Status);
        Assert.Equal("sms consent without double opt-in", entry.Reason);
        var delivery = Assert.Single(_receiver.Deliveries);
        Assert.Equal(("m2", "sms", true), (delivery.IdempotencyKey, delivery.Channel, delivery.SignatureValid));
    }

    [Fact]
    public async Task FrequencyCaps_PerChannelAndOverall_SuppressTheExtraMessages()
    {
        await PostAsync(Consent("k1", "c1", "email"), Consent("k2", "c1", "push"));
        foreach (var (id, channel) in new[] { ("e1", "email"), ("e2", "email"), ("e3", "email"), ("p1", "push"), ("p2", "push") })
        {
            await EnqueueAsync(id, channel: channel);
            await _app.PumpAsync();
            _app.Clock.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal(["e1", "e2", "p1"], _receiver.Deliveries.Select(d => d.IdempotencyKey));
        Assert.StartsWith("frequency cap: 2 email messages", (await EntryAsync("e3")).Reason, StringComparison.Ordinal);
        Assert.StartsWith("frequency cap: 3 messages", (await EntryAsync("p2")).Reason, StringComparison.Ordinal);

        _app.Clock.Advance(TimeSpan.FromDays(7));
        await EnqueueAsync("e4");
        await _app.PumpAsync();
        Assert.Equal("e4", _receiver.Deliveries.Last().IdempotencyKey);
    }

    [Fact]
    public async Task QuietHours_DelayToEightInTheMorningLocalTime()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        await PostAsync(Consent("k1", "c1", "email"),
            new { id = "acc1", type = "account", customerId = "c1", timeZone = "Europe/Paris", occurredAt = _app.Clock.GetUtcNow() });
        _app.Clock.Advance(TimeSpan.FromHours(11.5)); // 20:30 UTC: 21:30 or 22:30 in Paris
        await EnqueueAsync("m1");

        await _app.PumpAsync();
        Assert.Empty(_receiver.Deliveries);
        var entry = await EntryAsync("m1");
        Assert.Equal(OutboxStatus.Pending, entry.Status);
        var due = entry.NextAttemptAt!.Value;
        Assert.Equal(new TimeSpan(8, 0, 0), TimeZoneInfo.ConvertTime(due, paris).TimeOfDay);
        Assert.Contains(entry.History, h => h.What.Contains("quiet hours in Europe/Paris", StringComparison.Ordinal));

        _app.Clock.SetUtcNow(due - TimeSpan.FromMinutes(1));
        await _app.PumpAsync();
        Assert.Empty(_receiver.Deliveries);

        _app.Clock.SetUtcNow(due);
        await _app.PumpAsync();
        var delivery = Assert.Single(_receiver.Deliveries);
        Assert.Equal(new TimeSpan(8, 0, 0), TimeZoneInfo.ConvertTime(delivery.At, paris).TimeOfDay);
    }

    [Fact]
    public async Task Unsubscribe_OrSuppression_AfterScheduling_StopsTheMessage()
    {
        await PostAsync(Consent("k1", "c1", "email"), Consent("k2", "c2", "email"));
        await EnqueueAsync("m1", after: TimeSpan.FromHours(1));
        await EnqueueAsync("m2", "c2", after: TimeSpan.FromHours(1));

        _app.Clock.Advance(TimeSpan.FromMinutes(10));
        await PostAsync(Consent("k3", "c1", "email", granted: false));
        await _app.Get<SuppressionList>().SuppressAsync("c2", "email", "hard bounce", "provider");
        _app.Clock.Advance(TimeSpan.FromHours(1));
        await _app.PumpAsync();

        Assert.Empty(_receiver.Deliveries);
        Assert.Equal("no email consent", (await EntryAsync("m1")).Reason);
        Assert.Equal("email suppressed by provider: hard bounce", (await EntryAsync("m2", "c2")).Reason);
    }
}
