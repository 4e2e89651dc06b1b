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

/// <summary>Configuration section <c>Recommender:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Recommender:Webhooks";
    /// <value>The email provider.</value>
    public ProviderOptions Email { get; set; } = new();
}
