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

/// <summary>One request as the provider saw it, and whether its signature verified.</summary>
public sealed record Delivery(string IdempotencyKey, string Body, bool SignatureValid, int AnsweredWith);

/// <summary>
/// A real email provider stand-in on loopback: verifies each request's signature (against the
/// test's clock), records every delivery, and answers with the scripted status codes in turn
/// (then 200), so tests can simulate provider failures.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _script = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Delivery> Deliveries { get; } = new();
    public Uri Url { get; private set; } = null!;
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>The next requests are answered with these status codes, in order.</summary>
    public void AnswerNext(params int[] statusCodes)
    {
        foreach (var code in statusCodes)
        {
            _script.Enqueue(code);
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/email", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var valid = WebhookSignature.Verify(TestApp.WebhookSecret, request.Headers[WebhookSignature.TimestampHeader], body,
                request.Headers[WebhookSignature.SignatureHeader], receiver.Clock());
            var status = receiver._script.TryDequeue(out var scripted) ? scripted : valid ? 200 : 401;
            receiver.Deliveries.Enqueue(new Delivery(request.Headers[WebhookSignature.IdempotencyHeader].ToString(), body, valid, status));
            return Results.StatusCode(status);
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
