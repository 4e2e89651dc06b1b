using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Recommender.Domain.Ports;
using Recommender.Domain.Webhooks;

namespace Recommender.Adapters.Http;

/// <summary>
/// <see cref="IWebhookTransport"/> over HTTPS: one signed POST (see <see cref="WebhookSignature"/>) to
/// the channel's provider URL, the answer mapped to a <see cref="DeliveryResult"/>.
/// </summary>
/// <remarks>
/// Each POST is bounded by <see cref="WebhookOptions.Timeout"/>, measured with the
/// <see cref="TimeProvider"/> (register the <see cref="HttpClient"/> with an infinite timeout of its
/// own): a provider that accepts the connection and never answers, or answers slower than that,
/// costs one pending asynchronous wait — no thread — until the timeout cancels the request. Only the
/// status line and headers are awaited (<see cref="HttpCompletionOption.ResponseHeadersRead"/>) and the
/// body is never read, so a 2xx with a malformed, huge or endless body counts as delivered at once
/// (retrying it would send the message again).
/// </remarks>
public sealed class HttpWebhookTransport(HttpClient httpClient, IOptions<WebhookOptions> options, TimeProvider timeProvider) : IWebhookTransport
{
    public async Task<DeliveryResult> PostAsync(string channel, string idempotencyKey, string body, CancellationToken cancellationToken = default)
    {
        var provider = options.Value.For(channel) is { IsConfigured: true } p ? p : throw new InvalidOperationException($"no provider configured for channel '{channel}'");
        var timestamp = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, provider.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(provider.Secret!, timestamp, body));
        request.Headers.Add(WebhookSignature.IdempotencyHeader, idempotencyKey);
        var limit = options.Value.Timeout;
        using var timeout = new CancellationTokenSource(limit, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            return DeliveryResult.FromStatus((int)response.StatusCode, RetryAfter(response.Headers.RetryAfter));
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryResult(DeliveryOutcome.Transient, null, null, $"provider unreachable: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryOutcome.Transient, null, null, $"provider did not answer within {limit.TotalSeconds:0.###} s");
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        var wait = header?.Delta ?? (header?.Date is { } date ? date - timeProvider.GetUtcNow() : null);
        return wait is { } w && w < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
