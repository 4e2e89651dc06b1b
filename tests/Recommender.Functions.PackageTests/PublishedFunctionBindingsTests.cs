using System.Text.Json;

namespace Recommender.Functions.PackageTests;

/// <summary>Every <c>function.json</c> of the package is one the Functions host accepts.</summary>
[Collection(PublishedPackageCollection.Name)]
public sealed class PublishedFunctionBindingsTests(PublishedPackage package)
{
    /// <summary>Binding types the app may use, with the directions they allow and the properties they need.</summary>
    private static readonly Dictionary<string, (string[] Directions, string[] Required)> KnownBindings = new(StringComparer.Ordinal)
    {
        ["httpTrigger"] = (["in"], ["methods", "authLevel"]),
        ["http"] = (["out"], []),
        ["eventHubTrigger"] = (["in"], ["eventHubName", "connection"]),
        ["eventHub"] = (["out"], ["eventHubName", "connection"]),
        ["queueTrigger"] = (["in"], ["queueName", "connection"]),
        ["queue"] = (["out"], ["queueName", "connection"]),
        ["timerTrigger"] = (["in"], ["schedule"]),
        ["blob"] = (["in", "out", "inout"], ["path", "connection"]),
        ["cosmosDBTrigger"] = (["in"], ["connection", "databaseName", "containerName"]),
    };

    private static readonly string[] AuthLevels = ["anonymous", "function", "admin"];
    private static readonly string[] HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    [Fact]
    public void Published_Package_HasFunctionFolders()
    {
        Assert.NotEmpty(package.Functions);
        Assert.Equal(FunctionNames.InProject, package.Functions.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(FunctionNames.All), MemberType = typeof(FunctionNames))]
    public void Published_FunctionJson_EveryBindingHasTypeDirectionAndName(string function)
    {
        var bindings = Function(function).Bindings;
        Assert.NotEmpty(bindings);
        Assert.All(bindings, b =>
        {
            Assert.False(string.IsNullOrWhiteSpace(b.Type), $"{function}: a binding has no type");
            Assert.False(string.IsNullOrWhiteSpace(b.Direction), $"{function}: binding {b} has no direction");
            Assert.False(string.IsNullOrWhiteSpace(b.Name), $"{function}: binding {b} has no name");
        });
        Assert.Equal(bindings.Count, bindings.Select(b => b.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Theory]
    [MemberData(nameof(FunctionNames.All), MemberType = typeof(FunctionNames))]
    public void Published_FunctionJson_UsesOnlyKnownBindingsWithTheirRequiredProperties(string function)
    {
        Assert.All(Function(function).Bindings, b =>
        {
            Assert.True(KnownBindings.TryGetValue(b.Type!, out var rule), $"{function}: unknown binding type '{b.Type}'");
            Assert.Contains(b.Direction, rule.Directions);
            foreach (var property in rule.Required)
            {
                Assert.True(b.Json.TryGetProperty(property, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                    && !(value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString())),
                    $"{function}: {b} needs '{property}'");
            }

            if (b.Type == "httpTrigger")
            {
                Assert.NotEmpty(b.Methods);
                Assert.All(b.Methods, m => Assert.Contains(m, HttpMethods));
                Assert.Contains(b.String("authLevel"), AuthLevels);
            }
        });
    }

    [Theory]
    [MemberData(nameof(FunctionNames.All), MemberType = typeof(FunctionNames))]
    public void Published_FunctionJson_HasExactlyOneTrigger(string function)
    {
        Assert.Single(Function(function).Triggers);
    }

    [Theory]
    [MemberData(nameof(FunctionNames.All), MemberType = typeof(FunctionNames))]
    public void Published_EventHubTriggers_ReceiveBatchesOfStrings(string function)
    {
        foreach (var trigger in Function(function).OfType("eventHubTrigger"))
        {
            // Without dataType string one non-JSON event fails the whole batch in the host.
            Assert.Equal("many", trigger.String("cardinality"));
            Assert.Equal("string", trigger.String("dataType"));
        }
    }

    private FunctionDefinition Function(string name) =>
        package.Functions.TryGetValue(name, out var function) ? function : throw new Xunit.Sdk.XunitException($"the package has no function folder '{name}'");
}
