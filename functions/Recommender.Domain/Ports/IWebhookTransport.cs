using Recommender.Domain.Webhooks;

namespace Recommender.Domain.Ports;

/// <summary>
/// Carries one signed JSON message to the provider configured for a channel (email, push, SMS; see
/// <see cref="WebhookOptions"/> and <see cref="WebhookSignature"/>) and reports how the provider took
/// it. One attempt per call: retries, backoff and dead-lettering are the caller's
/// (<see cref="Messaging.DeliveryService"/>); tracing and counting are <see cref="WebhookSender"/>'s.
/// </summary>
public interface IWebhookTransport
{
    /// <summary>
    /// Posts <paramref name="body"/> with <paramref name="idempotencyKey"/> to <paramref name="channel"/>'s
    /// provider. Never throws for a provider's answer, a timeout or a transport failure (those are
    /// <see cref="DeliveryResult"/>s); throws <see cref="InvalidOperationException"/> when the channel has no provider.
    /// </summary>
    Task<DeliveryResult> PostAsync(string channel, string idempotencyKey, string body, CancellationToken cancellationToken = default);
}
