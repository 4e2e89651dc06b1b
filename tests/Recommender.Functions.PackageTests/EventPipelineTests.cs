using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Profiles;
using static Recommender.Functions.PackageTests.HostPayloads;

namespace Recommender.Functions.PackageTests;

/// <summary>
/// The Azure path of an event: <c>CollectEvents</c> forwards bodies to Event Hubs, which delivers
/// them to <c>IngestClickstream</c>. What the first sends, the second must accept.
/// </summary>
public sealed class EventPipelineTests(RecommenderAppFactory app) : IClassFixture<RecommenderAppFactory>
{
    [Fact]
    public async Task CollectEvents_ForwardedEventsOfEveryType_AreIngestedByIngestClickstream()
    {
        const string customer = "customer-pipeline";
        var at = DateTimeOffset.UtcNow.AddMinutes(-30).ToString("O");
        var batch = new JsonArray(
            JsonNode.Parse(ValidEvent("pipe-view", customer)),
            new JsonObject { ["id"] = "pipe-add", ["type"] = "add_to_cart", ["customerId"] = customer, ["productId"] = "SHO-001", ["quantity"] = 2, ["price"] = 19.5, ["occurredAt"] = at },
            new JsonObject { ["id"] = "pipe-remove", ["type"] = "remove_from_cart", ["customerId"] = customer, ["productId"] = "SHO-001", ["occurredAt"] = at },
            new JsonObject
            {
                ["id"] = "pipe-buy", ["type"] = "purchase", ["customerId"] = customer, ["orderId"] = "order-1", ["occurredAt"] = at,
                ["lines"] = new JsonArray(new JsonObject { ["productId"] = "SHO-001", ["quantity"] = 1, ["price"] = 19.5 }),
            },
            new JsonObject
            {
                ["id"] = "pipe-consent", ["type"] = "consent", ["customerId"] = customer, ["channel"] = "email", ["granted"] = true,
                ["policyVersion"] = "2026-01", ["source"] = "signup_form", ["occurredAt"] = at,
            });

        var collected = await app.InvokeAsync("CollectEvents", HttpRequest("CollectEvents", "POST", "https://app.example.net/api/events", batch.ToJsonString()));
        var forwarded = OutputStrings(collected.GetProperty("Outputs"), "outEvents");
        Assert.Equal(5, forwarded.Count);

        var ingested = await app.InvokeAsync("IngestClickstream", EventHubBatch(forwarded));

        AssertEnvelope(ingested);
        Assert.Empty(await app.Services.GetRequiredService<DeadLetters>().ReadAllAsync());
        var profile = await app.Services.GetRequiredService<ProfileStore>().GetAsync(customer);
        Assert.NotNull(profile);
        Assert.Equal(["pipe-add", "pipe-buy", "pipe-consent", "pipe-remove", "pipe-view"], profile.ProcessedEventIds.Order(StringComparer.Ordinal));
    }
}
