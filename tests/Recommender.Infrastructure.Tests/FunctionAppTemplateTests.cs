namespace Recommender.Infrastructure.Tests;

/// <summary>The function app: Linux custom handler on Flex Consumption (or Elastic Premium), one identity.</summary>
[Collection(BicepCollection.Name)]
public sealed class FunctionAppTemplateTests(CompiledTemplate compiled)
{
    private const string SiteType = "Microsoft.Web/sites";

    private ModuleDeployment FunctionApp => compiled.Main.Module(SiteType);

    [Fact]
    public void Site_IsALinuxFunctionAppRunningAsTheUserAssignedIdentity()
    {
        var site = FunctionApp.Template.SingleResource(SiteType);

        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Equal(
            ["[format('{0}', parameters('identityId'))]"],
            site["identity"]!["userAssignedIdentities"]!.AsObject().Select(identity => identity.Key));
        Assert.Equal("[parameters('identityId')]", (string?)site["properties"]!["keyVaultReferenceIdentity"]);
        Assert.True(site["properties"]!["httpsOnly"]!.GetValue<bool>());
        Assert.Contains(".outputs.id.value", FunctionApp.PassedValue("identityId"), StringComparison.Ordinal);
        Assert.Contains(".outputs.clientId.value", FunctionApp.PassedValue("identityClientId"), StringComparison.Ordinal);
    }

    [Fact]
    public void Site_IsTaggedAsTheAzdFunctionsService()
    {
        var site = FunctionApp.Template.SingleResource(SiteType);

        Assert.Contains("'azd-service-name', 'functions'", (string?)site["tags"], StringComparison.Ordinal);
    }

    [Fact]
    public void HostingPlan_DefaultsToFlexConsumptionAndAllowsElasticPremium()
    {
        var hostingPlan = compiled.Main.Parameter("hostingPlan");
        var plan = FunctionApp.Template.SingleResource("Microsoft.Web/serverfarms");

        Assert.Equal("FlexConsumption", (string?)hostingPlan["defaultValue"]);
        Assert.Equal(["FlexConsumption", "ElasticPremium"], hostingPlan["allowedValues"]!.AsArray().Select(value => (string?)value));
        Assert.Contains("'FC1'", (string?)plan["sku"], StringComparison.Ordinal);
        Assert.Contains("'EP1'", (string?)plan["sku"], StringComparison.Ordinal);
        Assert.True(plan["properties"]!["reserved"]!.GetValue<bool>());
    }

    [Fact]
    public void FlexConsumption_RunsTheCustomHandlerFromAPackageReadWithTheIdentity()
    {
        var site = FunctionApp.Template.SingleResource(SiteType);
        var flex = FunctionApp.Template.Variable("flexAppConfig");
        var storage = flex["deployment"]!["storage"]!;

        Assert.Contains("variables('flexAppConfig')", (string?)site["properties"]!["functionAppConfig"], StringComparison.Ordinal);
        Assert.Equal("custom", (string?)flex["runtime"]!["name"]);
        Assert.Equal("1.0", (string?)flex["runtime"]!["version"]);
        Assert.Equal("blobContainer", (string?)storage["type"]);
        Assert.Equal("UserAssignedIdentity", (string?)storage["authentication"]!["type"]);
        Assert.Equal("[parameters('identityId')]", (string?)storage["authentication"]!["userAssignedIdentityResourceId"]);
        Assert.Equal("[parameters('instanceMemoryMB')]", (string?)flex["scaleAndConcurrency"]!["instanceMemoryMB"]);
        Assert.Equal(2048, FunctionApp.ParameterValue("instanceMemoryMB")!.GetValue<int>());
    }

    [Fact]
    public void ElasticPremium_UsesTheCustomWorkerAndRunsFromAPackageBlobReadWithTheIdentity()
    {
        var premium = AppSettings.Premium;

        Assert.Equal("custom", premium["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("~4", premium["FUNCTIONS_EXTENSION_VERSION"]);
        Assert.Equal("[parameters('identityId')]", premium["WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"]);
        Assert.Equal("[variables('premiumPackageUrl')]", premium["WEBSITE_RUN_FROM_PACKAGE"]);
        Assert.DoesNotContain("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", premium.Keys);
    }

    private AppSettingsView AppSettings => new(FunctionApp.Template);
}
