namespace Recommender.Infrastructure.Tests;

/// <summary>Key Vault holds the webhook secret under RBAC; Application Insights takes Entra ID only.</summary>
[Collection(BicepCollection.Name)]
public sealed class SecretsAndMonitoringTemplateTests(CompiledTemplate compiled)
{
    private const string VaultType = "Microsoft.KeyVault/vaults";

    [Fact]
    public void Vault_UsesRbacAuthorizationAndSoftDelete()
    {
        var properties = compiled.Main.ModuleDeclaring(VaultType).SingleResource(VaultType)["properties"]!;

        Assert.True(properties["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.True(properties["enableSoftDelete"]!.GetValue<bool>());
    }

    [Fact]
    public void WebhookSecret_ComesFromASecureParameter()
    {
        var keyVault = compiled.Main.Module(VaultType);
        var secret = keyVault.Template.ResourcesOfType("Microsoft.KeyVault/vaults/secrets")
            .Single(candidate => ((string?)candidate["name"])!.Contains("'webhook-email-secret'", StringComparison.Ordinal));

        Assert.Equal("[parameters('webhookEmailSecret')]", (string?)secret["properties"]!["value"]);
        Assert.Equal("securestring", (string?)keyVault.Template.Parameter("webhookEmailSecret")["type"]);
        Assert.Equal("securestring", (string?)compiled.Main.Parameter("webhookEmailSecret")["type"]);
        Assert.Equal("[parameters('webhookEmailSecret')]", keyVault.PassedValue("webhookEmailSecret"));
    }

    [Fact]
    public void ApplicationInsights_DisablesLocalAuthAndUsesTheWorkspace()
    {
        var properties = compiled.Main.ModuleDeclaring("Microsoft.Insights/components")
            .SingleResource("Microsoft.Insights/components")["properties"]!;

        Assert.True(properties["DisableLocalAuth"]!.GetValue<bool>());
        Assert.Contains("Microsoft.OperationalInsights/workspaces", (string?)properties["WorkspaceResourceId"], StringComparison.Ordinal);
    }
}
