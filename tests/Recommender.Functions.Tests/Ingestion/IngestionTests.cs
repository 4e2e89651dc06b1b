using System.Net;
using System.Text;
using System.Text.Json;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Profiles;

namespace Recommender.Functions.Tests;

public class IngestionTests
{
    [Fact]
    public async Task Events_BuildTheProfileAndItemCounters()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("c1");

        var response = await app.PostEventsAsync(
            app.View("e1", "c1", "p1", TimeSpan.FromMinutes(3)),
            app.View("e2", "c1", "p2", TimeSpan.FromMinutes(2)),
            app.AddToCart("e3", "c1", "p2", 25m));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await TestApp.ReadJsonAsync(response);
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        var profile = (await app.Get<ProfileStore>().GetAsync("c1"))!;
        Assert.Equal(["p2", "p1"], profile.RecentViews.Select(v => v.ProductId));
        Assert.Equal(25m, profile.Cart["p2"].Price);
        var p2 = (await app.Get<ProfileStore>().GetItemAsync("p2"))!;
        Assert.Equal(1, p2.Views);
        Assert.Equal(1, p2.AddToCarts);
        Assert.Equal(1.0, ItemStats.PairDecay.Value(p2.CoViewed["p1"], app.Clock.GetUtcNow()), 3); // forward-decayed: one pair, minutes old
    }

    [Fact]
    public async Task Events_RedeliveredEventId_IsCountedOnce()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("c1");
        var view = app.View("dup-1", "c1", "p1");

        await app.PostEventsAsync(view, view);
        await app.PostEventsAsync(view);

        var profile = (await app.Get<ProfileStore>().GetAsync("c1"))!;
        Assert.Equal(2, profile.EventCount); // the consent and the view
        Assert.Equal(1, (await app.Get<ProfileStore>().GetItemAsync("p1"))!.Views);
        var popularity = (await app.Get<ProfileStore>().GetPopularityAsync())!;
        Assert.Equal(1.0, popularity.Scores["p1"], 6);
    }

    [Fact]
    public async Task Events_BadEventsAreDeadLetteredWithReason_AndTheRestOfTheBatchIsApplied()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("c1");
        using var client = app.CreateClient();
        var good = JsonSerializer.Serialize(app.View("good-1", "c1", "p1"), Domain.Json.Options);
        var batch = $$"""[{{good}}, "not an event", {"id":"bad-2","type":"view","customerId":["c1"],"productId":"p1","occurredAt":"2026-01-01T00:00:00Z"}, {"id":"bad-3","type":"levitate","customerId":"c1","occurredAt":"2026-01-01T00:00:00Z"}]""";

        var response = await client.PostAsync("/api/events", new StringContent(batch, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var results = (await TestApp.ReadJsonAsync(response)).GetProperty("results").EnumerateArray().ToList();
        Assert.True(results[0].GetProperty("accepted").GetBoolean());
        Assert.False(results[1].GetProperty("accepted").GetBoolean());
        Assert.Contains("customerId must be a string", results[2].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("bad-3", results[3].GetProperty("eventId").GetString());
        var letters = await app.Get<DeadLetters>().ReadAllAsync();
        Assert.Equal(3, letters.Count);
        // The raw body is not kept (it failed the checks that make a body safe to keep): only its well-formed identifiers (none here).
        Assert.Contains(letters, l => l.Payload == "{}" && l.Reason.Contains("JSON object", StringComparison.Ordinal) && l.Source == "http");
        Assert.Equal(["p1"], (await app.Get<ProfileStore>().GetAsync("c1"))!.RecentViews.Select(v => v.ProductId));
    }

    [Theory]
    [InlineData("", HttpStatusCode.BadRequest)]
    [InlineData("{\"events\": 5}", HttpStatusCode.BadRequest)]
    [InlineData("[]", HttpStatusCode.BadRequest)]
    [InlineData("[{\"id\":", HttpStatusCode.BadRequest)]
    public async Task Events_UnusableBody_IsRefusedWithAClearError(string body, HttpStatusCode expected)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var response = await client.PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(expected, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await TestApp.ReadJsonAsync(response)).GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Events_OversizedBody_Is413()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        var body = "[" + string.Join(',', Enumerable.Repeat("\"" + new string('x', 1000) + "\"", 1100)) + "]";

        var response = await client.PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task EventHubsInvocation_IsIngested_AndRedeliveryIsHarmless()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("c9");
        using var client = app.CreateClient();
        var first = JsonSerializer.Serialize(app.View("eh-1", "c9", "p1"), Domain.Json.Options);
        var second = JsonSerializer.Serialize(app.AddToCart("eh-2", "c9", "p2"), Domain.Json.Options);
        var events = JsonSerializer.Serialize(new[] { first, "not json", second });
        var payload = JsonSerializer.Serialize(new
        {
            Data = new { events },
            Metadata = new
            {
                PartitionContext = new { EventHubName = "clickstream", ConsumerGroup = "ingest", PartitionId = "3" },
                SequenceNumberArray = "[10,11,12]",
                sys = new { MethodName = "IngestClickstream", UtcNow = "2026-05-01T12:00:00Z", RandGuid = Guid.NewGuid() },
            },
        });

        for (var delivery = 0; delivery < 2; delivery++)
        {
            var response = await client.PostAsync("/IngestClickstream", new StringContent(payload, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var reply = await TestApp.ReadJsonAsync(response);
            Assert.Equal(JsonValueKind.Object, reply.GetProperty("Outputs").ValueKind);
            Assert.Equal(JsonValueKind.Array, reply.GetProperty("Logs").ValueKind);
        }

        var profile = (await app.Get<ProfileStore>().GetAsync("c9"))!;
        Assert.Equal(3, profile.EventCount);
        Assert.Contains("p2", profile.Cart.Keys);
        var letters = await app.Get<DeadLetters>().ReadAllAsync();
        Assert.All(letters, l => Assert.Equal("eventhub:partition-3", l.Source));
        Assert.Single(letters); // the redelivered batch lands on the same dead-letter record, not a second one
    }

    [Fact]
    public async Task ConcurrentBatches_ForOneCustomer_BothLand()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("same-customer");
        var ingestion = app.Get<IngestionService>();
        string Body(int i) => JsonSerializer.Serialize(app.View($"par-{i}", "same-customer", $"p{i % 7}"), Domain.Json.Options);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => ingestion.IngestAsync([Body(i)], "test"))));

        var profile = (await app.Get<ProfileStore>().GetAsync("same-customer"))!;
        Assert.Equal(21, profile.EventCount);
        var views = 0L;
        for (var p = 0; p < 7; p++)
        {
            views += (await app.Get<ProfileStore>().GetItemAsync($"p{p}"))!.Views;
        }

        Assert.Equal(20, views);
    }
}
