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
