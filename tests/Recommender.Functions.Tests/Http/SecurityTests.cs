using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Functions.Security;

namespace Recommender.Functions.Tests;

/// <summary>Storefront keys, per-client rate limits, URL limits, the OpenAPI document and personal data in logs.</summary>
public sealed class SecurityTests
{
    private const string ShopKey = "shop-a-secret-key-0123456789";
    private const string OtherKey = "shop-b-secret-key-9876543210";

    private static TestApp CreateSut(params (string Key, string Value)[] extra) => new(settings: Settings(extra)) { TestServices = WallClockProofLimits };

    /// <summary>
    /// The rate limiter's buckets refill on the wall clock: with the default one-second period a request the
    /// test expects to be refused could find a fresh token on a loaded machine. An hour-long period keeps
    /// "one token per period" exact while the test runs (it failed as 200 instead of 429 under load).
    /// </summary>
    private static void WallClockProofLimits(IServiceCollection services) =>
        services.AddSingleton(sp => new StorefrontRateLimiter(sp.GetRequiredService<IOptions<StorefrontOptions>>(), TimeSpan.FromHours(1)));

    private static Dictionary<string, string> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Embedded",
            ["Recommender:Storefront:Clients:shop-a:KeySha256"] = StorefrontKeys.Hash(ShopKey),
            ["Recommender:Storefront:Clients:shop-b:KeySha256"] = StorefrontKeys.Hash(OtherKey),
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string? key = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (key is not null)
        {
            request.Headers.Add(StorefrontRoutes.ApiKeyHeader, key);
        }

        return request;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    [InlineData("")]
    public async Task Storefront_WithoutAKnownKey_IsUnauthorizedWithAProblem(string? key)
    {
        using var app = CreateSut();
        using var client = app.CreateClient();

        using var recommendations = await client.SendAsync(Request(HttpMethod.Get, "/api/recommendations/customer-1", key));
        using var events = await client.SendAsync(Request(HttpMethod.Post, "/api/events", key));

        foreach (var response in new[] { recommendations, events })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(401, (await TestApp.ReadJsonAsync(response)).GetProperty("status").GetInt32());
        }
    }

    [Fact]
    public async Task Storefront_WithAClientKey_IsServed()
    {
        using var app = CreateSut();
        using var client = app.CreateClient();

        using var response = await client.SendAsync(Request(HttpMethod.Get, "/api/recommendations/customer-1", OtherKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Storefront_WithKeysConfigured_HealthAndOpenApiStayOpen()
    {
        using var app = CreateSut();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/openapi.json")).StatusCode);
    }

    [Theory]
    [InlineData("POST", "/api/admin/retrain")]
    [InlineData("GET", "/api/admin/models")]
    [InlineData("PUT", "/api/admin/catalog")]
    [InlineData("POST", "/api/privacy/erasure")]
    [InlineData("GET", "/api/privacy/erasure/request-1")]
    [InlineData("POST", "/api/privacy/erasure/request-1/retry")]
    [InlineData("PATCH", "/api/privacy/rectification/customer-1")]
    public async Task AdminAndPrivacy_WithAStorefrontKey_AreForbidden(string method, string url)
    {
        using var app = CreateSut();
        using var client = app.CreateClient();

        using var response = await client.SendAsync(Request(new HttpMethod(method), url, ShopKey));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(403, (await TestApp.ReadJsonAsync(response)).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Admin_WithoutAStorefrontKey_IsNotRefusedByTheStorefrontGuard()
    {
        using var app = CreateSut();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/admin/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Storefront_OverTheClientsRate_Is429WithRetryAfter_AndOtherClientsAreNotAffected()
    {
        using var app = CreateSut(("Recommender:Storefront:ClientRequestsPerSecond", "1"), ("Recommender:Storefront:ClientBurst", "2"));
        using var client = app.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (var i = 0; i < 4; i++)
        {
            var response = await client.SendAsync(Request(HttpMethod.Get, "/api/recommendations/customer-1", ShopKey));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected ??= response;
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(2));
        Assert.NotNull(rejected);
        Assert.True(int.Parse(rejected.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(429, (await TestApp.ReadJsonAsync(rejected)).GetProperty("status").GetInt32());
        using var other = await client.SendAsync(Request(HttpMethod.Get, "/api/recommendations/customer-1", OtherKey));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
    }

    [Fact]
    public async Task Storefront_WithoutClients_IsOpen()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/recommendations/customer-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventsAsync(app.View("open-1", "customer-1", "SHO-001"))).StatusCode);
    }

    [Fact]
    public void Start_RequireKeysWithoutClients_IsRefused()
    {
        var error = TestApp.StartupError(new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", ["Recommender:Storefront:RequireKeys"] = "true" });

        Assert.Contains("RequireKeys", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_KeyThatIsNotAHash_IsRefused()
    {
        var error = TestApp.StartupError(Settings(("Recommender:Storefront:Clients:shop-c:KeySha256", "the-key-itself")));

        Assert.Contains("KeySha256", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storefront_OverLongQueryString_IsRefused()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/recommendations/customer-1?placement=home&x=" + new string('a', 3000));

        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_ListsThePublicRoutesOnly_WithTheStorefrontKeyScheme()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/openapi.json");
        var document = await TestApp.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/recommendations/{customerId}", paths);
        Assert.Contains("/api/events", paths);
        Assert.Contains("/api/health", paths);
        Assert.All(paths, p => Assert.StartsWith("/api/", p, StringComparison.Ordinal));
        Assert.DoesNotContain("/IngestClickstream", paths);
        Assert.DoesNotContain("/CollectEvents", paths);
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("storefrontKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        var get = document.GetProperty("paths").GetProperty("/api/recommendations/{customerId}").GetProperty("get");
        Assert.Contains(get.GetProperty("security").EnumerateArray(), r => r.TryGetProperty("storefrontKey", out _));
    }

    [Fact]
    public async Task Logs_NeverHoldTheCustomerId()
    {
        const string customer = "zq-distinct-customer-4711";
        var capture = new LogCapture();
        using var app = new TestApp();
        using var logged = app.WithWebHostBuilder(builder =>
        {
            builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Microsoft"] = "Trace",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            }));
            builder.ConfigureLogging(l => l.AddProvider(capture));
        });
        using var client = logged.CreateClient();

        using var posted = await client.PostAsync("/api/events", JsonContent(
            app.Consent("log-consent", customer, true, "analytics"), app.View("log-1", customer, "SHO-001"), app.AddToCart("log-2", customer, "SHO-002"),
            new { id = "log-bad", type = "view", customerId = customer, occurredAt = "not a date" }));
        using var home = await client.GetAsync($"/api/recommendations/{customer}?placement=home&count=5");
        using var product = await client.GetAsync($"/api/recommendations/{customer}?placement=product&productId=SHO-001");
        using var invalid = await client.GetAsync($"/api/recommendations/{customer}?placement=sidebar");

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.NotEmpty(capture.Lines);
        var leaks = capture.Lines.Where(line => line.Contains(customer, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(leaks.Count == 0, "log lines hold the customer id:\n" + string.Join('\n', leaks));
    }

    private static StringContent JsonContent(params object[] events) =>
        new(JsonSerializer.Serialize(events, Domain.Json.Options), System.Text.Encoding.UTF8, "application/json");

    [Theory]
    [InlineData(null, 401)]
    [InlineData("wrong", 401)]
    [InlineData(ShopKey, 202)]
    public async Task CollectEventsInvocation_ChecksTheStorefrontKeyFromTheHostsHeaders(string? key, int expected)
    {
        using var app = CreateSut();
        using var client = app.CreateClient();
        var headers = key is null ? new Dictionary<string, string[]>() : new Dictionary<string, string[]> { ["x-api-key"] = [key] };

        var outputs = await CollectEventsAsync(app, client, headers);

        Assert.Equal(expected, outputs.GetProperty("res").GetProperty("statusCode").GetInt32());
        Assert.Equal(expected == 202 ? 1 : 0, outputs.GetProperty("outEvents").GetArrayLength());
    }

    [Fact]
    public async Task CollectEventsInvocation_OverTheClientsRate_Is429WithRetryAfter_SharingTheProxiedRoutesBucket()
    {
        using var app = CreateSut(("Recommender:Storefront:ClientRequestsPerSecond", "1"), ("Recommender:Storefront:ClientBurst", "2"));
        using var client = app.CreateClient();
        var shopA = new Dictionary<string, string[]> { ["X-Api-Key"] = [ShopKey] };

        using var proxied = await client.SendAsync(Request(HttpMethod.Get, "/api/recommendations/customer-1", ShopKey)); // one of shop-a's two tokens
        var first = await CollectEventsAsync(app, client, shopA);
        var second = await CollectEventsAsync(app, client, shopA);
        var otherClient = await CollectEventsAsync(app, client, new Dictionary<string, string[]> { ["X-Api-Key"] = [OtherKey] });

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal(202, first.GetProperty("res").GetProperty("statusCode").GetInt32());
        var refused = second.GetProperty("res");
        Assert.Equal(429, refused.GetProperty("statusCode").GetInt32());
        Assert.True(int.Parse(refused.GetProperty("headers").GetProperty("Retry-After").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(429, JsonDocument.Parse(refused.GetProperty("body").GetString()!).RootElement.GetProperty("status").GetInt32());
        Assert.Equal(0, second.GetProperty("outEvents").GetArrayLength());
        Assert.Equal(202, otherClient.GetProperty("res").GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task OpenRoutes_BehindTheHostsProxy_AreLimitedPerCallerAddress_NotAllAsOne()
    {
        using var app = new TestApp(settings: new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Embedded",
            ["Recommender:Storefront:RequestsPerSecond"] = "1",
            ["Recommender:Storefront:Burst"] = "1",
            ["Recommender:Storefront:TrustLoopbackProxy"] = "true",
        })
        { TestServices = WallClockProofLimits };
        using var client = app.CreateClient();

        async Task<HttpStatusCode> GetAsync(string forwardedFor)
        {
            using var request = Request(HttpMethod.Get, "/api/recommendations/customer-1");
            request.Headers.TryAddWithoutValidation(StorefrontRateLimiter.ForwardedForHeader, forwardedFor);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        async Task<int> CollectAsync(string forwardedFor) =>
            (await CollectEventsAsync(app, client, new Dictionary<string, string[]> { ["X-Forwarded-For"] = [forwardedFor] }))
                .GetProperty("res").GetProperty("statusCode").GetInt32();

        Assert.Equal(HttpStatusCode.OK, await GetAsync("203.0.113.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync("198.51.100.99, 203.0.113.1")); // a forged first hop does not buy a new bucket
        Assert.Equal(HttpStatusCode.OK, await GetAsync("203.0.113.2:50123"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("not an address")); // the proxy's own bucket...
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync("203.0.113.3, _hidden")); // ...which every malformed header shares
        Assert.Equal(429, await CollectAsync("203.0.113.1")); // the invocation path uses the same buckets
        Assert.Equal(202, await CollectAsync("203.0.113.4"));
    }

    /// <summary>Posts a <c>CollectEvents</c> invocation (the host's non-proxied HTTP payload) of one view event; returns its <c>Outputs</c>.</summary>
    private static async Task<JsonElement> CollectEventsAsync(TestApp app, HttpClient client, Dictionary<string, string[]> headers)
    {
        var at = app.Clock.GetUtcNow().ToString("O");
        var payload = JsonSerializer.Serialize(new
        {
            Data = new
            {
                req = new
                {
                    Url = "https://app.example.net/api/events",
                    Method = "POST",
                    Headers = new Dictionary<string, string[]>(headers) { ["Content-Type"] = ["application/json"] },
                    Body = $$"""[{"id":"e1","type":"view","customerId":"c1","productId":"p1","occurredAt":"{{at}}"}]""",
                },
            },
            Metadata = new { },
        });

        using var response = await client.PostAsync("/CollectEvents", new StringContent(payload, System.Text.Encoding.UTF8, "application/json"));
        return (await TestApp.ReadJsonAsync(response)).GetProperty("Outputs");
    }
}
