using System.Text.Json.Nodes;

namespace Recommender.Infrastructure.Tests;

/// <summary>The templates compile and lint cleanly with the pinned bicep CLI, offline.</summary>
[Collection(BicepCollection.Name)]
public sealed class BicepToolingTests(CompiledTemplate compiled)
{
    [Fact]
    public void Build_MainTemplate_SucceedsWithoutDiagnostics()
    {
        Assert.Equal(0, compiled.Build.ExitCode);
        Assert.Equal(string.Empty, compiled.Build.StandardError.Trim());
        Assert.StartsWith("{", compiled.Build.StandardOutput.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_MainTemplateAndModules_ReportNoWarningsOrErrors()
    {
        var lint = await BicepCli.RunAsync(Repository.Root, "lint", Repository.MainBicep);

        Assert.Equal(0, lint.ExitCode);
        Assert.Equal(string.Empty, (lint.StandardOutput + lint.StandardError).Trim());
    }

    [Fact]
    public void LinterConfig_KeepsEveryConfiguredRuleAtWarningOrStricter()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Infra, "bicepconfig.json")))!;
        var core = config["analyzers"]?["core"];

        Assert.NotEqual(false, core?["enabled"]?.GetValue<bool>());
        foreach (var (rule, settings) in core?["rules"]?.AsObject() ?? [])
        {
            var level = (string?)settings?["level"];
            Assert.True(level is "warning" or "error", $"Linter rule '{rule}' is lowered to '{level}'.");
        }
    }

    [Fact]
    public void Main_TargetsTheSubscriptionAndCreatesTheResourceGroup()
    {
        Assert.Contains("subscriptionDeploymentTemplate", (string?)compiled.Main.Root["$schema"], StringComparison.Ordinal);

        var resourceGroup = compiled.Main.SingleResource("Microsoft.Resources/resourceGroups");
        Assert.Contains("rg-", (string?)resourceGroup["name"], StringComparison.Ordinal);
        Assert.Contains("azd-env-name", compiled.Main.Variable("tags").ToJsonString(), StringComparison.Ordinal);
    }
}
