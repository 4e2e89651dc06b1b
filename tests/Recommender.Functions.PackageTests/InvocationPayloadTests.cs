using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recommender.Functions.PackageTests;

/// <summary>
/// The running handler answers the payloads the Functions host really sends (see
/// FUNCTIONS-PAYLOADS.md) with the envelope the host expects back.
/// </summary>
public sealed class InvocationPayloadTests(RecommenderAppFactory app) : IClassFixture<RecommenderAppFactory>
{
    [Fact]
    public async Task IngestClickstream_EventHubBatchOfStrings_AnswersTheHostEnvelope()
    {
        var bodies = new JsonArray(ValidEvent("ingest-1", "customer-ingest"), "not json");
        var payload = new JsonObject
        {
            ["Data"] = new JsonObject { ["events"] = bodies.ToJsonString() },
            ["Metadata"] = new JsonObject
            {
                ["PartitionContext"] = new JsonObject
                {
                    ["FullyQualifiedNamespace"] = "ns.servicebus.windows.net",
                    ["EventHubName"] = "clickstream",
                    ["ConsumerGroup"] = "ingest",
                    ["PartitionId"] = "0",
                },
                ["PartitionKeyArray"] = "[\"customer-ingest\",null]",
                ["OffsetArray"] = "[\"4294967296\",\"4294967400\"]",
                ["SequenceNumberArray"] = "[10,11]",
                ["EnqueuedTimeUtcArray"] = "[\"2026-05-01T12:00:00\",\"2026-05-01T12:00:00\"]",
                ["PropertiesArray"] = "[{},{}]",
                ["SystemPropertiesArray"] = "[{\"x-opt-sequence-number\":10},{\"x-opt-sequence-number\":11}]",
                ["sys"] = Sys("IngestClickstream"),
            },
        };

        var reply = await InvokeAsync("IngestClickstream", payload);

        AssertEnvelope(reply);
    }

    [Fact]
    public async Task CollectEvents_BatchWithOneInvalidEvent_Answers202AndForwardsOnlyTheValidEvent()
    {
        var body = new JsonArray(JsonNode.Parse(ValidEvent("collect-1", "customer-collect")), new JsonObject { ["id"] = "collect-2", ["type"] = "teleport" });
        var reply = await InvokeAsync("CollectEvents", CollectPayload(body.ToJsonString()));

        AssertEnvelope(reply);
        var outputs = reply.GetProperty("Outputs");
        var res = outputs.GetProperty("res");
        Assert.Equal(202, StatusCode(res));
        Assert.Equal(JsonValueKind.String, res.GetProperty("body").ValueKind);
        using var answer = JsonDocument.Parse(res.GetProperty("body").GetString()!);
        Assert.Equal(1, answer.RootElement.GetProperty("accepted").GetInt32());
        Assert.Equal(1, answer.RootElement.GetProperty("rejected").GetInt32());
        var results = answer.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.True(results[0].GetProperty("accepted").GetBoolean());
        Assert.False(results[1].GetProperty("accepted").GetBoolean());
        Assert.False(string.IsNullOrEmpty(results[1].GetProperty("error").GetString()));

        var forwarded = outputs.GetProperty("outEvents");
        Assert.Equal(JsonValueKind.Array, forwarded.ValueKind);
        var single = Assert.Single(forwarded.EnumerateArray());
        Assert.Equal(JsonValueKind.String, single.ValueKind);
        using var forwardedEvent = JsonDocument.Parse(single.GetString()!);
        Assert.Equal("collect-1", forwardedEvent.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task CollectEvents_EmptyBody_Answers400AndForwardsNothing()
    {
        var reply = await InvokeAsync("CollectEvents", CollectPayload(body: null));

        AssertEnvelope(reply);
        var outputs = reply.GetProperty("Outputs");
        Assert.Equal(400, StatusCode(outputs.GetProperty("res")));
        var forwarded = outputs.GetProperty("outEvents");
        Assert.Equal(JsonValueKind.Array, forwarded.ValueKind);
        Assert.Equal(0, forwarded.GetArrayLength());
    }

    [Theory]
    [InlineData(true, "profile")]
    [InlineData(false, "recommendations")]
    public async Task ErasureTask_QueueMessage_RunsTheTaskWhetherDoubleEncodedOrPlain(bool doubleEncoded, string target)
    {
        using var client = app.CreateClient();
        var started = await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = $"customer-erase-{target}" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var requestId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!;

        var message = new JsonObject { ["requestId"] = requestId, ["target"] = target }.ToJsonString();
        var payload = new JsonObject
        {
            ["Data"] = new JsonObject { ["msg"] = doubleEncoded ? JsonSerializer.Serialize(message) : message },
            ["Metadata"] = new JsonObject
            {
                ["DequeueCount"] = "1",
                ["Id"] = $"\"{Guid.NewGuid()}\"",
                ["InsertionTime"] = DateTimeOffset.UtcNow.ToString("O"),
                ["PopReceipt"] = "\"AgAAAAMAAAAAAAAA\"",
                ["sys"] = Sys("ErasureTask"),
            },
        };

        var reply = await InvokeAsync("ErasureTask", payload);

        AssertEnvelope(reply);
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/privacy/erasure/{requestId}");
        Assert.Equal("done", status.GetProperty("tasks").GetProperty(target).GetProperty("state").GetString());
    }

    private async Task<JsonElement> InvokeAsync(string function, JsonObject payload)
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
    private static void AssertEnvelope(JsonElement reply)
    {
        Assert.Equal(JsonValueKind.Object, reply.ValueKind);
        Assert.Equal(["Logs", "Outputs", "ReturnValue"], reply.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Object, reply.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, reply.GetProperty("Logs").ValueKind);
    }

    private static int StatusCode(JsonElement res) => res.GetProperty("statusCode") switch
    {
        { ValueKind: JsonValueKind.Number } n => n.GetInt32(),
        var s => int.Parse(s.GetString()!, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static JsonObject CollectPayload(string? body)
    {
        var req = new JsonObject
        {
            ["Url"] = "https://recommender.azurewebsites.net/api/events",
            ["Method"] = "POST",
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
                ["sys"] = Sys("CollectEvents"),
            },
        };
    }

    private static JsonObject Sys(string function) => new()
    {
        ["MethodName"] = function,
        ["UtcNow"] = DateTimeOffset.UtcNow.ToString("O"),
        ["RandGuid"] = Guid.NewGuid().ToString(),
    };

    private static string ValidEvent(string id, string customerId) => new JsonObject
    {
        ["id"] = id,
        ["type"] = "view",
        ["customerId"] = customerId,
        ["productId"] = "SHO-001",
        ["occurredAt"] = DateTimeOffset.UtcNow.AddHours(-1).ToString("O"),
    }.ToJsonString();
}
