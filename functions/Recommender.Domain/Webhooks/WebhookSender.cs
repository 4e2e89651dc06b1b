using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Recommender.Domain.Telemetry;

namespace Recommender.Domain.Webhooks;

/// <summary>
/// Posts signed JSON messages to a channel's provider (see <see cref="WebhookSignature"/>). It sends
/// once and reports how the provider took it; retries, backoff and dead-lettering are the caller's
/// (<see cref="Messaging.DeliveryService"/>).
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
public sealed class WebhookSender(HttpClient httpClient, IOptions<WebhookOptions> options, TimeProvider timeProvider)
{
    public bool IsConfigured(string channel) => options.Value.For(channel)?.IsConfigured == true;

    /// <summary>
    /// Sends <paramref name="body"/> with <paramref name="idempotencyKey"/>; never throws for a provider's answer, a timeout or a transport failure.
    /// Traced as a <c>webhook {channel}</c> span (the HTTP call is its child) and counted by channel and outcome.
    /// </summary>
    public async Task<DeliveryResult> SendAsync(string channel, string idempotencyKey, string body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        using var activity = RecommenderTelemetry.Source.StartActivity($"webhook {channel}", ActivityKind.Client);
        activity?.SetTag(RecommenderTelemetry.Tags.Channel, channel);
        var result = await SendCoreAsync(channel, idempotencyKey, body, cancellationToken).ConfigureAwait(false);
        var outcome = result.Outcome.ToString().ToLowerInvariant();
        activity?.SetTag(RecommenderTelemetry.Tags.Outcome, outcome);
        activity?.SetTag(RecommenderTelemetry.Tags.StatusCode, result.StatusCode);
        if (!result.IsDelivered)
        {
            activity?.SetStatus(ActivityStatusCode.Error);
        }

        RecommenderTelemetry.WebhookDeliveries.Add(1, new(RecommenderTelemetry.Tags.Channel, channel), new(RecommenderTelemetry.Tags.Outcome, outcome));
        return result;
    }

    private async Task<DeliveryResult> SendCoreAsync(string channel, string idempotencyKey, string body, CancellationToken cancellationToken)
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
