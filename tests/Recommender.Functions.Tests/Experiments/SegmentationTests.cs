using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Segments;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Functions.Tests;

/// <summary>
/// The segmentation run end to end over HTTP and the queue: 30 consenting buyers with 60 days of
/// orders (some stop halfway), plus a customer without analytics consent, one who objects and one
/// who may be a minor.
/// </summary>
public class SegmentationTests
{
    private static readonly string[] Buyers = [.. Enumerable.Range(0, 30).Select(i => $"b{i:D2}")];

    private static async Task<TestApp> StoreAsync()
    {
        var app = new TestApp(settings: new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Embedded",
            ["Recommender:Segmentation:MinimumTrainingCustomers"] = "10",
            ["Recommender:Segmentation:ChurnWindow"] = "7.00:00:00",
        });
        await app.GrantAnalyticsAsync([.. Buyers, "objector", "minor"]);
        var now = app.Clock.GetUtcNow();
        await app.PostEventsAsync(new { id = "age", type = "account", customerId = "minor", birthYear = now.Year - 14, occurredAt = now });
        for (var day = 0; day < 60; day++)
        {
            var events = new List<object>();
            for (var i = 0; i < Buyers.Length; i++)
            {
                var every = 2 + i % 7;
                var stopsAt = i % 3 == 0 ? 30 : 60;
                if (day % every == 0 && day < stopsAt)
                {
                    events.Add(Order(app, $"{Buyers[i]}-{day}", Buyers[i], 10m + 5 * (i % 10)));
                }
            }

            events.Add(Order(app, $"nc-{day}", "no-consent", 50m));
            if (day % 5 == 0)
            {
                events.Add(Order(app, $"obj-{day}", "objector", 30m));
                events.Add(Order(app, $"min-{day}", "minor", 30m));
            }

            (await app.PostEventsAsync([.. events])).EnsureSuccessStatusCode();
            app.Clock.Advance(TimeSpan.FromDays(1));
        }

        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/privacy/objection/objector", new { objects = true })).StatusCode);
        return app;
    }

    private static object Order(TestApp app, string id, string customer, decimal price) =>
        new { id, type = "purchase", customerId = customer, orderId = "order-" + id, occurredAt = app.Clock.GetUtcNow() - TimeSpan.FromHours(1),
            lines = new[] { new { productId = "p-" + (price % 3), quantity = 1, price } } };

    private static async Task<JsonElement> RunAsync(TestApp app, HttpClient client)
    {
        var started = await client.PostAsync("/api/admin/segmentation", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await app.PumpAsync();
        return await TestApp.ReadJsonAsync(await client.GetAsync(started.Headers.Location));
    }

    [Fact]
    public async Task OnDemandRun_ScoresEveryProfilableCustomer_CountsAndPagesMembers_AndLeavesTheOthersUnscored()
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();

        var run = await RunAsync(app, client);

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(30, run.GetProperty("scored").GetInt64());
        Assert.Equal(32, run.GetProperty("scoredShards").GetArrayLength());
        Assert.True(run.GetProperty("models").GetProperty("churnAuc").GetDouble() > 0.5);
        var scores = await client.GetFromJsonAsync<JsonElement>("/api/admin/customers/b01/segments");
        foreach (var dimension in new[] { "recency", "frequency", "monetary" })
        {
            Assert.InRange(scores.GetProperty("rfm").GetProperty(dimension).GetInt32(), 1, 5);
        }

        Assert.InRange(scores.GetProperty("churnProbability").GetDouble(), 0, 1);
        Assert.True(scores.GetProperty("predictedLifetimeValue").GetDecimal() >= 0);
        Assert.True(scores.GetProperty("predictedNextPurchaseAt").GetDateTimeOffset() > app.Clock.GetUtcNow());
        // A buyer who stopped 30 days ago is not active; one who bought yesterday-ish is.
        var stopped = await client.GetFromJsonAsync<JsonElement>("/api/admin/customers/b00/segments");
        Assert.DoesNotContain("active", stopped.GetProperty("segments").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains("active", scores.GetProperty("segments").EnumerateArray().Select(s => s.GetString()));
        foreach (var unscored in new[] { "no-consent", "objector", "minor" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/admin/customers/{unscored}/segments")).StatusCode);
        }

        // Counts: latest and per day; members page by page add up to the count.
        var counts = await client.GetFromJsonAsync<JsonElement>("/api/admin/segments");
        Assert.Equal(run.GetProperty("runId").GetString(), counts.GetProperty("runId").GetString());
        Assert.Equal(1, counts.GetProperty("days").GetArrayLength());
        var active = counts.GetProperty("sizes").GetProperty("active").GetInt64();
        Assert.Equal(run.GetProperty("sizes").GetProperty("active").GetInt64(), active);
        var members = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/admin/segments/active/members?limit=7{(continuation is null ? "" : "&continuation=" + continuation)}");
            members.AddRange(page.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("customerId").GetString()!));
            continuation = page.TryGetProperty("continuation", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            pages++;
        }
        while (continuation is not null);
        Assert.Equal(active, members.Count);
        Assert.Equal(members.Count, members.Distinct().Count());
        Assert.True(pages >= 2);
        Assert.Contains("b01", members);
    }

    [Fact]
    public async Task Run_KeepsEachCachedListsSegments_WhatServingReads()
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();
        var documents = app.Get<IDocumentStore>();
        await app.Get<RecommendationService>().RefreshCacheAsync((await app.Get<ProfileStore>().GetAsync("b01"))!);
        Assert.Equal([], (await documents.GetAsync<CachedRecommendations>(Collections.Recommendations, "b01", "b01"))!.Snapshot!.Segments!);

        await RunAsync(app, client);

        var scored = await client.GetFromJsonAsync<JsonElement>("/api/admin/customers/b01/segments");
        var segments = scored.GetProperty("segments").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Contains("active", segments);
        Assert.Equal(segments, (await documents.GetAsync<CachedRecommendations>(Collections.Recommendations, "b01", "b01"))!.Snapshot!.Segments!);
    }

    [Fact]
    public async Task RedeliveredShardMessages_CountOnce()
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();
        var clean = await RunAsync(app, client);
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        var workflow = app.Get<SegmentationWorkflow>();
        var run = await workflow.StartAsync("test");
        var shard = ProfileStore.ShardOf("b01");
        await workflow.HandleAsync(new SegmentationMessage(run.RunId, SegmentationMessage.Train));
        await workflow.HandleAsync(new SegmentationMessage(run.RunId, SegmentationMessage.Train)); // redelivered
        foreach (var s in ProfileStore.AllShards)
        {
            await workflow.HandleAsync(new SegmentationMessage(run.RunId, SegmentationMessage.Measure, s));
        }

        await workflow.HandleAsync(new SegmentationMessage(run.RunId, SegmentationMessage.Measure, shard)); // after the fan-in
        await workflow.HandleAsync(new SegmentationMessage(run.RunId, SegmentationMessage.Score, shard));
        await workflow.HandleAsync(new SegmentationMessage(run.RunId, SegmentationMessage.Score, shard)); // redelivered
        await app.PumpAsync(); // the queue's own copies of every message: all of them once more

        var done = (await workflow.GetAsync(run.RunId))!;
        Assert.Equal(SegmentationStatus.Completed, done.Status);
        Assert.Equal(30, done.Scored);
        var expected = clean.GetProperty("sizes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(expected.OrderBy(p => p.Key), done.Sizes!.OrderBy(p => p.Key));
        // Late copies after completion change nothing either.
        await workflow.HandleAsync(new SegmentationMessage(run.RunId, SegmentationMessage.Score, shard));
        Assert.Equal(done.Sizes!.OrderBy(p => p.Key), (await workflow.GetAsync(run.RunId))!.Sizes!.OrderBy(p => p.Key));
        var day = await app.Get<Recommender.Domain.Ports.IDocumentStore>().GetAsync<SegmentSizes>(Collections.Workflows, SegmentationRun.PartitionKey, SegmentationWorkflow.SizesId(done.Day));
        Assert.Equal(30, day!.Customers);
        Assert.Equal(expected["active"], day.Sizes["active"]);
    }

    [Fact]
    public async Task Scores_AreInTheAccessExport_GoWithAnObjection_AndAreErased()
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();
        await RunAsync(app, client);

        var export = await client.GetFromJsonAsync<JsonElement>("/api/privacy/export/b04");
        var segments = export.GetProperty("workflows").EnumerateArray().Single(w => w.GetProperty("id").GetString() == CustomerSegments.DocumentId);
        Assert.Equal("b04", segments.GetProperty("state").GetProperty("customerId").GetString());
        Assert.True(segments.GetProperty("state").TryGetProperty("rfm", out _));

        // An objection: the next run removes the customer's scores.
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/privacy/objection/b05", new { objects = true })).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await RunAsync(app, client);
        Assert.Equal(29, second.GetProperty("scored").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/admin/customers/b05/segments")).StatusCode);

        // Erasure removes them at once, and the member lists stop naming the customer.
        var erasure = await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = "b04" });
        Assert.Equal(HttpStatusCode.Accepted, erasure.StatusCode);
        await app.PumpAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/admin/customers/b04/segments")).StatusCode);
        foreach (var segment in new[] { "active", "new", "vip", "dormant", "at-risk" })
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/admin/segments/{segment}/members?limit=500");
            Assert.DoesNotContain("b04", page.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("customerId").GetString()));
        }
    }

    [Theory]
    [InlineData("/api/admin/segments/gold/members")]
    [InlineData("/api/admin/segments/active/members?limit=0")]
    [InlineData("/api/admin/segments/active/members?limit=501")]
    [InlineData("/api/admin/segments/active/members?continuation=bm9wZQ")]
    [InlineData("/api/admin/segments?from=yesterday")]
    [InlineData("/api/admin/segments?from=2026-02-02&to=2026-02-01")]
    public async Task BadQueries_AreProblemDetails(string url)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task NoRunYet_MembersAre404_CountsEmpty_AndMalformedStepMessagesAreDeadLettered()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/admin/segments/vip/members")).StatusCode);
        var counts = await client.GetFromJsonAsync<JsonElement>("/api/admin/segments");
        Assert.Equal(0, counts.GetProperty("days").GetArrayLength());
        var outcome = await app.Get<Messaging.QueueDispatcher>().DispatchAsync(SegmentationWorkflow.Queue, """{"runId":"segmentation-x","step":"score","shard":"shard-99"}""");
        Assert.Equal(Messaging.DispatchOutcome.DeadLettered, outcome);
    }

    [Fact]
    public async Task SegmentCaps_GiveVipsMore_DormantLess_AndOthersTheDefault()
    {
        await using var app = new TestApp(settings: new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Embedded",
            ["Recommender:Messaging:SegmentCaps:vip:MaxPerWindow"] = "5",
            ["Recommender:Messaging:SegmentCaps:vip:MaxPerChannelPerWindow"] = "5",
            ["Recommender:Messaging:SegmentCaps:dormant:MaxPerWindow"] = "1",
        });
        await app.GrantAnalyticsAsync("v", "d", "both", "o"); // segment caps apply while the customer may be profiled
        var documents = app.Get<Recommender.Domain.Ports.IDocumentStore>();
        var now = app.Clock.GetUtcNow();
        foreach (var (customer, segments) in new[] { ("v", new[] { "vip", "active" }), ("d", ["dormant"]), ("both", ["vip", "dormant"]), ("o", ["active"]) })
        {
            await documents.PutAsync(Collections.Workflows, customer, CustomerSegments.DocumentId,
                new CustomerSegments { CustomerId = customer, RunId = "segmentation-test", ComputedAt = now, Segments = [.. segments] });
        }

        var ledger = app.Get<Recommender.Domain.Messaging.SendLedger>();
        async Task<int> ReservedAsync(string customer)
        {
            var reserved = 0;
            for (var i = 0; i < 8; i++)
            {
                var message = new Recommender.Domain.Messaging.OutboundMessage($"{customer}-{i}", customer, "email", "test", "{}", now, now);
                reserved += await ledger.TryReserveAsync(message, now) is null ? 1 : 0;
            }

            return reserved;
        }

        Assert.Equal(5, await ReservedAsync("v"));
        Assert.Equal(1, await ReservedAsync("d"));
        Assert.Equal(1, await ReservedAsync("both")); // the lowest cap of the customer's segments
        Assert.Equal(2, await ReservedAsync("o")); // no segment cap: the default (2 per channel)
        Assert.Equal(2, await ReservedAsync("nobody-scored"));
    }

    [Fact]
    public void SegmentCaps_NamingAnUnknownSegment_StopTheStart()
    {
        var error = TestApp.StartupError(new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Embedded",
            ["Recommender:Messaging:SegmentCaps:gold:MaxPerWindow"] = "5",
        });
        Assert.Contains("SegmentCaps", error.ToString());
    }
}
