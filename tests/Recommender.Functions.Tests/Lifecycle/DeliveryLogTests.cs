using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Recommender.Domain;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports.Storage;
using Recommender.Functions.Messaging;

namespace Recommender.Functions.Tests;

/// <summary>Issue 13: delivery log lines name a message by a keyed reference — its id names the customer, so the id itself never reaches the logs.</summary>
public sealed class DeliveryLogTests
{
    [Fact]
    public async Task SentAndDeadLetteredMessages_AreLoggedWithoutTheCustomerId()
    {
        const string customer = "cust-private-7781";
        await using var receiver = await WebhookReceiver.StartAsync();
        var capture = new LogCapture();
        await using var app = new TestApp(receiver.Url);
        DeliveryTests.StartAtMorning(app);
        receiver.Clock = app.Clock.GetUtcNow;
        using var logged = app.WithWebHostBuilder(builder =>
        {
            builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" }));
            builder.ConfigureLogging(l => l.AddProvider(capture));
        });
        using var client = logged.CreateClient();
        foreach (var channel in new[] { "analytics", "email" })
        {
            (await client.PostAsJsonAsync($"/api/privacy/consents/{customer}", new { channel, granted = true, policyVersion = "2026-01", source = "signup_form" })).EnsureSuccessStatusCode();
        }

        var outbox = logged.Services.GetRequiredService<MessageOutbox>();
        var dispatcher = logged.Services.GetRequiredService<QueueDispatcher>();
        var now = app.Clock.GetUtcNow();
        foreach (var id in new[] { $"test:{customer}:1", $"test:{customer}:2" })
        {
            await outbox.EnqueueAsync(new OutboundMessage(id, customer, "email", "test_offer", JsonSerializer.Serialize(new { messageId = id }), now, now));
        }

        await dispatcher.DispatchAsync(DeliveryService.Queue, JsonSerializer.Serialize(new DeliveryMessage(customer, $"test:{customer}:1"), Json.Options));
        receiver.AnswerNext(400); // refused for good: dead-lettered
        await dispatcher.DispatchAsync(DeliveryService.Queue, JsonSerializer.Serialize(new DeliveryMessage(customer, $"test:{customer}:2"), Json.Options));

        Assert.Contains(capture.Lines, l => l.Contains("sent on attempt", StringComparison.Ordinal));
        Assert.Contains(capture.Lines, l => l.Contains("dead-lettered", StringComparison.Ordinal));
        var leaks = capture.Lines.Where(l => l.Contains(customer, StringComparison.Ordinal) && l.Contains("Message ", StringComparison.Ordinal)).ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
    }
}
