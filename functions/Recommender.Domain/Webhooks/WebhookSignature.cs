using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Recommender.Domain.Webhooks;

/// <summary>
/// Webhook signatures: <c>v1=</c> + lowercase hex of HMAC-SHA256(secret, timestamp + "." + body),
/// with the Unix-seconds timestamp in its own header. Receivers recompute it and refuse requests
/// whose timestamp is further than the tolerance from their clock (stops replays).
/// </summary>
public static class WebhookSignature
{
    public const string TimestampHeader = "X-Recommender-Timestamp";
    public const string SignatureHeader = "X-Recommender-Signature";
    public const string IdempotencyHeader = "Idempotency-Key";
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, long timestamp, string body)
    {
        var payload = Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}");
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload);
        return "v1=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>What a receiver runs: constant-time comparison and a freshness check.</summary>
    public static bool Verify(string secret, string? timestampHeader, string body, string? signatureHeader, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp) || signatureHeader is null)
        {
            return false;
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > (tolerance ?? DefaultTolerance))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        var actual = Encoding.ASCII.GetBytes(signatureHeader);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
