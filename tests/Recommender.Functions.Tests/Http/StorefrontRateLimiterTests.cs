using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Recommender.Functions.Security;

namespace Recommender.Functions.Tests;

/// <summary>Which bucket an open-mode caller lands in: its address, read from the proxy's header only when the proxy is trusted.</summary>
public sealed class StorefrontRateLimiterTests
{
    [Theory]
    [InlineData("127.0.0.1", "203.0.113.1", "203.0.113.1")]
    [InlineData("::1", "203.0.113.1", "203.0.113.1")]
    [InlineData(null, "203.0.113.1", "203.0.113.1")] // in-process: no socket
    [InlineData("127.0.0.1", "198.51.100.7, 10.0.0.1, 203.0.113.1", "203.0.113.1")] // only the hop the proxy appended counts
    [InlineData("127.0.0.1", "203.0.113.1:52100", "203.0.113.1")]
    [InlineData("127.0.0.1", "[2001:db8::5]:443", "2001:db8::5")]
    [InlineData("127.0.0.1", "2001:db8::5", "2001:db8::5")]
    [InlineData("127.0.0.1", "::ffff:203.0.113.1", "203.0.113.1")]
    [InlineData("127.0.0.1", " 203.0.113.1 ", "203.0.113.1")]
    [InlineData("127.0.0.1", "unknown", "127.0.0.1")]
    [InlineData("127.0.0.1", "_hidden", "127.0.0.1")]
    [InlineData("127.0.0.1", "shop.example.com", "127.0.0.1")]
    [InlineData("127.0.0.1", "203.0.113.1,", "127.0.0.1")]
    [InlineData("127.0.0.1", "203.0.113.1:99999", "127.0.0.1")]
    [InlineData("127.0.0.1", "<script>alert(1)</script>", "127.0.0.1")]
    [InlineData("127.0.0.1", "203.0.113.1\r\nX-Api-Key: x", "127.0.0.1")]
    [InlineData("127.0.0.1", "", "127.0.0.1")]
    [InlineData(null, "garbage", "local")]
    [InlineData("198.51.100.7", "203.0.113.1", "198.51.100.7")] // a remote caller cannot choose its bucket
    public void CallerAddress_BehindTheTrustedLoopbackProxy_IsTheLastForwardedHop(string? connection, string forwardedFor, string expected)
    {
        Assert.Equal(expected, StorefrontRateLimiter.CallerAddress(connection is null ? null : IPAddress.Parse(connection), forwardedFor, trustLoopbackProxy: true));
    }

    [Fact]
    public void CallerAddress_WithoutATrustedProxy_IsTheConnectionsAddress()
    {
        Assert.Equal("127.0.0.1", StorefrontRateLimiter.CallerAddress(IPAddress.Loopback, "203.0.113.1", trustLoopbackProxy: false));
        Assert.Equal("local", StorefrontRateLimiter.CallerAddress(null, "203.0.113.1", trustLoopbackProxy: false));
    }

    [Fact]
    public void CallerAddress_WithTheHeaderRepeated_TakesTheLastLine()
    {
        Assert.Equal("203.0.113.2", StorefrontRateLimiter.CallerAddress(IPAddress.Loopback, new StringValues(["203.0.113.1", "198.51.100.1, 203.0.113.2"]), trustLoopbackProxy: true));
        Assert.Equal("127.0.0.1", StorefrontRateLimiter.CallerAddress(IPAddress.Loopback, new StringValues(["203.0.113.1", "x"]), trustLoopbackProxy: true));
        Assert.Equal("127.0.0.1", StorefrontRateLimiter.CallerAddress(IPAddress.Loopback, new StringValues(new string[] { null! }), trustLoopbackProxy: true));
        Assert.Equal("127.0.0.1", StorefrontRateLimiter.CallerAddress(IPAddress.Loopback, new string('1', 10_000), trustLoopbackProxy: true));
    }

    private static StorefrontRateLimiter Limiter(Action<StorefrontOptions>? configure = null)
    {
        var options = new StorefrontOptions();
        options.Clients["shop"] = new StorefrontClientOptions { KeySha256 = new string('a', 64) };
        configure?.Invoke(options);
        return new StorefrontRateLimiter(Options.Create(options));
    }

    /// <summary>How many of <paramref name="requests"/> made at once get a lease (the bucket does not refill in between: no waiting, no timing).</summary>
    private static int Granted(StorefrontRateLimiter limiter, string key, int requests)
    {
        var granted = 0;
        for (var i = 0; i < requests; i++)
        {
            using var lease = limiter.AttemptAcquire(key);
            granted += lease.IsAcquired ? 1 : 0;
        }

        return granted;
    }

    [Fact]
    public void AStorefrontBackend_FetchingForManyCustomersFromOneAddress_IsLimitedByItsKey_NotThePerAddressDefault()
    {
        using var limiter = Limiter();
        var backend = IPAddress.Parse("203.0.113.9");
        var keyed = limiter.KeyOf("shop", backend, StringValues.Empty);
        var open = limiter.KeyOf(null, backend, StringValues.Empty);

        Assert.Equal((1000, 2000), (limiter.BucketOf(keyed).TokensPerPeriod, limiter.BucketOf(keyed).TokenLimit)); // ClientRequestsPerSecond, twice as burst
        Assert.Equal((200, 200), (limiter.BucketOf(open).TokensPerPeriod, limiter.BucketOf(open).TokenLimit));      // the per-address default
        // And in use: 2,500 requests at once from the one address. Replenishment only adds tokens, so these bounds hold however slow the loop.
        var grantedKeyed = Granted(limiter, keyed, 2500);
        var grantedOpen = Granted(limiter, open, 2500);
        Assert.InRange(grantedKeyed, 2000, 2500);
        Assert.InRange(grantedOpen, 200, 1999);
    }

    [Fact]
    public void TheKeysBucket_FollowsTheKey_AcrossAddresses()
    {
        using var limiter = Limiter();

        Assert.Equal(limiter.KeyOf("shop", IPAddress.Parse("203.0.113.9"), StringValues.Empty), limiter.KeyOf("shop", IPAddress.Parse("198.51.100.4"), "203.0.113.1"));
        Assert.NotEqual(limiter.KeyOf(null, IPAddress.Parse("203.0.113.9"), StringValues.Empty), limiter.KeyOf(null, IPAddress.Parse("198.51.100.4"), StringValues.Empty));
    }

    [Fact]
    public void AClientsOwnSettings_OverrideTheClientDefaults_AndAddressesKeepTheirs()
    {
        using var limiter = Limiter(o =>
        {
            o.Clients["shop"].RequestsPerSecond = 300;
            o.Clients["shop"].Burst = 450;
            o.Clients["app"] = new StorefrontClientOptions { KeySha256 = new string('b', 64) };
            o.ClientRequestsPerSecond = 40;
            o.ClientBurst = 60;
            o.RequestsPerSecond = 20;
            o.Burst = 30;
        });

        var shop = limiter.BucketOf(limiter.KeyOf("shop", IPAddress.Loopback, StringValues.Empty));
        var app = limiter.BucketOf(limiter.KeyOf("app", IPAddress.Loopback, StringValues.Empty));
        var address = limiter.BucketOf(limiter.KeyOf(null, IPAddress.Loopback, StringValues.Empty));

        Assert.Equal((300, 450), (shop.TokensPerPeriod, shop.TokenLimit));
        Assert.Equal((40, 60), (app.TokensPerPeriod, app.TokenLimit));
        Assert.Equal((20, 30), (address.TokensPerPeriod, address.TokenLimit));
    }

    [Theory]
    [InlineData("ClientRequestsPerSecond", "0")]
    [InlineData("ClientBurst", "-1")]
    public void ClientLimits_OutOfRange_StopTheStart(string setting, string value)
    {
        var error = TestApp.StartupError(new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", [$"Recommender:Storefront:{setting}"] = value });

        Assert.Contains("ClientRequestsPerSecond", error.ToString(), StringComparison.Ordinal);
    }
}
