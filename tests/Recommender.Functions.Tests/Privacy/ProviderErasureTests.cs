using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Recommender.Domain.Messaging;
using Recommender.Domain.Webhooks;

namespace Recommender.Functions.Tests;

/// <summary>
/// The downstream part of erasure, against the real local webhook receiver: one signed deletion
/// request per configured messaging provider, retried like message delivery, its outcome per
/// provider in the task status and the receipt.
/// </summary>
public sealed class ProviderErasureTests : WebhookReceiverTests
{
    private static string Sha(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>The app with the providers of <paramref name="channels"/> configured on the receiver.</summary>
    private TestApp CreateSut(params string[] channels)
    {
        var settings = Receiver.ProviderSettings(channels);
        settings["Recommender:Mode"] = "Embedded";
        var app = new TestApp(settings: settings);
        Receiver.Clock = app.Clock.GetUtcNow;
        return app;
    }

    private static async Task<string> StartErasureAsync(TestApp app, string customerId)
    {
        await app.PostEventsAsync(new { id = "acct", type = "account", customerId, email = "Leaver@Example.com", phone = "+33 6 12 34 56 78", occurredAt = app.Clock.GetUtcNow() },
            app.Consent("k", customerId, true, "analytics"));
        using var client = app.CreateClient();
        var started = await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        return (await TestApp.ReadJsonAsync(started)).GetProperty("requestId").GetString()!;
    }

    private static async Task<JsonElement> StatusAsync(TestApp app, string requestId)
    {
        using var client = app.CreateClient();
        return await client.GetFromJsonAsync<JsonElement>($"/api/privacy/erasure/{requestId}");
    }

    [Fact]
    public async Task Erasure_SendsOneSignedDeletionRequestPerProvider_NamingTheCustomerAsEachKnowsThem()
    {
        await using var app = CreateSut(MessageChannels.Email, MessageChannels.Push, MessageChannels.Sms);
        var requestId = await StartErasureAsync(app, "leaver");

        await app.PumpAsync();

        var deliveries = Receiver.Deliveries.ToList();
        Assert.Equal(["email", "push", "sms"], deliveries.Select(d => d.Channel).Order());
        Assert.All(deliveries, d =>
        {
            Assert.True(d.SignatureValid);
            Assert.Equal($"{requestId}:{d.Channel}", d.IdempotencyKey);
        });
        var bodies = deliveries.ToDictionary(d => d.Channel, d => JsonDocument.Parse(d.Body).RootElement.Clone());
        Assert.All(bodies.Values, b =>
        {
            Assert.Equal("erasure_request", b.GetProperty("type").GetString());
            Assert.Equal(requestId, b.GetProperty("requestId").GetString());
            Assert.Equal("leaver", b.GetProperty("customerId").GetString());
        });
        // Each provider gets only the hashed contact it addresses people by; push gets neither.
        Assert.Equal(Sha("leaver@example.com"), bodies["email"].GetProperty("emailSha256").GetString());
        Assert.False(bodies["email"].TryGetProperty("phoneSha256", out _));
        Assert.Equal(Sha("+33612345678"), bodies["sms"].GetProperty("phoneSha256").GetString());
        Assert.False(bodies["sms"].TryGetProperty("emailSha256", out _));
        Assert.Equal(["customerId", "requestId", "requestedAt", "type"], bodies["push"].EnumerateObject().Select(p => p.Name).Order());

        var status = await StatusAsync(app, requestId);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        var providers = status.GetProperty("receipt").GetProperty("providers").EnumerateArray().ToList();
        Assert.Equal(["email", "push", "sms"], providers.Select(p => p.GetProperty("provider").GetString()).Order());
        Assert.All(providers, p => Assert.StartsWith("deletion acknowledged", p.GetProperty("outcome").GetString(), StringComparison.Ordinal));
        Assert.False(status.TryGetProperty("emailSha256", out _)); // the contacts went with the id
    }

    [Fact]
    public async Task AnUnconfiguredProvider_IsNothingToNotify()
    {
        await using var app = CreateSut(MessageChannels.Email);
        var requestId = await StartErasureAsync(app, "leaver");

        await app.PumpAsync();

        Assert.Single(Receiver.Deliveries);
        var tasks = (await StatusAsync(app, requestId)).GetProperty("tasks");
        Assert.Equal("done", tasks.GetProperty("sms_provider").GetProperty("state").GetString());
        Assert.Equal("no sms provider configured: nothing to notify", tasks.GetProperty("sms_provider").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task AProvider500_IsRetriedWithBackoff_UnderTheSameKey_ThenTheErasureCompletes()
    {
        await using var app = CreateSut(MessageChannels.Email);
        Receiver.AnswerNext(500);
        var requestId = await StartErasureAsync(app, "leaver");

        await app.PumpAsync();

        var waiting = await StatusAsync(app, requestId);
        Assert.Equal("in_progress", waiting.GetProperty("status").GetString());
        var task = waiting.GetProperty("tasks").GetProperty("email_provider");
        Assert.Equal("pending", task.GetProperty("state").GetString());
        Assert.Equal("provider answered 500", task.GetProperty("lastError").GetString());
        var next = task.GetProperty("nextAttemptAt").GetDateTimeOffset();
        Assert.InRange(next - app.Clock.GetUtcNow(), TimeSpan.Zero, new MessagingOptions().BackoffBase); // full jitter below the first ceiling

        app.Clock.Advance(new MessagingOptions().BackoffBase);
        await app.PumpAsync();

        var done = await StatusAsync(app, requestId);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("tasks").GetProperty("email_provider").GetProperty("attempts").GetInt32());
        Assert.Equal([500, 200], Receiver.Deliveries.Select(d => d.AnsweredWith));
        Assert.Single(Receiver.Deliveries.Select(d => d.IdempotencyKey).Distinct());
    }

    [Fact]
    public async Task AProvider429_IsRetriedAfterItsRetryAfter()
    {
        await using var app = CreateSut(MessageChannels.Sms);
        Receiver.AnswerNext(429, "120");
        var requestId = await StartErasureAsync(app, "leaver");
        await app.PumpAsync();

        app.Clock.Advance(TimeSpan.FromSeconds(119));
        await app.PumpAsync();
        Assert.Single(Receiver.Deliveries);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await app.PumpAsync();

        Assert.Equal(2, Receiver.Deliveries.Count);
        Assert.Equal("completed", (await StatusAsync(app, requestId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AProvider4xx_FailsTheTaskWithTheReason_AndTheRequestResumesWhenRetried()
    {
        await using var app = CreateSut(MessageChannels.Email, MessageChannels.Push);
        Receiver.AnswerNext(422);
        var requestId = await StartErasureAsync(app, "leaver");

        await app.PumpAsync();
        app.Clock.Advance(TimeSpan.FromHours(2));
        await app.PumpAsync(); // nothing retries a refusal

        var failed = await StatusAsync(app, requestId);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        var refused = Receiver.Deliveries.First().Channel; // the queue does not order the two provider tasks
        var other = refused == "email" ? "push" : "email";
        var task = failed.GetProperty("tasks").GetProperty($"{refused}_provider");
        Assert.Equal("failed", task.GetProperty("state").GetString());
        Assert.Equal("provider refused the message with 422", task.GetProperty("lastError").GetString());
        Assert.Equal("done", failed.GetProperty("tasks").GetProperty($"{other}_provider").GetProperty("state").GetString());
        Assert.Equal(2, Receiver.Deliveries.Count);
        Assert.Equal("leaver", failed.GetProperty("customerId").GetString()); // kept until the request can finish

        using var client = app.CreateClient();
        var retry = await client.PostAsync($"/api/privacy/erasure/{requestId}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        await app.PumpAsync();

        var completed = await StatusAsync(app, requestId);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/privacy/erasure/{requestId}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/privacy/erasure/erasure-unknown/retry", null)).StatusCode);
        Assert.Equal([422, 200], Receiver.Deliveries.Where(d => d.Channel == refused).Select(d => d.AnsweredWith));
        Assert.Equal([200], Receiver.Deliveries.Where(d => d.Channel == other).Select(d => d.AnsweredWith)); // not asked again
    }
}
