using Recommender.Domain.Webhooks;

namespace Recommender.Domain.Tests.Webhooks;

public class WebhookSignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Sign_IsHmacSha256OfTimestampDotBody()
    {
        // Reference value: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        var signature = WebhookSignature.Sign("secret", 1700000000, "{\"a\":1}");

        using var hmac = new System.Security.Cryptography.HMACSHA256("secret"u8.ToArray());
        var expected = "v1=" + Convert.ToHexStringLower(hmac.ComputeHash("1700000000.{\"a\":1}"u8.ToArray()));
        Assert.Equal(expected, signature);
    }

    [Fact]
    public void Verify_AcceptsAFreshGenuineSignature()
    {
        var ts = Now.ToUnixTimeSeconds();
        var sig = WebhookSignature.Sign("s3cret", ts, "body");

        Assert.True(WebhookSignature.Verify("s3cret", ts.ToString(System.Globalization.CultureInfo.InvariantCulture), "body", sig, Now));
    }

    [Theory]
    [InlineData("s3cret", "tampered", 0)]
    [InlineData("wrong", "body", 0)]
    [InlineData("s3cret", "body", 301)]
    [InlineData("s3cret", "body", -301)]
    public void Verify_RefusesTamperedForeignOrStaleMessages(string secret, string body, int ageSeconds)
    {
        var ts = Now.ToUnixTimeSeconds() - ageSeconds;
        var sig = WebhookSignature.Sign("s3cret", ts, "body");

        Assert.False(WebhookSignature.Verify(secret, ts.ToString(System.Globalization.CultureInfo.InvariantCulture), body, sig, Now));
    }

    [Fact]
    public void Verify_RefusesMissingOrGarbledHeaders()
    {
        Assert.False(WebhookSignature.Verify("s", null, "b", "v1=00", Now));
        Assert.False(WebhookSignature.Verify("s", "-5", "b", "v1=00", Now));
        Assert.False(WebhookSignature.Verify("s", "1", "b", null, Now));
    }
}
