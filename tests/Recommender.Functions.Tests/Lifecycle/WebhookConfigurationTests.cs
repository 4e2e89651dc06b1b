using Recommender.Domain.Webhooks;

namespace Recommender.Functions.Tests;

/// <summary>Provider configuration (URL, secret, channel) is checked when the app starts, for email, push and SMS alike.</summary>
public sealed class WebhookConfigurationTests
{
    private const string GoodSecret = "a-signing-secret-of-some-length";

    private static Dictionary<string, string> Settings(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded" };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return all;
    }

    private static TestApp CreateSut(params (string Key, string Value)[] settings) => new(settings: Settings(settings));

    private static Exception StartupError(params (string Key, string Value)[] settings) => TestApp.StartupError(Settings(settings));

    [Theory]
    [InlineData("Email")]
    [InlineData("Push")]
    [InlineData("Sms")]
    public void Start_ProviderUrlWithoutSecret_IsRefusedNamingTheSetting(string channel)
    {
        var error = StartupError(($"Recommender:Webhooks:{channel}:Url", "https://provider.example.com/hook"));

        Assert.Contains($"Recommender:Webhooks:{channel}:Secret is required when Recommender:Webhooks:{channel}:Url is set", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Push", "not a url")]
    [InlineData("Sms", "/relative/hook")]
    [InlineData("Email", "ftp://provider.example.com/hook")]
    public void Start_ProviderUrlThatIsNotAnAbsoluteHttpUrl_IsRefused(string channel, string url)
    {
        var error = StartupError(($"Recommender:Webhooks:{channel}:Url", url), ($"Recommender:Webhooks:{channel}:Secret", GoodSecret));

        Assert.Contains($"Recommender:Webhooks:{channel}:Url must be an absolute http or https URL", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ShortSecret_IsRefused()
    {
        var error = StartupError(("Recommender:Webhooks:Sms:Url", "https://sms.example.com/hook"), ("Recommender:Webhooks:Sms:Secret", "short"));

        Assert.Contains("Recommender:Webhooks:Sms:Secret must be at least 16 characters", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_UnknownChannelSection_IsRefused()
    {
        var error = StartupError(("Recommender:Webhooks:Whatsapp:Url", "https://wa.example.com/hook"), ("Recommender:Webhooks:Whatsapp:Secret", GoodSecret));

        Assert.Contains("Recommender:Webhooks:Whatsapp is not a channel: use Email, Push, Sms", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_EveryProblem_IsReportedAtOnce()
    {
        var error = StartupError(("Recommender:Webhooks:Push:Url", "https://push.example.com/hook"), ("Recommender:Webhooks:Sms:Url", "nowhere"),
            ("Recommender:Webhooks:Sms:Secret", GoodSecret)).ToString();

        Assert.Contains("Recommender:Webhooks:Push:Secret is required", error, StringComparison.Ordinal);
        Assert.Contains("Recommender:Webhooks:Sms:Url must be", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_AllThreeProvidersConfigured_OrASecretWithoutUrl_Starts()
    {
        using var app = CreateSut(
            ("Recommender:Webhooks:Email:Url", "https://mail.example.com/hook"), ("Recommender:Webhooks:Email:Secret", GoodSecret),
            ("Recommender:Webhooks:Push:Url", "http://127.0.0.1:9/push"), ("Recommender:Webhooks:Push:Secret", GoodSecret),
            ("Recommender:Webhooks:Sms:Secret", GoodSecret)); // Key Vault reference set, provider switched off: allowed

        using var client = app.CreateClient();

        var webhooks = app.Get<WebhookSender>();
        Assert.Equal([true, true, false], MessageChannels.All.Select(webhooks.IsConfigured));
    }
}
