using System.Net;
using System.Text;
using System.Text.Json;
using Recommender.Domain.Profiles;
using Recommender.Functions.Tests.Faults;

namespace Recommender.Functions.Tests;

/// <summary>
/// A store that fails mid-batch (a throttling storm past the SDK's retries, an outage): the Event Hubs
/// invocation must answer non-2xx so the host retries and the checkpoint is held, and the redelivered
/// batch must then land exactly once.
/// </summary>
public sealed class StoreOutageTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task IngestClickstream_WhenTheStoreFailsMidBatch_AnswersNon2xx_AndTheRedeliveryLandsOnce(int failAfter)
    {
        var faults = new FaultInjector();
        await using var app = new TestApp { Faults = faults };
        await app.GrantAnalyticsAsync("c9");
        using var client = app.CreateClient();
        var events = JsonSerializer.Serialize(new[]
        {
            JsonSerializer.Serialize(app.View("out-1", "c9", "p1"), Domain.Json.Options),
            JsonSerializer.Serialize(app.AddToCart("out-2", "c9", "p2"), Domain.Json.Options),
        });
        var payload = JsonSerializer.Serialize(new
        {
            Data = new { events },
            Metadata = new { PartitionContext = new { EventHubName = "clickstream", ConsumerGroup = "ingest", PartitionId = "0" } },
        });

        faults.Arm(failAfter); // that write lands, then every storage call fails
        var failed = await client.PostAsync("/IngestClickstream", new StringContent(payload, Encoding.UTF8, "application/json"));
        Assert.False(failed.IsSuccessStatusCode, $"answered {(int)failed.StatusCode}: the host would checkpoint past a batch that did not land");
        Assert.NotNull(faults.CrashedAfter);

        faults.Restart();
        var redelivered = await client.PostAsync("/IngestClickstream", new StringContent(payload, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);

        var profile = (await app.Get<ProfileStore>().GetAsync("c9"))!;
        Assert.Equal(3, profile.EventCount); // the consent, the view and the cart: once each
        Assert.Contains("p2", profile.Cart.Keys);
    }
}
