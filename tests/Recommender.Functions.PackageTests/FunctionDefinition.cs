using System.Text.Json;

namespace Recommender.Functions.PackageTests;

/// <summary>One binding of a <c>function.json</c>.</summary>
public sealed record FunctionBinding(JsonElement Json)
{
    public string? Type => String("type");
    public string? Direction => String("direction");
    public string? Name => String("name");
    public bool IsTrigger => Type?.EndsWith("Trigger", StringComparison.Ordinal) == true;

    public string? String(string property) =>
        Json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The HTTP methods of an <c>httpTrigger</c>, upper case.</summary>
    public IReadOnlyList<string> Methods =>
        Json.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array
            ? methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToList()
            : [];

    public override string ToString() => $"{Type}/{Direction} '{Name}'";
}

/// <summary>A function folder of the package: its name and the bindings of its <c>function.json</c>.</summary>
public sealed record FunctionDefinition(string Name, JsonElement Json, IReadOnlyList<FunctionBinding> Bindings)
{
    public static FunctionDefinition Load(string name, string path)
    {
        var json = PublishedPackage.ReadJson(path);
        var bindings = json.TryGetProperty("bindings", out var b) && b.ValueKind == JsonValueKind.Array
            ? b.EnumerateArray().Select(e => new FunctionBinding(e)).ToList()
            : [];
        return new FunctionDefinition(name, json, bindings);
    }

    public IReadOnlyList<FunctionBinding> Triggers => Bindings.Where(b => b.IsTrigger).ToList();

    public FunctionBinding Trigger => Assert.Single(Triggers);

    public IEnumerable<FunctionBinding> OfType(string type) => Bindings.Where(b => b.Type == type);

    /// <summary>
    /// Exactly one <c>httpTrigger</c> and one <c>http</c> output: the host forwards the request itself
    /// to the handler on its original path (<c>enableProxyingHttpRequest</c>).
    /// </summary>
    public bool IsProxied =>
        Bindings.Count == 2 && Bindings.Count(b => b.Type == "httpTrigger") == 1 && Bindings.Count(b => b is { Type: "http", Direction: "out" }) == 1;

    public override string ToString() => Name;
}
