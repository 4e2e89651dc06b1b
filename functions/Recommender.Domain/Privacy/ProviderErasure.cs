using System.Text.Json;
using Recommender.Domain.Webhooks;

namespace Recommender.Domain.Privacy;

/// <summary>
/// The deletion request a messaging provider receives. It names the customer the way the provider
/// knows them — by <see cref="CustomerId"/>, which every message the system sent them carries — and,
/// for the channel that addresses people by a contact, its hash only: the email provider gets the
/// SHA-256 of the normalized email, the SMS provider that of the E.164 number, the push provider
/// neither. Nothing else (no profile data, no history) is sent; the system never held the raw
/// contact details to send.
/// </summary>
public sealed record ProviderErasureNotice(string Type, string RequestId, DateTimeOffset RequestedAt, string CustomerId, string? EmailSha256, string? PhoneSha256)
{
    public const string NoticeType = "erasure_request";
}

/// <summary>
/// The downstream part of an erasure: one signed deletion webhook per configured messaging provider
/// (<see cref="WebhookSender"/>: HMAC over timestamp and body, the provider's URL and secret from
/// <c>Recommender:Webhooks</c>), each with an idempotency key per (erasure request, provider), so
/// repeated attempts are one deletion for the provider.
/// </summary>
public static class ProviderErasure
{
    /// <summary>The messaging channel whose provider <paramref name="target"/> notifies; null for the stores.</summary>
    public static string? ChannelOf(ErasureTarget target) => target switch
    {
        ErasureTarget.EmailProvider => MessageChannels.Email,
        ErasureTarget.PushProvider => MessageChannels.Push,
        ErasureTarget.SmsProvider => MessageChannels.Sms,
        _ => null,
    };

    /// <summary>The same on every attempt of one request to one provider; it names no one.</summary>
    public static string IdempotencyKeyOf(string requestId, string channel) => $"{requestId}:{channel}";

    /// <summary>The webhook body for <paramref name="channel"/>'s provider: the least that lets it find the customer.</summary>
    public static string BodyOf(ErasureRequest request, string channel) => JsonSerializer.Serialize(new ProviderErasureNotice(
        ProviderErasureNotice.NoticeType,
        request.RequestId,
        request.RequestedAt,
        request.CustomerId ?? throw new InvalidOperationException($"erasure {request.RequestId} no longer holds its customer"),
        channel == MessageChannels.Email ? request.EmailSha256 : null,
        channel == MessageChannels.Sms ? request.PhoneSha256 : null), Json.Options);
}
