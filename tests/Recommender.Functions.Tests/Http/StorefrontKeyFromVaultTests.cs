using System.Net;
using Recommender.Functions.Security;

namespace Recommender.Functions.Tests;

/// <summary>
/// The storefront client as <c>azd up</c> configures it (issue 14, item 7): RequireKeys on and the
/// key itself in <c>Recommender:Storefront:Clients:storefront:Key</c>, filled by a Key Vault reference.
/// </summary>
public sealed class StorefrontKeyFromVaultTests
{
    private const string VaultKey = "generated-at-deploy-0123456789abcdef";

    private static Dictionary<string, string> Deployed(string key) => new()
    {
        ["Recommender:Mode"] = "Embedded",
        ["Recommender:Storefront:RequireKeys"] = "true",
        ["Recommender:Storefront:Clients:storefront:Key"] = key,
    };

    [Theory]
    [InlineData(VaultKey, HttpStatusCode.OK)]
    [InlineData("some-other-key-0123456789abcdef", HttpStatusCode.Unauthorized)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task Storefront_WithTheDeployedKeySetting_ServesOnlyThatKey(string? presented, HttpStatusCode expected)
    {
        using var app = new TestApp(settings: Deployed(VaultKey));
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/recommendations/customer-1");
        if (presented is not null)
        {
            request.Headers.Add(StorefrontRoutes.ApiKeyHeader, presented);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/storefront-key/)")]
    [InlineData("short")]
    public void Start_WithAnUnresolvedReferenceOrAShortKey_IsRefused(string key)
    {
        var error = TestApp.StartupError(Deployed(key));

        Assert.Contains("Recommender:Storefront:Clients", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_WithBothAKeyAndAHash_IsRefused()
    {
        var settings = Deployed(VaultKey);
        settings["Recommender:Storefront:Clients:storefront:KeySha256"] = StorefrontKeys.Hash(VaultKey);

        var error = TestApp.StartupError(settings);

        Assert.Contains("Recommender:Storefront:Clients", error.ToString(), StringComparison.Ordinal);
    }
}
