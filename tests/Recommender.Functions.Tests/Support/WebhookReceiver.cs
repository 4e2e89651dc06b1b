using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Recommender.Domain.Webhooks;

namespace Recommender.Functions.Tests;

/// <summary>One request as the provider saw it, whether its signature verified, on which channel's hook and when (receiver clock).</summary>
public sealed record Delivery(string IdempotencyKey, string Body, bool SignatureValid, int AnsweredWith, string Channel = "email", DateTimeOffset At = default);

/// <summary>A scripted answer: a status code and, optionally, a <c>Retry-After</c> value (seconds or an HTTP date).</summary>
public sealed record ScriptedAnswer(int StatusCode, string? RetryAfter = null);

/// <summary>
/// A real provider stand-in on loopback (<c>/hooks/{channel}</c> for email, push and SMS): verifies
/// each request's signature (against the test's clock), records every delivery, and answers with the
/// scripted answers in turn (then 200), so tests can simulate provider failures and throttling.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedAnswer> _script = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Delivery> Deliveries { get; } = new();
    /// <summary>The email hook.</summary>
    public Uri Url { get; private set; } = null!;
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;
    /// <summary>Called after each delivery is recorded, before the answer goes back (crash tests kill the sender here).</summary>
    public Action<Delivery>? AfterDelivery { get; set; }

    /// <summary>The next requests are answered with these status codes, in order.</summary>
    public void AnswerNext(params int[] statusCodes)
    {
        foreach (var code in statusCodes)
        {
            _script.Enqueue(new ScriptedAnswer(code));
        }
    }

    /// <summary>The next request is answered with <paramref name="statusCode"/> and this <c>Retry-After</c> header.</summary>
    public void AnswerNext(int statusCode, string retryAfter) => _script.Enqueue(new ScriptedAnswer(statusCode, retryAfter));

    /// <summary>The hook of <paramref name="channel"/> (email, push or sms).</summary>
    public Uri UrlFor(string channel) => new(Url, channel);

    /// <summary>App settings pointing the providers of <paramref name="channels"/> at this receiver, with the test secret.</summary>
    public Dictionary<string, string> ProviderSettings(params string[] channels)
    {
        var settings = new Dictionary<string, string>();
        foreach (var channel in channels)
        {
            var section = $"Recommender:Webhooks:{char.ToUpperInvariant(channel[0])}{channel[1..]}";
            settings[$"{section}:Url"] = UrlFor(channel).ToString();
            settings[$"{section}:Secret"] = TestApp.WebhookSecret;
        }

        return settings;
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/{channel}", async (string channel, HttpContext context) =>
        {
            var request = context.Request;
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var now = receiver.Clock();
            var valid = WebhookSignature.Verify(TestApp.WebhookSecret, request.Headers[WebhookSignature.TimestampHeader], body,
                request.Headers[WebhookSignature.SignatureHeader], now);
            var answer = receiver._script.TryDequeue(out var scripted) ? scripted : new ScriptedAnswer(valid ? 200 : 401);
            var delivery = new Delivery(request.Headers[WebhookSignature.IdempotencyHeader].ToString(), body, valid, answer.StatusCode, channel, now);
            receiver.Deliveries.Enqueue(delivery);
            receiver.AfterDelivery?.Invoke(delivery);
            if (answer.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            context.Response.StatusCode = answer.StatusCode;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/hooks/email");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Tests that talk to their own <see cref="WebhookReceiver"/>, started before each test and stopped after it.</summary>
public abstract class WebhookReceiverTests : IAsyncLifetime
{
    protected WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync() => Receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await Receiver.DisposeAsync();
}
