using Microsoft.Extensions.Configuration;
using Recommender.Domain.Webhooks;
using Recommender.Functions.Hosting;

namespace Recommender.Functions.Tests;

/// <summary><c>Recommender:Webhooks:Timeout</c> is validated directly (no host, so no start-up race): bounded, and under the send lease.</summary>
public sealed class WebhookTimeoutValidationTests
{
    private static IReadOnlyList<string> Failures(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build();
        var options = configuration.GetSection(WebhookOptions.Section).Get<WebhookOptions>() ?? new WebhookOptions();
        var result = new WebhookOptionsValidator(configuration).Validate(null, options);
        return result.Failed ? result.Failures!.ToList() : [];
    }

    [Fact]
    public void Default_IsTenSeconds_AndValid()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), new WebhookOptions().Timeout);
        Assert.Empty(Failures());
    }

    [Fact]
    public void Timeout_IsAKnownSetting_NotAnUnknownChannel()
    {
        Assert.Empty(Failures(("Recommender:Webhooks:Timeout", "00:00:05")));
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.500")]
    [InlineData("00:00:51")]
    [InlineData("00:10:00")]
    public void Timeout_OutOfBounds_IsRefusedNamingTheSetting(string timeout)
    {
        var failure = Assert.Single(Failures(("Recommender:Webhooks:Timeout", timeout)));

        Assert.StartsWith("Recommender:Webhooks:Timeout must be from 00:00:01 to 00:00:50", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Timeout_NotShorterThanTheSendLease_IsRefused()
    {
        // A POST still pending when its lease ends could be claimed and posted again by another delivery.
        var failure = Assert.Single(Failures(("Recommender:Webhooks:Timeout", "00:00:30"), ("Recommender:Messaging:SendLease", "00:00:30")));

        Assert.Equal("Recommender:Webhooks:Timeout must be shorter than Recommender:Messaging:SendLease (00:00:30)", failure);
    }
}
