using System.Text.Json;

namespace Recommender.Functions.Invocations;

/// <summary>
/// The exact JSON the host expects back: PascalCase envelope (<c>Outputs</c>, <c>Logs</c>,
/// <c>ReturnValue</c>) and camelCase <c>res</c> fields (<c>statusCode</c>, <c>headers</c>, <c>body</c>).
/// </summary>
public static class HostJson
{
    public static readonly JsonSerializerOptions Envelope = new() { PropertyNamingPolicy = null };

    public static IResult Reply(InvocationResponse response) =>
        Results.Json(new Dictionary<string, object?>
        {
            ["Outputs"] = response.Outputs.ToDictionary(kv => kv.Key, kv => kv.Value is HttpOutput http ? ToHost(http) : kv.Value),
            ["Logs"] = response.Logs,
            ["ReturnValue"] = response.ReturnValue,
        }, Envelope);

    private static Dictionary<string, object> ToHost(HttpOutput http) => new()
    {
        ["statusCode"] = http.StatusCode,
        ["headers"] = http.Headers,
        ["body"] = http.Body,
    };
}
