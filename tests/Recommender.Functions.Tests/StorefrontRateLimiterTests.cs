using System.Net;
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
}
