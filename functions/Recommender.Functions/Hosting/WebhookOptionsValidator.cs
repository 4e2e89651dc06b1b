using Microsoft.Extensions.Options;
using Recommender.Domain.Messaging;
using Recommender.Domain.Webhooks;

namespace Recommender.Functions.Hosting;

/// <summary>
/// Start-up validation of <c>Recommender:Webhooks</c>: every section names a channel (email, push,
/// sms — a misspelt one would silently disable sending), and every provider with a URL has an
/// absolute http(s) URL and a signing secret of at least <see cref="MinSecretLength"/> characters.
/// A provider without a URL is simply off (its messages are suppressed), whatever its secret.
/// <c>Timeout</c> (one POST) must be within 1–50 s and shorter than the messaging send lease.
/// </summary>
public sealed class WebhookOptionsValidator(IConfiguration configuration) : IValidateOptions<WebhookOptions>
{
    /// <summary>Shortest accepted signing secret: an HMAC key shorter than this can be guessed.</summary>
    public const int MinSecretLength = 16;

    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        foreach (var section in configuration.GetSection(WebhookOptions.Section).GetChildren())
        {
            if (section.Key.Equals(nameof(WebhookOptions.Timeout), StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (options.For(section.Key.ToLowerInvariant()) is null)
            {
                failures.Add($"{WebhookOptions.Section}:{section.Key} is not a channel: use {string.Join(", ", MessageChannels.All.Select(SectionOf))}");
            }
        }

        var sendLease = configuration.GetSection(MessagingOptions.Section).GetValue<TimeSpan?>(nameof(MessagingOptions.SendLease)) ?? new MessagingOptions().SendLease;
        if (options.Timeout < WebhookOptions.MinTimeout || options.Timeout > WebhookOptions.MaxTimeout)
        {
            failures.Add($"{WebhookOptions.Section}:Timeout must be from {WebhookOptions.MinTimeout} to {WebhookOptions.MaxTimeout}");
        }
        else if (options.Timeout >= sendLease)
        {
            // A POST still waiting when the lease ends could be claimed and posted again by another delivery.
            failures.Add($"{WebhookOptions.Section}:Timeout must be shorter than {MessagingOptions.Section}:SendLease ({sendLease})");
        }

        foreach (var channel in MessageChannels.All)
        {
            var provider = options.For(channel)!;
            if (string.IsNullOrWhiteSpace(provider.Url))
            {
                continue;
            }

            var prefix = $"{WebhookOptions.Section}:{SectionOf(channel)}";
            if (!Uri.TryCreate(provider.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{prefix}:Url must be an absolute http or https URL");
            }

            if (string.IsNullOrWhiteSpace(provider.Secret))
            {
                failures.Add($"{prefix}:Secret is required when {prefix}:Url is set (every webhook is signed)");
            }
            else if (provider.Secret.Length < MinSecretLength)
            {
                failures.Add($"{prefix}:Secret must be at least {MinSecretLength} characters");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The configuration section of a channel: <c>Email</c>, <c>Push</c>, <c>Sms</c>.</summary>
    private static string SectionOf(string channel) => char.ToUpperInvariant(channel[0]) + channel[1..];
}
