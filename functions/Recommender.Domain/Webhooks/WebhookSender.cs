using System.Diagnostics;
using Microsoft.Extensions.Options;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Domain.Webhooks;

/// <summary>
/// Sends signed JSON messages to a channel's provider through the <see cref="IWebhookTransport"/> port
/// (HTTP in <c>Recommender.Adapters.Http</c>): whether a channel has a provider, and each delivery
/// traced and counted. It sends once and reports how the provider took it; retries, backoff and
/// dead-lettering are the caller's (<see cref="Messaging.DeliveryService"/>).
/// </summary>
public sealed class WebhookSender(IWebhookTransport transport, IOptions<WebhookOptions> options)
{
    public bool IsConfigured(string channel) => options.Value.For(channel)?.IsConfigured == true;

    /// <summary>
    /// Sends <paramref name="body"/> with <paramref name="idempotencyKey"/>; never throws for a provider's answer, a timeout or a transport failure.
    /// Traced as a <c>webhook {channel}</c> span (the transport's call is its child) and counted by channel and outcome.
    /// </summary>
    public async Task<DeliveryResult> SendAsync(string channel, string idempotencyKey, string body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        using var activity = RecommenderTelemetry.Source.StartActivity($"webhook {channel}", ActivityKind.Client);
        activity?.SetTag(RecommenderTelemetry.Tags.Channel, channel);
        var result = await transport.PostAsync(channel, idempotencyKey, body, cancellationToken).ConfigureAwait(false);
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
}
