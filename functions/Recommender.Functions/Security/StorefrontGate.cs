using System.Globalization;
using System.Net;
using Microsoft.Extensions.Primitives;

namespace Recommender.Functions.Security;

/// <summary>
/// Why the storefront gate refused a request: the status, the problem details' title and detail, and the headers
/// to answer with (<c>WWW-Authenticate</c> on 401, <c>Retry-After</c> in seconds on 429).
/// </summary>
public sealed record StorefrontRefusal(int StatusCode, string Title, string Detail, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// The one gate in front of the storefront routes, whichever way a request arrives: the proxied routes
/// (<see cref="StorefrontGuardMiddleware"/>) and the <c>CollectEvents</c> invocation, which the Functions host
/// does not proxy (its key and addresses are in the payload's headers). It checks, in this order:
/// <list type="number">
/// <item>the key (<see cref="StorefrontRoutes.ApiKeyHeader"/>, exactly one) against the configured clients —
/// 401 when missing or unknown; with no client configured the routes are open;</item>
/// <item>the rate limit, one token bucket per client — or, open, per caller address, which behind the host's proxy
/// is the last <c>X-Forwarded-For</c> entry (<see cref="StorefrontRateLimiter.CallerAddress"/>) — 429 with Retry-After.</item>
/// </list>
/// </summary>
public sealed class StorefrontGate(StorefrontKeys keys, StorefrontRateLimiter limiter)
{
    private static readonly StorefrontRefusal MissingKey = Unauthorized("the X-Api-Key header is required");
    private static readonly StorefrontRefusal UnknownKey = Unauthorized("the X-Api-Key header does not hold a known storefront key");

    /// <summary>
    /// Null when the request may go on, with the storefront <paramref name="client"/> it was authenticated as
    /// (null while the routes are open); otherwise the refusal to answer.
    /// </summary>
    public StorefrontRefusal? Admit(StringValues apiKey, IPAddress? connection, StringValues forwardedFor, out string? client)
    {
        client = null;
        if (!keys.IsOpen)
        {
            if (apiKey.Count != 1 || keys.Identify(apiKey[0]) is not { } known)
            {
                return apiKey.Count == 0 ? MissingKey : UnknownKey;
            }

            client = known;
        }

        using var lease = limiter.AttemptAcquire(limiter.KeyOf(client, connection, forwardedFor));
        if (lease.IsAcquired)
        {
            return null;
        }

        var seconds = StorefrontSecurityExtensions.RetryAfterSeconds(lease);
        return new StorefrontRefusal(StatusCodes.Status429TooManyRequests, "Too many requests", $"this client's request rate is over its limit; retry after {seconds} s",
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) });
    }

    private static StorefrontRefusal Unauthorized(string detail) => new(StatusCodes.Status401Unauthorized, "Unauthorized", detail,
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["WWW-Authenticate"] = $"ApiKey header=\"{StorefrontRoutes.ApiKeyHeader}\"" });
}
