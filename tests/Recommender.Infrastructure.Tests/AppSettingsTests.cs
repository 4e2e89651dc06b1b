using System.Text.RegularExpressions;

namespace Recommender.Infrastructure.Tests;

/// <summary>App settings: identity-based connections only, and everything the handler reads.</summary>
[Collection(BicepCollection.Name)]
public sealed partial class AppSettingsTests(CompiledTemplate compiled)
{
    public static TheoryData<string> CommonSettingNames => new()
    {
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "EventHubConnection__fullyQualifiedNamespace",
        "EventHubConnection__credential",
        "EventHubConnection__clientId",
        "EventHubName",
        "EventHubConsumerGroup",
        "RetrainSchedule",
        "RetentionSchedule",
        "WorkflowQueues__queueServiceUri",
        "WorkflowQueues__credential",
        "WorkflowQueues__clientId",
        "Recommender__Mode",
        "Recommender__Azure__CosmosEndpoint",
        "Recommender__Azure__CosmosDatabase",
        "Recommender__Azure__BlobServiceUri",
        "Recommender__Azure__BlobContainer",
        "Recommender__Azure__QueueServiceUri",
        "Recommender__Azure__ManagedIdentityClientId",
        "Recommender__Webhooks__Email__Url",
        "Recommender__Webhooks__Email__Secret",
    };

    private static readonly string[] KeyMarkers = ["AccountKey", "SharedAccessKey", "SharedAccessSignature", "DefaultEndpointsProtocol", "Endpoint=sb://"];

    private AppSettingsView Settings => new(compiled.Main.ModuleDeclaring("Microsoft.Web/sites"));

    [Theory]
    [MemberData(nameof(CommonSettingNames))]
    public void Setting_IsGivenOnEveryHostingPlan(string name) => Assert.Contains(name, Settings.Common.Keys);

    [Fact]
    public void Settings_AreWrittenWithThePremiumOnlyOnesAddedForElasticPremium()
    {
        Assert.Equal(
            "[if(variables('isFlex'), variables('appSettings'), union(variables('appSettings'), variables('premiumSettings')))]",
            (string?)Settings.Config["properties"]);
        Assert.Contains("appsettings", (string?)Settings.Config["name"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    public void FlexConsumption_DoesNotReceiveRuntimeSettingsItRejects(string name)
    {
        Assert.DoesNotContain(name, Settings.Common.Keys);
        Assert.Contains(name, Settings.Premium.Keys);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage")]
    [InlineData("EventHubConnection")]
    [InlineData("WorkflowQueues")]
    public void Connection_UsesTheUserAssignedManagedIdentity(string connection)
    {
        Assert.Equal("managedidentity", Settings.Common[$"{connection}__credential"]);
        Assert.Equal("[parameters('identityClientId')]", Settings.Common[$"{connection}__clientId"]);
    }

    [Fact]
    public void Settings_NameTheDeployedResources()
    {
        var common = Settings.Common;

        Assert.Equal("Azure", common["Recommender__Mode"]);
        Assert.Equal("[parameters('identityClientId')]", common["Recommender__Azure__ManagedIdentityClientId"]);
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", common["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal("[parameters('queueEndpoint')]", common["WorkflowQueues__queueServiceUri"]);
        Assert.Equal("[parameters('queueEndpoint')]", common["Recommender__Azure__QueueServiceUri"]);
        Assert.Equal("[parameters('blobEndpoint')]", common["Recommender__Azure__BlobServiceUri"]);
    }

    [Fact]
    public void WebhookSecret_IsAKeyVaultReferenceResolvedWithTheIdentity()
    {
        Assert.Equal("[format('@Microsoft.KeyVault(SecretUri={0})', parameters('webhookSecretUri'))]", Settings.Common["Recommender__Webhooks__Email__Secret"]);
        var functionApp = compiled.Main.Module("Microsoft.Web/sites");
        Assert.Contains(".outputs.webhookSecretUri.value", functionApp.PassedValue("webhookSecretUri"), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_ContainNoKeyOrKeyBearingConnectionString()
    {
        foreach (var (name, value) in Settings.All)
        {
            foreach (var marker in KeyMarkers)
            {
                Assert.DoesNotContain(marker, name, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(marker, value, StringComparison.OrdinalIgnoreCase);
            }

            Assert.False(ConnectionStringWithKey().IsMatch(value), $"Setting '{name}' carries a connection string with a key: {value}");
        }
    }

    [Fact]
    public void Template_NeverReadsKeysOrConnectionStrings()
    {
        Assert.DoesNotContain("listKeys", compiled.Json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listConnectionStrings", compiled.Json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listAccountSas", compiled.Json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey=", compiled.Json, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex("connectionstring=.*key", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringWithKey();
}
