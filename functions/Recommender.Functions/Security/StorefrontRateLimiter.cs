using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Recommender.Functions.Security;

/// <summary>
/// The storefront's rate limit: a token bucket per storefront client, or per caller address while the
/// routes are open. One set of buckets serves both ways a storefront request arrives — the proxied
/// routes and the <c>CollectEvents</c> invocation — through the <see cref="StorefrontGate"/>.
/// </summary>
public sealed class StorefrontRateLimiter : IDisposable
{
    /// <summary>The header a proxy adds the address it saw to.</summary>
    public const string ForwardedForHeader = "X-Forwarded-For";

    /// <summary>Longer X-Forwarded-For entries are not addresses.</summary>
    private const int MaxAddressLength = 64;

    private readonly StorefrontOptions _settings;
    private readonly Dictionary<string, string> _clientKeys;
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly Func<string, TokenBucketRateLimiterOptions> _bucketOf;
    private readonly TimeSpan _replenishmentPeriod;

    public StorefrontRateLimiter(IOptions<StorefrontOptions> options)
        : this(options, TimeSpan.FromSeconds(1))
    {
    }

    /// <summary>
    /// Buckets refilled every <paramref name="replenishmentPeriod"/> instead of every second. The token buckets
    /// run on the wall clock, so a test that expects a 429 on its second request lengthens the period: on a
    /// loaded machine two requests can be more than a second apart and the bucket would refill in between.
    /// </summary>
    internal StorefrontRateLimiter(IOptions<StorefrontOptions> options, TimeSpan replenishmentPeriod)
    {
        ArgumentNullException.ThrowIfNull(options);
        _replenishmentPeriod = replenishmentPeriod;
        _settings = options.Value;
        _clientKeys = _settings.Clients.Keys.ToDictionary(name => name, name => "client:" + name, StringComparer.Ordinal);
        _bucketOf = BucketOf;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => key.Length == 0
            ? RateLimitPartition.GetNoLimiter(key)
            : RateLimitPartition.GetTokenBucketLimiter(key, _bucketOf));
    }

    /// <summary>
    /// The partition key of a storefront client (<c>client:{name}</c>) or, when the routes are open, of
    /// the caller's address (<c>ip:{address}</c>, see <see cref="CallerAddress"/>).
    /// </summary>
    public string KeyOf(string? client, IPAddress? connection, StringValues forwardedFor) =>
        client is not null
            ? _clientKeys.GetValueOrDefault(client) ?? "client:" + client
            : "ip:" + CallerAddress(connection, forwardedFor, _settings.TrustLoopbackProxy == true);

    /// <summary>A lease from the bucket of <paramref name="key"/> (from <see cref="KeyOf"/>); dispose it.</summary>
    public RateLimitLease AttemptAcquire(string key) => _limiter.AttemptAcquire(key);

    public void Dispose() => _limiter.Dispose();

    /// <summary>
    /// The bucket of a partition key: a client's (<c>client:{name}</c>) follows its key — its own settings, else
    /// <see cref="StorefrontOptions.ClientRequestsPerSecond"/> and <see cref="StorefrontOptions.ClientBurst"/> — wherever
    /// it calls from; an address's (<c>ip:…</c>) uses <see cref="StorefrontOptions.RequestsPerSecond"/> and <see cref="StorefrontOptions.Burst"/>.
    /// </summary>
    internal TokenBucketRateLimiterOptions BucketOf(string key)
    {
        var client = key.StartsWith("client:", StringComparison.Ordinal) ? _settings.Clients.GetValueOrDefault(key["client:".Length..]) : null;
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = _settings.EffectiveBurst(client),
            TokensPerPeriod = _settings.EffectiveRate(client),
            ReplenishmentPeriod = _replenishmentPeriod,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    /// <summary>
    /// The caller's address: the connection's, except on a connection from this machine (loopback, or
    /// none: in-process) when <paramref name="trustLoopbackProxy"/> says a proxy runs there (the
    /// Functions host in front of the handler). Then it is the <em>last</em> X-Forwarded-For entry —
    /// the address the nearest proxy saw and appended. Earlier entries are whatever the caller wrote,
    /// and trusting them would let a caller pick a fresh bucket per request. An entry that is not an
    /// IP address (with or without a port) leaves the connection's address, so hostile or malformed
    /// headers all land in the one shared bucket of the proxy.
    /// </summary>
    internal static string CallerAddress(IPAddress? connection, StringValues forwardedFor, bool trustLoopbackProxy)
    {
        var local = connection is null || IPAddress.IsLoopback(connection);
        if (trustLoopbackProxy && local && LastForwarded(forwardedFor) is { } forwarded)
        {
            return forwarded.ToString();
        }

        return connection?.ToString() ?? "local";
    }

    private static IPAddress? LastForwarded(StringValues forwardedFor)
    {
        if (forwardedFor.Count == 0 || forwardedFor[^1] is not { } line)
        {
            return null;
        }

        var last = line.AsSpan();
        var comma = last.LastIndexOf(',');
        last = last[(comma + 1)..].Trim();
        if (last.Length is 0 or > MaxAddressLength || !IPEndPoint.TryParse(last, out var endpoint))
        {
            return null;
        }

        return endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address;
    }
}
