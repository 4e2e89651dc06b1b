using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recommender.Infrastructure.Tests;

/// <summary>The function app's identity holds data-plane roles only, each at a narrow scope.</summary>
[Collection(BicepCollection.Name)]
public sealed partial class AccessTemplateTests(CompiledTemplate compiled)
{
    private const string RoleAssignmentType = "Microsoft.Authorization/roleAssignments";
    private const string CosmosRoleAssignmentType = "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments";

    private static readonly Dictionary<string, string> ExpectedRoles = new(StringComparer.Ordinal)
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["a638d3c7-ab3a-418d-83e6-5f17a39d4fde"] = "Azure Event Hubs Data Receiver",
        ["2b629674-e913-4c01-ae53-ef4638d8f975"] = "Azure Event Hubs Data Sender",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
        ["4633458b-17de-408a-b874-0445c86b69e6"] = "Key Vault Secrets User",
    };

    private ModuleDeployment Access => compiled.Main.Module(RoleAssignmentType);

    [Fact]
    public void Identity_HoldsExactlyTheDataPlaneRoles()
    {
        var granted = RoleAssignments().Select(RoleId).Order(StringComparer.Ordinal);

        Assert.Equal(ExpectedRoles.Keys.Order(StringComparer.Ordinal), granted);
    }

    [Fact]
    public void RoleAssignments_AreGivenToTheFunctionAppIdentity()
    {
        Assert.All(RoleAssignments(), assignment =>
        {
            Assert.Equal("[parameters('principalId')]", (string?)assignment["properties"]!["principalId"]);
            Assert.Equal("ServicePrincipal", (string?)assignment["properties"]!["principalType"]);
        });
        Assert.Contains(".outputs.principalId.value", Access.PassedValue("principalId"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a638d3c7-ab3a-418d-83e6-5f17a39d4fde", "Microsoft.EventHub/namespaces/eventhubs")]
    [InlineData("2b629674-e913-4c01-ae53-ef4638d8f975", "Microsoft.EventHub/namespaces/eventhubs")]
    [InlineData("4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults/secrets")]
    [InlineData("3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components")]
    [InlineData("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts")]
    [InlineData("974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Microsoft.Storage/storageAccounts")]
    [InlineData("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Microsoft.Storage/storageAccounts")]
    public void RoleAssignment_IsScopedToItsResource(string roleId, string scopeType)
    {
        var assignment = RoleAssignments().Single(candidate => RoleId(candidate) == roleId);

        Assert.StartsWith($"[resourceId('{scopeType}',", (string?)assignment["scope"], StringComparison.Ordinal);
    }

    [Fact]
    public void Cosmos_GrantsTheBuiltInDataContributorOnTheDatabase()
    {
        var assignment = Access.Template.SingleResource(CosmosRoleAssignmentType)["properties"]!;

        Assert.Equal("00000000-0000-0000-0000-000000000002", (string?)Access.Template.Variable("cosmosBuiltInDataContributor"));
        Assert.Contains("variables('cosmosBuiltInDataContributor')", (string?)assignment["roleDefinitionId"], StringComparison.Ordinal);
        Assert.Contains("sqlRoleDefinitions", (string?)assignment["roleDefinitionId"], StringComparison.Ordinal);
        Assert.Equal("[parameters('principalId')]", (string?)assignment["principalId"]);
        Assert.Contains("/dbs/", (string?)Access.Resolve(assignment["scope"]), StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionApp_IsDeployedAfterItsRolesAreGranted()
    {
        var functionApp = compiled.Main.Module("Microsoft.Web/sites").Deployment;

        Assert.Contains(
            functionApp["dependsOn"]!.AsArray().Select(dependency => (string?)dependency),
            dependency => dependency!.Contains("'access'", StringComparison.Ordinal));
    }

    private IEnumerable<JsonObject> RoleAssignments() => Access.Template.ResourcesOfType(RoleAssignmentType);

    private string RoleId(JsonObject assignment)
    {
        var expression = (string)assignment["properties"]!["roleDefinitionId"]!;
        var role = RoleVariable().Match(expression);
        Assert.True(role.Success, $"Unexpected role definition expression: {expression}");
        return (string)Access.Template.Variable("roles")[role.Groups["role"].Value]!;
    }

    [GeneratedRegex(@"variables\('roles'\)\.(?<role>\w+)")]
    private static partial Regex RoleVariable();
}
