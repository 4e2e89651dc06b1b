using System.Text.Json;

namespace Recommender.Functions.Invocations;

/// <summary>
/// What the Functions host posts to a custom handler: <c>{"Data": {binding: value}, "Metadata": {...}}</c>.
/// Values that are not JSON objects arrive JSON-encoded a second time (a string holding JSON), so
/// every accessor here accepts both the double-encoded and the plain form.
/// </summary>
public sealed record InvocationRequest(JsonElement Data, JsonElement Metadata)
{
    /// <summary>The binding's value, decoded once if the host sent it as a JSON string holding JSON.</summary>
    public JsonElement? Binding(string name) =>
        Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty(name, out var value) ? Unwrap(value) : null;

    public JsonElement? Meta(string name) =>
        Metadata.ValueKind == JsonValueKind.Object && Metadata.TryGetProperty(name, out var value) ? Unwrap(value) : null;

    /// <summary>A string binding: the host's double-encoded <c>"\"text\""</c> or a plain string.</summary>
    public string? BindingText(string name)
    {
        if (Data.ValueKind != JsonValueKind.Object || !Data.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return value.GetRawText();
        }

        var text = value.GetString()!;
        if (text.Length >= 2 && text[0] == '"')
        {
            try
            {
                return JsonSerializer.Deserialize<string>(text);
            }
            catch (JsonException)
            {
                return text;
            }
        }

        return text;
    }

    /// <summary>
    /// Parses a string value that holds JSON (object or array); anything else is returned as is.
    /// Strings holding a JSON-encoded string are unwrapped one level.
    /// </summary>
    public static JsonElement Unwrap(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return value;
        }

        var text = value.GetString()!.TrimStart();
        if (text.Length > 0 && text[0] is '[' or '{' or '"')
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return value;
            }
        }

        return value;
    }
}

/// <summary>The handler's answer: <c>{"Outputs": {...}, "Logs": [...], "ReturnValue": ...}</c>.</summary>
public sealed record InvocationResponse(IReadOnlyDictionary<string, object?> Outputs, IReadOnlyList<string> Logs, object? ReturnValue = null)
{
    public static InvocationResponse Empty(params string[] logs) => new(new Dictionary<string, object?>(), logs);
}

/// <summary>The <c>res</c> output of a non-proxied HTTP function: the body travels as a string.</summary>
public sealed record HttpOutput(int StatusCode, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public static HttpOutput Json(int statusCode, object body) =>
        new(statusCode, new Dictionary<string, string> { ["Content-Type"] = "application/json" },
            JsonSerializer.Serialize(body, Domain.Json.Options));
}
