namespace Recommender.Infrastructure.Tests;

/// <summary>
/// The audit log is write once (issue 14, item 6): its container carries a time-based immutability
/// policy, and the app's blob role cannot delete in it.
/// </summary>
[Collection(BicepCollection.Name)]
public sealed class AuditLogTemplateTests(CompiledTemplate compiled)
{
    private const string ContainerType = "Microsoft.Storage/storageAccounts/blobServices/containers";
    private const string PolicyType = "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies";
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";

    private ModuleDeployment Storage => compiled.Main.Module("Microsoft.Storage/storageAccounts");

    [Fact]
    public void AuditContainer_HasATimeBasedRetentionPolicyWithoutAppends()
    {
        var policy = Storage.Template.SingleResource(PolicyType);
        var properties = policy["properties"]!;

        Assert.Contains("parameters('auditContainerName')", (string?)policy["name"], StringComparison.Ordinal);
        Assert.EndsWith("'default')]", (string?)policy["name"], StringComparison.Ordinal);
        Assert.Equal(2557, Storage.Resolve(properties["immutabilityPeriodSinceCreationInDays"])!.GetValue<int>());
        Assert.False(properties["allowProtectedAppendWrites"]!.GetValue<bool>());
        Assert.False(properties["allowProtectedAppendWritesAll"]!.GetValue<bool>());
        Assert.Equal("[parameters('auditRetentionDays')]", Storage.PassedValue("auditRetentionDays"));
    }

    [Fact]
    public void AuditContainer_IsSeparateFromTheDataContainerAndNoLifecycleRuleTouchesIt()
    {
        Assert.Equal("audit", (string?)Storage.ParameterValue("auditContainerName"));
        Assert.Contains(Storage.Template.ResourcesOfType(ContainerType),
            container => ((string?)container["name"])!.Contains("parameters('auditContainerName')", StringComparison.Ordinal));
        var rules = Storage.Template.SingleResource("Microsoft.Storage/storageAccounts/managementPolicies")["properties"]!.ToJsonString();
        Assert.DoesNotContain("auditContainerName", rules, StringComparison.Ordinal);
    }

    [Fact]
    public void BlobRole_CarriesAConditionThatDeniesDeletesInTheAuditContainer()
    {
        var access = compiled.Main.Module("Microsoft.Authorization/roleAssignments");
        Assert.Equal(StorageBlobDataOwner, (string?)access.Template.Variable("roles")["storageBlobDataOwner"]);
        var blobRole = access.Template.ResourcesOfType("Microsoft.Authorization/roleAssignments")
            .Single(assignment => ((string?)assignment["properties"]!["roleDefinitionId"])!.Contains("variables('roles').storageBlobDataOwner", StringComparison.Ordinal));
        var properties = blobRole["properties"]!;
        // The condition compiles to format('...', parameters('auditContainerName')) with quotes and braces doubled.
        var expression = (string?)access.Resolve(properties["condition"]);
        Assert.NotNull(expression);
        var condition = expression.Replace("''", "'", StringComparison.Ordinal).Replace("{{", "{", StringComparison.Ordinal).Replace("}}", "}", StringComparison.Ordinal);

        Assert.Equal("2.0", (string?)properties["conditionVersion"]);
        Assert.Contains("((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringNotEquals '{0}'))", condition, StringComparison.Ordinal);
        Assert.EndsWith(", parameters('auditContainerName'))]", condition, StringComparison.Ordinal);
        Assert.Contains("outputs.auditContainerName.value", access.PassedValue("auditContainerName"), StringComparison.Ordinal);
    }

    [Fact]
    public void App_WritesAuditEntriesToTheAuditContainer()
    {
        var settings = new AppSettingsView(compiled.Main.Module("Microsoft.Web/sites").Template);

        Assert.Equal("[parameters('auditContainerName')]", settings.Common["Recommender__Azure__AuditContainer"]);
        Assert.Contains("outputs.auditContainerName.value", compiled.Main.Module("Microsoft.Web/sites").PassedValue("auditContainerName"), StringComparison.Ordinal);
    }
}
