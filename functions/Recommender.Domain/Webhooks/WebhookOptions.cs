namespace Recommender.Domain.Webhooks;

/// <summary>Where one provider receives messages and the secret both sides sign with.</summary>
public sealed class ProviderOptions
{
    /// <value>The provider's webhook URL (https in production). Empty: sending is disabled.</value>
    public string? Url { get; set; }
    /// <value>The shared signing secret (from Key Vault in Azure).</value>
    public string? Secret { get; set; }
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url) && !string.IsNullOrWhiteSpace(Secret);
}

/// <summary>Message channels; each has its own provider (<c>Recommender:Webhooks:{Email|Push|Sms}</c>) and consent channel.</summary>
public static class MessageChannels
{
    public const string Email = "email";
    public const string Push = "push";
    public const string Sms = "sms";

    public static readonly IReadOnlyList<string> All = [Email, Push, Sms];
}

/// <summary>Configuration section <c>Recommender:Webhooks</c>: one provider per channel.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Recommender:Webhooks";

    /// <summary>Default <see cref="Timeout"/>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Shortest and longest accepted <see cref="Timeout"/>; the longest stays under the messaging send lease.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1), MaxTimeout = TimeSpan.FromSeconds(50);

    /// <value>
    /// How long one POST may take until the provider's status line and headers arrive (connect, TLS,
    /// send, wait); the body of the answer is never read. Past it the attempt is abandoned as transient
    /// and retried later with the same idempotency key. 1–50 s, and shorter than
    /// <c>Recommender:Messaging:SendLease</c>; default 10 s.
    /// </value>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;
    /// <value>The email provider.</value>
    public ProviderOptions Email { get; set; } = new();
    /// <value>The push-notification provider.</value>
    public ProviderOptions Push { get; set; } = new();
    /// <value>The SMS provider.</value>
    public ProviderOptions Sms { get; set; } = new();

    /// <summary>The provider for <paramref name="channel"/>; null for an unknown channel.</summary>
    public ProviderOptions? For(string channel) => channel switch
    {
        MessageChannels.Email => Email,
        MessageChannels.Push => Push,
        MessageChannels.Sms => Sms,
        _ => null,
    };
}
