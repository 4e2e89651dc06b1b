using System.Text.Json;
using System.Text.RegularExpressions;

namespace Recommender.Functions.PackageTests;

/// <summary>Every app setting a binding refers to is in the template of the local settings.</summary>
[Collection(PublishedPackageCollection.Name)]
public sealed partial class AppSettingsTests(PublishedPackage package)
{
    private readonly Lazy<IReadOnlyCollection<string>> _settings = new(() =>
        PublishedPackage.ReadJson(Repository.LocalSettingsSample).GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList());

    [Theory]
    [MemberData(nameof(FunctionNames.All), MemberType = typeof(FunctionNames))]
    public void Published_BindingExpressions_NameSettingsOfTheSample(string name)
    {
        foreach (var binding in Function(name).Bindings)
        {
            foreach (var text in Strings(binding.Json))
            {
                foreach (Match match in SettingExpression().Matches(text))
                {
                    var setting = match.Groups["name"].Value;
                    Assert.True(_settings.Value.Contains(setting, StringComparer.OrdinalIgnoreCase),
                        $"{name}: {binding} refers to %{setting}%, which local.settings.sample.json does not define");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(FunctionNames.All), MemberType = typeof(FunctionNames))]
    public void Published_BindingConnections_NameSettingsOfTheSample(string name)
    {
        foreach (var binding in Function(name).Bindings)
        {
            if (binding.String("connection") is not { } connection)
            {
                continue;
            }

            // A connection string under the name itself, or an identity-based connection: Name__property.
            Assert.True(_settings.Value.Any(s => s.Equals(connection, StringComparison.OrdinalIgnoreCase)
                    || s.StartsWith(connection + "__", StringComparison.OrdinalIgnoreCase)),
                $"{name}: {binding} uses connection '{connection}', but local.settings.sample.json has neither {connection} nor {connection}__*");
        }
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    private FunctionDefinition Function(string name)
    {
        Assert.True(package.Functions.TryGetValue(name, out var function), $"the package has no function '{name}'");
        return function!;
    }

    [GeneratedRegex("%(?<name>[^%]+)%")]
    private static partial Regex SettingExpression();
}
