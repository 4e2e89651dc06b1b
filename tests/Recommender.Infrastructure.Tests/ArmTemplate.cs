using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recommender.Infrastructure.Tests;

/// <summary>
/// Read-only view of a compiled ARM template (the output of <c>bicep build</c>): its resources,
/// parameters, variables and the templates of its nested deployments (Bicep modules).
/// </summary>
internal sealed partial class ArmTemplate
{
    private const string DeploymentType = "Microsoft.Resources/deployments";

    public ArmTemplate(JsonObject root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = root;
    }

    public JsonObject Root { get; }

    /// <summary>Declared (not <c>existing</c>) resources; handles both array and symbolic-name forms.</summary>
    public IEnumerable<JsonObject> Resources => (Root["resources"] switch
    {
        JsonArray array => array.OfType<JsonObject>(),
        JsonObject symbolic => symbolic.Select(entry => entry.Value).OfType<JsonObject>(),
        _ => [],
    }).Where(resource => resource["existing"]?.GetValue<bool>() != true);

    /// <summary>Templates of the modules this template deploys.</summary>
    public IEnumerable<ArmTemplate> Modules => Resources
        .Where(resource => Type(resource) == DeploymentType)
        .Select(resource => new ArmTemplate(resource["properties"]!["template"]!.AsObject()));

    /// <summary>This template and every template nested in it.</summary>
    public IEnumerable<ArmTemplate> SelfAndModules => Modules.SelectMany(module => module.SelfAndModules).Prepend(this);

    /// <summary>The one module (at any depth) that declares a resource of <paramref name="type"/>.</summary>
    public ArmTemplate ModuleDeclaring(string type) => SelfAndModules.Single(template => template.ResourcesOfType(type).Any());

    public IEnumerable<JsonObject> ResourcesOfType(string type) => Resources.Where(resource => Type(resource) == type);

    public JsonObject SingleResource(string type) => ResourcesOfType(type).Single();

    /// <summary>The module deployed by this template whose template declares a resource of <paramref name="type"/>.</summary>
    public ModuleDeployment Module(string type) => ResourcesOfType(DeploymentType)
        .Select(deployment => new ModuleDeployment(this, deployment))
        .Single(module => module.Template.ResourcesOfType(type).Any());

    public JsonNode Variable(string name) =>
        Root["variables"]?[name] ?? throw new KeyNotFoundException($"Variable '{name}' is not declared.");

    public JsonObject Parameter(string name) =>
        Root["parameters"]?[name]?.AsObject() ?? throw new KeyNotFoundException($"Parameter '{name}' is not declared.");

    public JsonObject Outputs => Root["outputs"]?.AsObject() ?? [];

    /// <summary>
    /// The value of <paramref name="node"/> with a whole-value <c>[parameters('x')]</c> replaced by the
    /// parameter's default and <c>[variables('x')]</c> by the variable, repeatedly.
    /// </summary>
    public JsonNode? Resolve(JsonNode? node) => Resolve(node, name => Parameter(name)["defaultValue"]);

    public static string? Type(JsonObject resource) => (string?)resource["type"];

    /// <summary>Resolves a whole-value reference; <paramref name="parameterValue"/> supplies parameter values.</summary>
    internal JsonNode? Resolve(JsonNode? node, Func<string, JsonNode?> parameterValue)
    {
        for (var depth = 0; depth < 8 && node is JsonValue value && value.TryGetValue(out string? text); depth++)
        {
            var reference = WholeReference().Match(text);
            if (!reference.Success)
            {
                break;
            }

            var name = reference.Groups["name"].Value;
            node = reference.Groups["kind"].Value == "parameters" ? parameterValue(name) : Variable(name);
        }

        return node;
    }

    [GeneratedRegex(@"^\[(?<kind>parameters|variables)\('(?<name>[^']+)'\)\]$")]
    private static partial Regex WholeReference();
}

/// <summary>A module as deployed by its parent: the values passed to it and its compiled template.</summary>
internal sealed class ModuleDeployment
{
    public ModuleDeployment(ArmTemplate parent, JsonObject deployment)
    {
        Parent = parent;
        Deployment = deployment;
        Template = new ArmTemplate(deployment["properties"]!["template"]!.AsObject());
    }

    public ArmTemplate Parent { get; }

    public JsonObject Deployment { get; }

    public ArmTemplate Template { get; }

    /// <summary>The expression (or JSON) the parent passes for <paramref name="name"/>, or null when it passes none.</summary>
    public string? PassedValue(string name) => Deployment["properties"]?["parameters"]?[name]?["value"] switch
    {
        null => null,
        JsonValue value when value.TryGetValue(out string? text) => text,
        var other => other.ToJsonString(),
    };

    /// <summary>The value <paramref name="name"/> takes: the one passed (resolved in the parent) or the default.</summary>
    public JsonNode? ParameterValue(string name)
    {
        _ = Template.Parameter(name);
        var passed = Deployment["properties"]?["parameters"]?[name]?["value"];
        return passed is not null ? Parent.Resolve(passed) : Template.Parameter(name)["defaultValue"];
    }

    /// <summary>Resolves <paramref name="node"/> inside the module, using the values it is deployed with.</summary>
    public JsonNode? Resolve(JsonNode? node) => Template.Resolve(node, ParameterValue);
}
