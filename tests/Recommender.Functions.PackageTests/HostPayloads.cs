using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recommender.Functions.PackageTests;

/// <summary>
/// Invocations shaped exactly as the Functions host (v4) sends them to a custom handler
/// (see FUNCTIONS-PAYLOADS.md), and the host's reading of the answer.
/// </summary>
public static class HostPayloads
{
    /// <summary>An Event Hubs batch (<c>cardinality: many</c>, <c>dataType: string</c>): <c>Data.events</c> is a string holding a JSON array of strings.</summary>
    public static JsonObject EventHubBatch(IReadOnlyList<string> bodies)
    {
        var count = bodies.Count;
        return new JsonObject
        {
            ["Data"] = new JsonObject { ["events"] = new JsonArray([.. bodies.Select(b => JsonValue.Create(b))]).ToJsonString() },
            ["Metadata"] = new JsonObject
            {
                ["PartitionContext"] = new JsonObject
                {
                    ["FullyQualifiedNamespace"] = "ns.servicebus.windows.net",
                    ["EventHubName"] = "clickstream",
                    ["ConsumerGroup"] = "ingest",
                    ["PartitionId"] = "0",
                },
                ["PartitionKeyArray"] = ArrayString(count, i => i == 0 ? "\"c1\"" : "null"),
                ["OffsetArray"] = ArrayString(count, i => $"\"{4294967296L + (i * 104)}\""),
                ["SequenceNumberArray"] = ArrayString(count, i => (10 + i).ToString(CultureInfo.InvariantCulture)),
                ["EnqueuedTimeUtcArray"] = ArrayString(count, _ => $"\"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss}\""),
                ["PropertiesArray"] = ArrayString(count, _ => "{}"),
                ["SystemPropertiesArray"] = ArrayString(count, i => $"{{\"x-opt-sequence-number\":{10 + i}}}"),
                ["sys"] = Sys("IngestClickstream"),
            },
        };
    }

    /// <summary>A non-proxied HTTP trigger: <c>Data.req</c> with the raw body, which is absent when empty.</summary>
    public static JsonObject HttpRequest(string function, string method, string url, string? body)
    {
        var req = new JsonObject
        {
            ["Url"] = url,
            ["Method"] = method,
            ["Query"] = new JsonObject(),
            ["Headers"] = new JsonObject
            {
                ["Content-Type"] = new JsonArray("application/json"),
                ["User-Agent"] = new JsonArray("storefront/1.0"),
            },
            ["Params"] = new JsonObject(),
            ["Identities"] = new JsonArray(),
        };
        if (body is not null)
        {
            req["Body"] = body;
        }

        return new JsonObject
        {
            ["Data"] = new JsonObject { ["req"] = req },
            ["Metadata"] = new JsonObject
            {
                ["Query"] = new JsonObject(),
                ["Headers"] = new JsonObject { ["Content-Type"] = "application/json" },
                ["sys"] = Sys(function),
            },
        };
    }

    /// <summary>A queue trigger; the host double-encodes a JSON message (<c>"\"{...}\""</c>).</summary>
    public static JsonObject QueueMessage(string function, string message, bool doubleEncoded) => new()
    {
        ["Data"] = new JsonObject { ["msg"] = doubleEncoded ? JsonSerializer.Serialize(message) : message },
        ["Metadata"] = new JsonObject
        {
            ["DequeueCount"] = "1",
            ["Id"] = $"\"{Guid.NewGuid()}\"",
            ["InsertionTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["ExpirationTime"] = DateTimeOffset.UtcNow.AddDays(7).ToString("O"),
            ["NextVisibleTime"] = DateTimeOffset.UtcNow.AddMinutes(10).ToString("O"),
            ["PopReceipt"] = "\"AgAAAAMAAAAAAAAA\"",
            ["sys"] = Sys(function),
        },
    };

    /// <summary>A clickstream event the validator accepts.</summary>
    public static string ValidEvent(string id, string customerId, string type = "view") => new JsonObject
    {
        ["id"] = id,
        ["type"] = type,
        ["customerId"] = customerId,
        ["productId"] = "SHO-001",
        ["occurredAt"] = DateTimeOffset.UtcNow.AddHours(-1).ToString("O"),
    }.ToJsonString();

    /// <summary>Posts the invocation as the host does and returns the 200 answer's JSON (fails on any other status).</summary>
    public static async Task<JsonElement> InvokeAsync(this RecommenderAppFactory app, string function, JsonObject payload)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{function}")
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.Add("X-Azure-Functions-HostVersion", "4.1037.0.0");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /{function} answered {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Exactly the PascalCase keys the host reads: outputs, logs and the return value.</summary>
    public static void AssertEnvelope(JsonElement reply)
    {
        Assert.Equal(JsonValueKind.Object, reply.ValueKind);
        Assert.Equal(["Logs", "Outputs", "ReturnValue"], reply.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Object, reply.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, reply.GetProperty("Logs").ValueKind);
    }

    /// <summary>The <c>res</c> status code, which the host accepts as a number or a string.</summary>
    public static int StatusCode(JsonElement res) => res.GetProperty("statusCode") switch
    {
        { ValueKind: JsonValueKind.Number } n => n.GetInt32(),
        var s => int.Parse(s.GetString()!, CultureInfo.InvariantCulture),
    };

    /// <summary>An output binding's values; the host needs an array, whose string elements it sends verbatim.</summary>
    public static IReadOnlyList<string> OutputStrings(JsonElement outputs, string binding)
    {
        var values = outputs.GetProperty(binding);
        Assert.Equal(JsonValueKind.Array, values.ValueKind);
        return values.EnumerateArray().Select(v =>
        {
            Assert.Equal(JsonValueKind.String, v.ValueKind);
            return v.GetString()!;
        }).ToList();
    }

    private static JsonObject Sys(string function) => new()
    {
        ["MethodName"] = function,
        ["UtcNow"] = DateTimeOffset.UtcNow.ToString("O"),
        ["RandGuid"] = Guid.NewGuid().ToString(),
    };

    private static string ArrayString(int count, Func<int, string> element) => "[" + string.Join(',', Enumerable.Range(0, count).Select(element)) + "]";
}
