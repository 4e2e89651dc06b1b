using System.Text.Json.Nodes;

namespace Recommender.Infrastructure.Tests;

/// <summary>
/// What <c>azd up</c> deploys is closed by default (issue 14, item 7): no storefront or operator route
/// is anonymous, the storefront key and the tombstone key come from Key Vault, and only the function
/// app's HTTP endpoint is public unless the parameters say otherwise.
/// </summary>
[Collection(BicepCollection.Name)]
public sealed class SafeDeploymentTemplateTests(CompiledTemplate compiled)
{
    private const string SecretType = "Microsoft.KeyVault/vaults/secrets";

    /// <summary>Anonymous for the Functions host on purpose: the app answers them without any data (liveness, the API description).</summary>
    private static readonly string[] PublicRoutes = ["health", "openapi.json"];

    /// <summary>Anonymous for the Functions host, checked by the app's storefront key guard (StorefrontRoutes.IsStorefront).</summary>
    private static readonly string[] StorefrontRoutePrefixes = ["recommendations", "events"];

    private ModuleDeployment FunctionApp => compiled.Main.Module("Microsoft.Web/sites");

    private AppSettingsView Settings => new(FunctionApp.Template);

    [Fact]
    public void EveryHttpRoute_IsKeyedByTheHostOrByTheStorefrontGuard()
    {
        var routes = HttpTriggers().ToList();
        Assert.NotEmpty(routes);

        foreach (var (function, route, authLevel) in routes)
        {
            if (PublicRoutes.Contains(route, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var storefront = StorefrontRoutePrefixes.Any(prefix => route.Equals(prefix, StringComparison.OrdinalIgnoreCase)
                || route.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase));
            if (authLevel == "anonymous")
            {
                Assert.True(storefront, $"{function} (route '{route}') is anonymous but is not a storefront route the app guards with a key.");
            }
            else
            {
                Assert.True(authLevel is "function" or "admin", $"{function} (route '{route}') has authLevel '{authLevel}'.");
            }
        }
    }

    [Fact]
    public void StorefrontGuard_IsRequiredAndItsKeyIsAKeyVaultReference()
    {
        Assert.Equal("true", Settings.Common["Recommender__Storefront__RequireKeys"]);
        var key = Settings.Common["Recommender__Storefront__Clients__storefront__Key"];
        Assert.Equal("[format('@Microsoft.KeyVault(SecretUri={0})', parameters('storefrontKeySecretUri'))]", key);
        Assert.Contains("outputs.storefrontKeySecretUri.value", FunctionApp.PassedValue("storefrontKeySecretUri"), StringComparison.Ordinal);
        AssertGeneratedSecret("storefrontKey", "'storefront-key'");
    }

    [Fact]
    public void TombstoneKey_IsAKeyVaultReferenceToAGeneratedSecret()
    {
        Assert.Equal("[format('@Microsoft.KeyVault(SecretUri={0})', parameters('tombstoneKeySecretUri'))]", Settings.Common["Recommender__Privacy__TombstoneKey"]);
        Assert.Contains("outputs.tombstoneKeySecretUri.value", FunctionApp.PassedValue("tombstoneKeySecretUri"), StringComparison.Ordinal);
        AssertGeneratedSecret("tombstoneKey", "'privacy-tombstone-key'");
        Assert.Equal(32, compiled.Main.Parameter("tombstoneKey")["minLength"]!.GetValue<int>());
    }

    [Fact]
    public void AppIdentity_ReadsEachSecretTheSettingsReference()
    {
        var access = compiled.Main.Module("Microsoft.Authorization/roleAssignments");
        var passed = access.PassedValue("secretNames")!;

        Assert.Contains("webhookSecretName", passed, StringComparison.Ordinal);
        Assert.Contains("storefrontKeySecretName", passed, StringComparison.Ordinal);
        Assert.Contains("tombstoneKeySecretName", passed, StringComparison.Ordinal);
        var readers = access.Template.ResourcesOfType("Microsoft.Authorization/roleAssignments")
            .Single(assignment => ((string?)assignment["scope"])!.StartsWith("[resourceId('Microsoft.KeyVault/vaults/secrets'", StringComparison.Ordinal));
        Assert.Contains("parameters('secretNames')", (string?)readers["copy"]!["count"], StringComparison.Ordinal);
    }

    [Fact]
    public void NoSetting_OpensARoute()
    {
        Assert.DoesNotContain(Settings.All, setting => setting.Key.EndsWith("__RequireKeys", StringComparison.Ordinal) && setting.Value != "true");
        Assert.DoesNotContain(Settings.All, setting => setting.Key.StartsWith("Recommender__Auth__Require", StringComparison.Ordinal) && setting.Value != "true");
        Assert.DoesNotContain(Settings.All, setting => setting.Key.Contains("DevelopmentSigningKey", StringComparison.Ordinal));
        Assert.DoesNotContain(Settings.All, setting => setting.Key.Contains("KeySha256", StringComparison.Ordinal) && !setting.Value.Contains("@Microsoft.KeyVault", StringComparison.Ordinal));
        // Storefront keys configured by the template are Key Vault references, never literal values.
        Assert.All(Settings.All.Where(setting => setting.Key.StartsWith("Recommender__Storefront__Clients__", StringComparison.Ordinal)),
            setting => Assert.Contains("@Microsoft.KeyVault(SecretUri=", setting.Value, StringComparison.Ordinal));
    }

    [Fact]
    public void Network_OnlyTheFunctionAppEndpointIsPublicByDefault()
    {
        Assert.Equal("Enabled", (string?)compiled.Main.Parameter("functionAppPublicNetworkAccess")["defaultValue"]);
        Assert.Equal("Public", (string?)compiled.Main.Parameter("dataNetworkAccess")["defaultValue"]);
        Assert.Equal(["Public", "Private"], compiled.Main.Parameter("dataNetworkAccess")["allowedValues"]!.AsArray().Select(v => (string?)v));
        var site = FunctionApp.Template.SingleResource("Microsoft.Web/sites")["properties"]!;
        Assert.Equal("[parameters('publicNetworkAccess')]", (string?)site["publicNetworkAccess"]);
        Assert.Equal("[parameters('functionAppPublicNetworkAccess')]", FunctionApp.PassedValue("publicNetworkAccess"));
    }

    [Theory]
    [InlineData("Microsoft.Storage/storageAccounts")]
    [InlineData("Microsoft.DocumentDB/databaseAccounts")]
    [InlineData("Microsoft.EventHub/namespaces")]
    [InlineData("Microsoft.KeyVault/vaults")]
    public void DataStore_PublicNetworkAccessFollowsTheParameter_AndTakesNoKeys(string type)
    {
        var module = compiled.Main.Module(type);
        var properties = module.Template.SingleResource(type)["properties"]!;

        Assert.Equal("[parameters('publicNetworkAccess')]", (string?)properties["publicNetworkAccess"]);
        Assert.Equal("[variables('dataPublicNetworkAccess')]", module.PassedValue("publicNetworkAccess"));
        Assert.Equal("[if(variables('isPrivate'), 'Disabled', 'Enabled')]", (string?)compiled.Main.Variable("dataPublicNetworkAccess"));
        switch (type)
        {
            case "Microsoft.Storage/storageAccounts":
                Assert.False(properties["allowSharedKeyAccess"]!.GetValue<bool>());
                break;
            case "Microsoft.KeyVault/vaults":
                Assert.True(properties["enableRbacAuthorization"]!.GetValue<bool>());
                break;
            default:
                Assert.True(properties["disableLocalAuth"]!.GetValue<bool>());
                break;
        }
    }

    [Fact]
    public void PrivateNetworking_IsAnOption_WithAnEndpointPerStoreAndTheAppIntegrated()
    {
        var network = compiled.Main.Module("Microsoft.Network/privateEndpoints");

        Assert.Equal("[variables('isPrivate')]", (string?)network.Deployment["condition"]);
        var groups = network.Template.Variable("endpoints").AsArray().Select(endpoint => (string?)endpoint!["groupId"]).Order(StringComparer.Ordinal);
        Assert.Equal(["Sql", "blob", "namespace", "queue", "table", "vault"], groups);
        Assert.Contains("outputs.id.value", network.PassedValue("storageAccountId"), StringComparison.Ordinal);
        // A conditional module's output compiles to the whole parameter: [if(isPrivate, {value: network subnet}, {value: ''})].
        var subnet = (string?)FunctionApp.Deployment["properties"]!["parameters"]!["virtualNetworkSubnetId"];
        Assert.StartsWith("[if(variables('isPrivate'), createObject('value', reference(", subnet, StringComparison.Ordinal);
        Assert.Contains("'Microsoft.Resources/deployments', 'network')", subnet, StringComparison.Ordinal);
        Assert.Contains(".outputs.appSubnetId.value), createObject('value', ''))]", subnet, StringComparison.Ordinal);
        var site = FunctionApp.Template.SingleResource("Microsoft.Web/sites")["properties"]!;
        Assert.Equal("[if(empty(parameters('virtualNetworkSubnetId')), null(), parameters('virtualNetworkSubnetId'))]", (string?)site["virtualNetworkSubnetId"]);
        foreach (var type in new[] { "Microsoft.Network/privateEndpoints", "Microsoft.Network/privateDnsZones", "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "Microsoft.Network/privateEndpoints/privateDnsZoneGroups" })
        {
            Assert.Contains("variables('endpoints')", (string?)network.Template.SingleResource(type)["copy"]!["count"], StringComparison.Ordinal);
        }
    }

    private void AssertGeneratedSecret(string parameter, string secretName)
    {
        Assert.Equal("securestring", (string?)compiled.Main.Parameter(parameter)["type"]);
        Assert.Equal("generate", (string?)compiled.Main.Parameter(parameter)["metadata"]!["azd"]!["type"]);
        var keyVault = compiled.Main.Module("Microsoft.KeyVault/vaults");
        var secret = keyVault.Template.ResourcesOfType(SecretType)
            .Single(candidate => ((string?)candidate["name"])!.Contains(secretName, StringComparison.Ordinal));
        Assert.Equal($"[parameters('{parameter}')]", (string?)secret["properties"]!["value"]);
        Assert.Equal($"[parameters('{parameter}')]", keyVault.PassedValue(parameter));
    }

    /// <summary>Every HTTP trigger of the function app: function folder, route and authLevel.</summary>
    private static IEnumerable<(string Function, string Route, string AuthLevel)> HttpTriggers()
    {
        var functions = Path.Combine(Repository.Root, "functions", "Recommender.Functions", "FunctionApp");
        foreach (var file in Directory.EnumerateFiles(functions, "function.json", SearchOption.AllDirectories))
        {
            var bindings = JsonNode.Parse(File.ReadAllText(file))!["bindings"]!.AsArray();
            foreach (var binding in bindings.Where(binding => (string?)binding!["type"] == "httpTrigger"))
            {
                yield return (Path.GetFileName(Path.GetDirectoryName(file))!, (string?)binding!["route"] ?? "", (string?)binding["authLevel"] ?? "function");
            }
        }
    }
}
