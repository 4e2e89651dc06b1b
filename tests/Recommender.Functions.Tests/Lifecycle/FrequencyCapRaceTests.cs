using Microsoft.Extensions.Options;
using Recommender.Domain.Messaging;
using Recommender.Domain.Webhooks;

namespace Recommender.Functions.Tests;

/// <summary>The frequency caps hold under concurrent deliveries for one customer (the slot is reserved atomically).</summary>
public sealed class FrequencyCapRaceTests : WebhookReceiverTests
{
    [Fact]
    public async Task ConcurrentDeliveries_ForOneCustomer_NeverPassTheCap()
    {
        await using var app = new TestApp(Receiver.Url);
        Receiver.Clock = app.Clock.GetUtcNow;
        DeliveryTests.StartAtMorning(app);
        var caps = app.Get<IOptions<MessagingOptions>>().Value;
        caps.MaxPerChannelPerWindow = 2;
        await app.GrantAnalyticsAsync("c1");
        (await app.PostEventsAsync(app.Consent("k1", "c1", granted: true))).EnsureSuccessStatusCode();

        // Eight messages decided at once (say, by different workflows), all delivered at the same moment.
        var outbox = app.Get<MessageOutbox>();
        var now = app.Clock.GetUtcNow();
        var ids = Enumerable.Range(1, 8).Select(i => $"race:c1:{i}").ToList();
        foreach (var id in ids)
        {
            await outbox.EnqueueAsync(new OutboundMessage(id, "c1", MessageChannels.Email, "race", $$"""{"messageId":"{{id}}"}""", now, now));
        }

        var delivery = app.Get<DeliveryService>();
        await Task.WhenAll(ids.Select(id => Task.Run(() => delivery.DeliverAsync(new DeliveryMessage("c1", id, 0)))));

        Assert.Equal(2, Receiver.Deliveries.Count);
        Assert.All(Receiver.Deliveries, d => Assert.True(d.SignatureValid));
        var entries = await outbox.ListAsync("c1");
        Assert.Equal(2, entries.Count(e => e.Status == OutboxStatus.Sent));
        Assert.Equal(6, entries.Count(e => e.Status == OutboxStatus.Suppressed && e.Reason!.StartsWith("frequency cap", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DeadLetteredMessage_GivesItsSlotBack()
    {
        await using var app = new TestApp(Receiver.Url);
        Receiver.Clock = app.Clock.GetUtcNow;
        DeliveryTests.StartAtMorning(app);
        app.Get<IOptions<MessagingOptions>>().Value.MaxPerChannelPerWindow = 1;
        await app.GrantAnalyticsAsync("c1");
        (await app.PostEventsAsync(app.Consent("k1", "c1", granted: true))).EnsureSuccessStatusCode();
        var outbox = app.Get<MessageOutbox>();
        var now = app.Clock.GetUtcNow();
        Receiver.AnswerNext(400); // the provider refuses the first: dead-lettered at once

        await outbox.EnqueueAsync(new OutboundMessage("m1", "c1", MessageChannels.Email, "test", """{"n":1}""", now, now));
        await app.PumpAsync();
        await outbox.EnqueueAsync(new OutboundMessage("m2", "c1", MessageChannels.Email, "test", """{"n":2}""", now, now));
        await app.PumpAsync();

        Assert.Equal([400, 200], Receiver.Deliveries.Select(d => d.AnsweredWith));
        Assert.Equal(OutboxStatus.Sent, (await outbox.GetAsync("c1", "m2"))!.Status);
    }
}
