using System.Net;
using System.Text;
using System.Text.Json;
using Recommender.Functions.Security;

namespace Recommender.Functions.Tests;

/// <summary>
/// The one storefront gate (<see cref="StorefrontGate"/>): the proxied routes and the <c>CollectEvents</c> invocation
/// are refused by the same checks with the same answers — status, title, detail and headers.
/// </summary>
public sealed class StorefrontGateTests
{
    private const string ShopKey = "shop-a-secret-key-0123456789";

    private static TestApp CreateSut() => new(settings: new Dictionary<string, string>
    {
        ["Recommender:Mode"] = "Embedded",
        ["Recommender:Storefront:Clients:shop-a:KeySha256"] = StorefrontKeys.Hash(ShopKey),
    });

    public static TheoryData<string[]> RefusedKeys => new()
    {
        Array.Empty<string>(),
        new[] { "not-a-key-of-any-client" },
        new[] { ShopKey, ShopKey },
    };

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public async Task ProxiedRouteAndCollectEvents_RefuseTheSameKeysWithTheSameAnswer(string[] keys)
    {
        using var app = CreateSut();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/recommendations/customer-1");
        if (keys.Length > 0)
        {
            request.Headers.TryAddWithoutValidation(StorefrontRoutes.ApiKeyHeader, keys);
        }

        using var proxied = await client.SendAsync(request);
        var invocation = await CollectEventsAsync(app, client, keys);

        Assert.Equal(HttpStatusCode.Unauthorized, proxied.StatusCode);
        var problem = await TestApp.ReadJsonAsync(proxied);
        var res = invocation.GetProperty("res");
        Assert.Equal(401, res.GetProperty("statusCode").GetInt32());
        var refused = JsonDocument.Parse(res.GetProperty("body").GetString()!).RootElement;
        Assert.Equal(problem.GetProperty("title").GetString(), refused.GetProperty("title").GetString());
        Assert.Equal(problem.GetProperty("detail").GetString(), refused.GetProperty("detail").GetString());
        Assert.Equal(proxied.Headers.WwwAuthenticate.Single().ToString(), res.GetProperty("headers").GetProperty("WWW-Authenticate").GetString());
        Assert.Equal(0, invocation.GetProperty("outEvents").GetArrayLength());
    }

    [Fact]
    public async Task OneKnownKey_IsAdmittedOnBothPaths()
    {
        using var app = CreateSut();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/recommendations/customer-1");
        request.Headers.Add(StorefrontRoutes.ApiKeyHeader, ShopKey);

        using var proxied = await client.SendAsync(request);
        var invocation = await CollectEventsAsync(app, client, [ShopKey]);

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal(202, invocation.GetProperty("res").GetProperty("statusCode").GetInt32());
        Assert.Equal(1, invocation.GetProperty("outEvents").GetArrayLength());
    }

    /// <summary>Posts a <c>CollectEvents</c> invocation of one view event with <paramref name="keys"/> as its X-Api-Key values; returns its <c>Outputs</c>.</summary>
    private static async Task<JsonElement> CollectEventsAsync(TestApp app, HttpClient client, string[] keys)
    {
        var headers = new Dictionary<string, string[]> { ["Content-Type"] = ["application/json"] };
        if (keys.Length > 0)
        {
            headers[StorefrontRoutes.ApiKeyHeader] = keys;
        }

        var payload = JsonSerializer.Serialize(new
        {
            Data = new
            {
                req = new
                {
                    Url = "https://app.example.net/api/events",
                    Method = "POST",
                    Headers = headers,
                    Body = $$"""[{"id":"g1","type":"view","customerId":"c1","productId":"p1","occurredAt":"{{app.Clock.GetUtcNow():O}}"}]""",
                },
            },
            Metadata = new { },
        });
        using var response = await client.PostAsync("/CollectEvents", new StringContent(payload, Encoding.UTF8, "application/json"));
        return (await TestApp.ReadJsonAsync(response)).GetProperty("Outputs");
    }
}
