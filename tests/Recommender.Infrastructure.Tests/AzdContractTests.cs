using System.Text.Json.Nodes;

namespace Recommender.Infrastructure.Tests;

/// <summary>What azd relies on: the parameters file and the outputs of main.bicep.</summary>
[Collection(BicepCollection.Name)]
public sealed class AzdContractTests(CompiledTemplate compiled)
{
    [Theory]
    [InlineData("AZURE_LOCATION")]
    [InlineData("AZURE_RESOURCE_GROUP")]
    [InlineData("AZURE_FUNCTION_APP_NAME")]
    [InlineData("AZURE_FUNCTION_APP_URL")]
    [InlineData("AZURE_MANAGED_IDENTITY_CLIENT_ID")]
    [InlineData("AZURE_COSMOS_ENDPOINT")]
    [InlineData("AZURE_COSMOS_DATABASE")]
    [InlineData("AZURE_STORAGE_BLOB_ENDPOINT")]
    [InlineData("AZURE_STORAGE_QUEUE_ENDPOINT")]
    [InlineData("AZURE_EVENTHUB_NAMESPACE")]
    [InlineData("AZURE_EVENTHUB_FULLY_QUALIFIED_NAMESPACE")]
    [InlineData("AZURE_EVENTHUB_NAME")]
    [InlineData("AZURE_KEY_VAULT_NAME")]
    public void Output_IsDeclaredAsString(string name)
    {
        var output = compiled.Main.Outputs[name];

        Assert.NotNull(output);
        Assert.Equal("string", (string?)output["type"]);
    }

    [Fact]
    public void ParametersFile_MapsTheAzdEnvironmentAndOnlyDeclaredParameters()
    {
        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Infra, "main.parameters.json")))!["parameters"]!.AsObject();

        Assert.Equal("${AZURE_ENV_NAME}", (string?)parameters["environmentName"]!["value"]);
        Assert.Equal("${AZURE_LOCATION}", (string?)parameters["location"]!["value"]);
        Assert.All(parameters, parameter => compiled.Main.Parameter(parameter.Key));
        // Left out on purpose: azd generates it once and keeps it in the environment.
        Assert.DoesNotContain("webhookEmailSecret", parameters.Select(parameter => parameter.Key));
    }

    [Fact]
    public void AzureYaml_DeploysThePublishedCustomHandlerFolderToTheFunctionsService()
    {
        var azureYaml = File.ReadAllLines(Path.Combine(Repository.Root, "azure.yaml"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToList();

        Assert.Contains("name: recommender", azureYaml);
        Assert.Contains("functions:", azureYaml);
        Assert.Contains("host: function", azureYaml);
        Assert.Contains("language: custom", azureYaml);
        Assert.Contains("dist: artifacts/functionapp", azureYaml);
        Assert.Contains(
            azureYaml,
            line => line.Contains("dotnet publish functions/Recommender.Functions -c Release -r linux-x64 --self-contained -o artifacts/functionapp", StringComparison.Ordinal));
    }
}
