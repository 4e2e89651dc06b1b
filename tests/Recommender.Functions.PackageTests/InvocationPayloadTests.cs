using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Ingestion;
using static Recommender.Functions.PackageTests.HostPayloads;

namespace Recommender.Functions.PackageTests;

/// <summary>
/// The running handler answers the payloads the Functions host really sends (see
/// FUNCTIONS-PAYLOADS.md) with the envelope the host expects back.
/// </summary>
public sealed class InvocationPayloadTests(RecommenderAppFactory app) : IClassFixture<RecommenderAppFactory>
{
    [Fact]
    public async Task IngestClickstream_EventHubBatchOfStrings_AnswersTheHostEnvelopeAndDeadLettersTheBadEvent()
    {
        var reply = await app.InvokeAsync("IngestClickstream", EventHubBatch([ValidEvent("ingest-1", "customer-ingest"), "not json"]));

        AssertEnvelope(reply);
        var deadLetters = await app.Services.GetRequiredService<DeadLetters>().ReadAllAsync();
        // Dead letters keep the reason, never the raw body (issue 13, defect 3): the unparsable event is
        // recorded as malformed, its payload reduced to what could be read of it (nothing).
        var letter = Assert.Single(deadLetters, d => d.Reason.StartsWith("malformed JSON", StringComparison.Ordinal));
        Assert.DoesNotContain("not json", letter.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectEvents_BatchWithOneInvalidEvent_Answers202AndForwardsOnlyTheValidEvent()
    {
        var body = new JsonArray(JsonNode.Parse(ValidEvent("collect-1", "customer-collect")), new JsonObject { ["id"] = "collect-2", ["type"] = "teleport" });

        var reply = await app.InvokeAsync("CollectEvents", HttpRequest("CollectEvents", "POST", "https://app.example.net/api/events", body.ToJsonString()));

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

        var forwarded = Assert.Single(OutputStrings(outputs, "outEvents"));
        using var forwardedEvent = JsonDocument.Parse(forwarded);
        Assert.Equal("collect-1", forwardedEvent.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task CollectEvents_EmptyBody_Answers400AndForwardsNothing()
    {
        var reply = await app.InvokeAsync("CollectEvents", HttpRequest("CollectEvents", "POST", "https://app.example.net/api/events", body: null));

        AssertEnvelope(reply);
        var outputs = reply.GetProperty("Outputs");
        Assert.Equal(400, StatusCode(outputs.GetProperty("res")));
        Assert.Empty(OutputStrings(outputs, "outEvents"));
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

        var reply = await app.InvokeAsync("ErasureTask", QueueMessage("ErasureTask", message, doubleEncoded));

        AssertEnvelope(reply);
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/privacy/erasure/{requestId}");
        Assert.Equal("done", status.GetProperty("tasks").GetProperty(target).GetProperty("state").GetString());
    }
}
