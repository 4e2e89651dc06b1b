using System.Text;
using System.Text.Json;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// The storefront's batch body: a JSON array of events, or <c>{"events": [...]}</c>. Each element is
/// kept as its raw JSON text so one bad event is judged on its own and never spoils the others.
/// </summary>
public static class EventBatch
{
    /// <summary>Largest accepted request body.</summary>
    public const int MaxBodyBytes = 1024 * 1024;
    /// <summary>Most events accepted in one request.</summary>
    public const int MaxEvents = 500;

    public sealed record Parsed(IReadOnlyList<string>? Events, int StatusCode, string? Error)
    {
        public static Parsed Ok(IReadOnlyList<string> events) => new(events, 200, null);
        public static Parsed Fail(int statusCode, string error) => new(null, statusCode, error);
    }

    public static Parsed Parse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return Parsed.Fail(400, "the request body must be a JSON array of events");
        }

        if (Encoding.UTF8.GetByteCount(body) > MaxBodyBytes)
        {
            return Parsed.Fail(413, $"the request body is larger than {MaxBodyBytes} bytes");
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("events", out var inner))
            {
                root = inner;
            }

            if (root.ValueKind != JsonValueKind.Array)
            {
                return Parsed.Fail(400, "the request body must be a JSON array of events or {\"events\": [...]}");
            }

            var count = root.GetArrayLength();
            if (count == 0 || count > MaxEvents)
            {
                return Parsed.Fail(400, $"a batch holds 1 to {MaxEvents} events; this one has {count}");
            }

            return Parsed.Ok(root.EnumerateArray().Select(e => e.GetRawText()).ToList());
        }
        catch (JsonException ex)
        {
            return Parsed.Fail(400, $"the request body is not valid JSON: {ex.Message}");
        }
    }
}
