using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Recommender.Cli;

namespace Recommender.Functions.Tests;

/// <summary>Bearer tokens with app roles on the privacy and admin routes (a development signing key stands in for Entra ID).</summary>
public class OperatorAuthTests
{
    private const string DevelopmentKey = "test-development-signing-key-0123456789abcdef";

    private static TestApp CreateSut() => new(settings: new Dictionary<string, string>
    {
        ["Recommender:Mode"] = "Embedded",
        ["Recommender:Auth:DevelopmentSigningKey"] = DevelopmentKey,
    });

    private static HttpRequestMessage Request(HttpMethod method, string url, string? token)
    {
        var request = new HttpRequestMessage(method, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private static string Token(params string[] roles) =>
        TokenCommand.Mint(DevelopmentKey, roles, "tester", "recommender", DateTimeOffset.UtcNow, TimeSpan.FromHours(1));

    [Fact]
    public async Task PrivacyAndAdminRoutes_NeedABearerTokenWithTheirRole()
    {
        using var app = CreateSut();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Request(HttpMethod.Get, "/api/privacy/audit", null))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Request(HttpMethod.Get, "/api/admin/models", "not.a.token"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Request(HttpMethod.Get, "/api/privacy/audit", Token("Recommender.Admin")))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Request(HttpMethod.Get, "/api/admin/models", Token("Privacy.Manage")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(HttpMethod.Get, "/api/privacy/audit", Token("Privacy.Manage")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(HttpMethod.Get, "/api/admin/models", Token("Recommender.Admin")))).StatusCode);
    }

    [Fact]
    public async Task ATokenSignedWithAnotherKey_OrExpired_IsRefused()
    {
        using var app = CreateSut();
        using var client = app.CreateClient();
        var forged = TokenCommand.Mint("another-key-that-is-also-long-enough-0123", ["Privacy.Manage"], "x", "recommender", DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        var expired = TokenCommand.Mint(DevelopmentKey, ["Privacy.Manage"], "x", "recommender", DateTimeOffset.UtcNow.AddHours(-3), TimeSpan.FromHours(1));
        var wrongAudience = TokenCommand.Mint(DevelopmentKey, ["Privacy.Manage"], "x", "someone-else", DateTimeOffset.UtcNow, TimeSpan.FromHours(1));

        foreach (var token in new[] { forged, expired, wrongAudience })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Request(HttpMethod.Get, "/api/privacy/audit", token))).StatusCode);
        }
    }

    [Fact]
    public async Task StorefrontRoutes_NeedNoBearerToken()
    {
        using var app = CreateSut();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/recommendations/someone")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
    }

    [Fact]
    public void TokenCommand_NeedsAKeyAndARole()
    {
        Assert.Equal(CliApp.UsageError, CliApp.Run(["token", "--role", "Privacy.Manage"], TextWriter.Null, TextWriter.Null));
        var output = new StringWriter();
        Assert.Equal(CliApp.Success, CliApp.Run(["token", "--key", DevelopmentKey, "--role", "Privacy.Manage"], output, TextWriter.Null));
        Assert.Equal(3, output.ToString().Trim().Split('.').Length);
    }
}
