using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Experiments;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Segments;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Ports.Telemetry;
using Recommender.Functions.Tests.Faults;

namespace Recommender.Functions.Tests;

/// <summary>
/// Segments where the teams use them (issue 17, item 2): experiment targeting and the per-segment report,
/// the bandit's context, the per-segment frequency caps' defaults, lifecycle payloads, hashed audiences per
/// segment and the members API — each honouring an objection or a withdrawn consent at once, not from the
/// next segmentation run on. Scores are written as a completed run would leave them (<see cref="SeedRunAsync"/>),
/// so each test states exactly who is in which segment.
/// </summary>
public class SegmentUsesTests
{
    private const string RunId = "segmentation-0000000000000000000000000000test";

    /// <summary>What a completed run leaves: each customer's segment document, the member lists, the run and the <c>latest</c> pointer.</summary>
    private static async Task SeedRunAsync(TestApp app, params (string Customer, string[] Segments)[] customers)
    {
        var documents = app.Get<IDocumentStore>();
        var now = app.Clock.GetUtcNow();
        foreach (var (customer, segments) in customers)
        {
            await documents.PutAsync(Collections.Workflows, customer, CustomerSegments.DocumentId, new CustomerSegments
            {
                CustomerId = customer, RunId = RunId, ComputedAt = now, Segments = [.. segments], ChurnProbability = 0.5, ChurnWindowDays = 30,
                PredictedNextPurchaseAt = now.AddDays(43), PredictedLifetimeValue = 120m, Frequency = 2, Monetary = 80m, RecencyDays = 3,
            });
            await ProfileSnapshot.KeepSegmentsAsync(documents, customer, segments); // as the run keeps a cached list's segments
        }

        foreach (var segment in customers.SelectMany(c => c.Segments).Distinct())
        {
            await documents.PutAsync(Collections.Workflows, SegmentationWorkflow.MembersPartition(RunId, segment), "shard-00:0000",
                new SegmentMemberChunk(segment, RunId, [.. customers.Where(c => c.Segments.Contains(segment)).Select(c => c.Customer)]));
        }

        var day = now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await documents.PutAsync(Collections.Workflows, SegmentationRun.PartitionKey, RunId,
            new SegmentationRun { RunId = RunId, Trigger = "test", RequestedAt = now, Day = day, Status = SegmentationStatus.Completed, CompletedAt = now });
        await documents.PutAsync(Collections.Workflows, SegmentationRun.PartitionKey, "latest", new LatestSegmentation(RunId, day, now));
    }

    private static async Task ObjectAsync(TestApp app, string customer)
    {
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync($"/api/privacy/objection/{customer}", new { objects = true })).StatusCode);
    }

    private static async Task<List<string>> MembersAsync(HttpClient client, string segment) =>
        [.. (await client.GetFromJsonAsync<JsonElement>($"/api/admin/segments/{segment}/members?limit=500")).GetProperty("members").EnumerateArray()
            .Select(m => m.GetProperty("customerId").GetString()!)];

    // ---- Experiments ----

    private static async Task PutExperimentAsync(TestApp app, string id, string[]? segments)
    {
        using var client = app.CreateClient();
        var response = await client.PutAsJsonAsync($"/api/admin/experiments/{id}", new
        {
            placement = "home",
            variants = new[] { new { name = "control", weight = 50 }, new { name = "treatment", weight = 50 } },
            startsAt = app.Clock.GetUtcNow().AddHours(-1),
            endsAt = app.Clock.GetUtcNow().AddDays(14),
            segments,
        }, Json.Options);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static object Impression(string id, string customer, string variant, DateTimeOffset at) => new
    {
        id, type = "recommendation_impression", customerId = customer, recommendationId = "r-" + id, placement = "home", variant, productIds = new[] { "p1" }, occurredAt = at,
    };

    private static object Order(string id, string customer, decimal total, DateTimeOffset at) => new
    {
        id, type = "purchase", customerId = customer, orderId = "o-" + id, lines = new[] { new { productId = "p1", quantity = 1, price = total } }, total, currency = "EUR",
        occurredAt = at,
    };

    private static async Task<JsonElement> ReportAsync(TestApp app, string id)
    {
        using var client = app.CreateClient();
        return await client.GetFromJsonAsync<JsonElement>($"/api/admin/experiments/{id}/report");
    }

    private static long Users(JsonElement report) => report.GetProperty("variants").EnumerateArray().Sum(v => v.GetProperty("users").GetInt64());

    [Fact]
    public async Task TargetedExperiment_AssignsOnlyItsSegments_OthersGetTheDefaultList_AndAreNotCounted()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("vip-1", "vip-2", "plain", "objector");
        await SeedRunAsync(app, ("vip-1", ["vip", "active"]), ("vip-2", ["vip"]), ("plain", ["active"]), ("objector", ["vip"]));
        await ObjectAsync(app, "objector");
        await PutExperimentAsync(app, "vip-home", ["vip"]);
        var assigner = app.Get<ExperimentAssigner>();
        var now = app.Clock.GetUtcNow();

        // Assignment: members of the segment only; the objector's scores are not used, visitors are in no segment.
        Assert.NotNull(await assigner.AssignAsync("home", "vip-1", now));
        Assert.NotNull(await assigner.AssignAsync("home", "vip-2", now));
        Assert.Null(await assigner.AssignAsync("home", "plain", now));
        Assert.Null(await assigner.AssignAsync("home", "objector", now));
        Assert.Null(await assigner.AssignAsync("home", "anon:visitor", now));

        // Serving: the member's list carries the variant, the others' the default (no variant).
        using var client = app.CreateClient();
        var member = (await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/vip-1", Json.Options))!;
        Assert.Equal(ExperimentAssigner.VariantOf((await app.Get<ExperimentStore>().GetAsync("vip-home"))!, "vip-1"), member.Variant);
        Assert.Null((await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/plain", Json.Options))!.Variant);

        // Counting: impressions that name a variant count only for members (a storefront replaying an old variant does not count others).
        var variant = member.Variant!;
        (await app.PostEventsAsync(
            Impression("i1", "vip-1", variant, now.AddMinutes(-5)), Impression("i2", "plain", variant, now.AddMinutes(-5)),
            Impression("i3", "objector", variant, now.AddMinutes(-5)), Order("o1", "vip-1", 40m, now.AddMinutes(-1)),
            Order("o2", "plain", 70m, now.AddMinutes(-1)))).EnsureSuccessStatusCode();

        var report = await ReportAsync(app, "vip-home");
        Assert.Equal(1, Users(report));
        var row = report.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("name").GetString() == variant);
        Assert.Equal(1, row.GetProperty("impressions").GetInt64());
        Assert.Equal(40, row.GetProperty("revenue").GetDouble());
        var vip = report.GetProperty("segments").EnumerateArray().Single(s => s.GetProperty("segment").GetString() == "vip");
        Assert.Equal(1, vip.GetProperty("users").GetInt64());
        Assert.DoesNotContain(report.GetProperty("segments").EnumerateArray(), s => s.GetProperty("segment").GetString() == "none");
    }

    [Fact]
    public async Task ExperimentReport_BreaksUsersConversionsAndRevenueDown_ByTheSegmentsAtExposure()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("a", "b");
        // c never consented to analytics: a segment document of theirs (say, left from before a withdrawal) is not used;
        // they are counted in the experiment (an aggregate), in no segment.
        await SeedRunAsync(app, ("a", ["vip", "active"]), ("b", ["dormant"]), ("c", ["vip"]));
        await PutExperimentAsync(app, "all-home", null);
        var definition = (await app.Get<ExperimentStore>().GetAsync("all-home"))!;
        var now = app.Clock.GetUtcNow();
        var subjects = new[] { ("a", 100m), ("b", 30m), ("c", 0m), ("anon:v1", 0m) };
        var events = new List<object>();
        foreach (var (subject, spent) in subjects)
        {
            var v = ExperimentAssigner.VariantOf(definition, subject);
            events.Add(subject.StartsWith("anon:", StringComparison.Ordinal)
                ? new { id = "i-" + subject, type = "recommendation_impression", anonymousId = "v1", recommendationId = "r-anon", placement = "home", variant = v, productIds = new[] { "p1" }, occurredAt = now.AddMinutes(-5) }
                : Impression("i-" + subject, subject, v, now.AddMinutes(-5)));
            if (spent > 0)
            {
                events.Add(Order("o-" + subject, subject, spent, now.AddMinutes(-1)));
            }
        }

        (await app.PostEventsAsync([.. events])).EnsureSuccessStatusCode();
        // Moving segments after exposure changes nothing: the breakdown is by the segments when first exposed.
        await SeedRunAsync(app, ("a", ["dormant"]), ("b", ["vip"]));

        var report = await ReportAsync(app, "all-home");
        Assert.Equal(4, Users(report));
        var bySegment = report.GetProperty("segments").EnumerateArray().ToDictionary(s => s.GetProperty("segment").GetString()!);
        Assert.Equal(["active", "dormant", "none", "vip"], bySegment.Keys.Order());
        Assert.Equal(1, bySegment["vip"].GetProperty("users").GetInt64());
        Assert.Equal(1, bySegment["dormant"].GetProperty("users").GetInt64());
        Assert.Equal(2, bySegment["none"].GetProperty("users").GetInt64()); // c and the visitor
        double Revenue(string segment) => bySegment[segment].GetProperty("variants").EnumerateArray().Sum(v => v.GetProperty("revenue").GetDouble());
        long Conversions(string segment) => bySegment[segment].GetProperty("variants").EnumerateArray().Sum(v => v.GetProperty("conversions").GetInt64());
        Assert.Equal(100, Revenue("vip"));
        Assert.Equal(100, Revenue("active"));
        Assert.Equal(30, Revenue("dormant"));
        Assert.Equal(0, Revenue("none"));
        Assert.Equal(1, Conversions("dormant"));
        // Within a segment, each variant row is where its subjects were assigned.
        var aVariant = ExperimentAssigner.VariantOf(definition, "a");
        Assert.Equal(1, bySegment["vip"].GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("name").GetString() == aVariant).GetProperty("users").GetInt64());
    }

    [Fact]
    public async Task ExperimentSegments_ThatAreNotSegments_AreRefusedWithTheField()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        var response = await client.PutAsJsonAsync("/api/admin/experiments/bad-target", new
        {
            placement = "home",
            variants = new[] { new { name = "control", weight = 1 }, new { name = "treatment", weight = 1 } },
            startsAt = app.Clock.GetUtcNow(),
            endsAt = app.Clock.GetUtcNow().AddDays(1),
            segments = new[] { "vip", "gold" },
        }, Json.Options);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await TestApp.ReadJsonAsync(response)).GetProperty("errors").TryGetProperty("segments[1]", out _));
    }

    // ---- Bandit ----

    [Fact]
    public async Task BanditContext_IsTheCustomersLifecycleSegment_AndNoneForAnObjector()
    {
        await using var app = new TestApp();
        // A product to list: an empty list names no arm (nothing shown, nothing to learn from).
        await app.Get<Domain.Catalog.CatalogProvider>().SaveAsync([new Domain.Catalog.Product("p1", "P1", "c", 10m)]);
        await app.GrantAnalyticsAsync("v", "d", "e", "unscored", "objector");
        await SeedRunAsync(app, ("v", ["active", "vip"]), ("d", ["dormant", "price-sensitive"]), ("e", ["category-enthusiast:shoes"]), ("objector", ["vip"]));
        await ObjectAsync(app, "objector");
        using var client = app.CreateClient();
        async Task<string> ArmAsync(string customer) =>
            BanditPolicy.ArmOf((await client.GetFromJsonAsync<RecommendationResponse>($"/api/recommendations/{customer}", Json.Options))!.RecommendationId)!;
        static string ContextOf(string arm) => arm.Split('.')[1].Split('_')[0]; // the segment; then what the profile says

        Assert.Equal("vip", ContextOf(await ArmAsync("v"))); // vip before active
        Assert.Equal("dormant", ContextOf(await ArmAsync("d")));
        Assert.Equal("known", ContextOf(await ArmAsync("e"))); // in no lifecycle segment
        Assert.Equal("known", ContextOf(await ArmAsync("unscored")));
        Assert.Equal("anonymous", ContextOf(await ArmAsync("objector"))); // not personalized for: the scores are not used

        // Feedback with that id is counted on the segment's arm.
        var id = (await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/v", Json.Options))!.RecommendationId;
        (await app.PostEventsAsync(new { id = "imp", type = "recommendation_impression", customerId = "v", recommendationId = id, placement = "home", productIds = new[] { "p1" },
            occurredAt = app.Clock.GetUtcNow() })).EnsureSuccessStatusCode();
        var arms = await app.Get<BanditPolicy>().ReportAsync();
        Assert.Equal(1, arms[BanditPolicy.ArmOf(id)!].Impressions);
        Assert.StartsWith("home.vip_", BanditPolicy.ArmOf(id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BanditContext_ComesWithTheCachedList_NoSegmentDocumentRead_AndFollowsEachRun()
    {
        await using var app = new TestApp { TestServices = ReadRecordingDocumentStore.AddTo };
        await app.Get<Domain.Catalog.CatalogProvider>().SaveAsync([new Domain.Catalog.Product("p1", "P1", "c", 10m)]);
        await app.GrantAnalyticsAsync("v");
        var service = app.Get<RecommendationService>();
        await service.RefreshCacheAsync((await app.Get<ProfileStore>().GetAsync("v"))!);
        var reads = app.Get<ReadRecordingDocumentStore>();
        var segmentDocument = $"{Collections.Workflows}/v/{CustomerSegments.DocumentId}";
        using var client = app.CreateClient();
        async Task<string> ContextAsync()
        {
            reads.Clear();
            var arm = BanditPolicy.ArmOf((await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/v", Json.Options))!.RecommendationId)!;
            Assert.Contains($"{Collections.Recommendations}/v/v", reads.Reads); // the request did read through the recorder
            return arm.Split('.')[1].Split('_')[0];
        }

        // Each run's segments reach the cached list; serving reads them there, not from the segment document.
        await SeedRunAsync(app, ("v", ["dormant"]));
        Assert.Equal("dormant", await ContextAsync());
        Assert.DoesNotContain(segmentDocument, reads.Reads);
        await SeedRunAsync(app, ("v", ["active", "vip"]));
        Assert.Equal("vip", await ContextAsync());
        Assert.DoesNotContain(segmentDocument, reads.Reads);

        // A list written before lists kept segments: the segment document is read, as before.
        var documents = app.Get<IDocumentStore>();
        var list = (await documents.GetAsync<CachedRecommendations>(Collections.Recommendations, "v", "v"))!;
        await documents.PutAsync(Collections.Recommendations, "v", "v", list with { Snapshot = list.Snapshot! with { Segments = null } });
        Assert.Equal("vip", await ContextAsync());
        Assert.Contains(segmentDocument, reads.Reads);
    }

    [Fact]
    public async Task KeepingSegments_NeverCreatesAList_AndWritesOnlyAChange()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("v");
        var documents = app.Get<IDocumentStore>();

        // The storage calls each keep makes, as the metering decorators count them where they are made.
        async Task<(bool Written, long Calls)> KeepAsync(string customer, string[] segments)
        {
            using var calls = StorageCallTally.Start();
            var written = await ProfileSnapshot.KeepSegmentsAsync(documents, customer, segments);
            return (written, calls.Calls);
        }

        // No list (never personalized for, or erased): one read, nothing is written, so nothing comes back.
        Assert.Equal((false, 1L), await KeepAsync("nobody", ["vip"]));
        Assert.Null(await documents.ReadAsync(Collections.Recommendations, "nobody", "nobody"));

        await app.Get<RecommendationService>().RefreshCacheAsync((await app.Get<ProfileStore>().GetAsync("v"))!);
        Assert.Equal((true, 2L), await KeepAsync("v", ["vip", "active"])); // a change: read and write
        var etag = (await documents.ReadAsync(Collections.Recommendations, "v", "v"))!.ETag;
        Assert.Equal((false, 1L), await KeepAsync("v", ["vip", "active"])); // the same: read only
        Assert.Equal(etag, (await documents.ReadAsync(Collections.Recommendations, "v", "v"))!.ETag);
        Assert.Equal(["vip", "active"], (await documents.GetAsync<CachedRecommendations>(Collections.Recommendations, "v", "v"))!.Snapshot!.Segments);
    }

    // ---- Send rules ----

    [Fact]
    public async Task SegmentCapDefaults_GiveVipsMore_DormantLess_AndAnObjectorTheDefault()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("v", "d", "o", "objector");
        await SeedRunAsync(app, ("v", ["vip"]), ("d", ["dormant"]), ("o", ["active"]), ("objector", ["dormant"]));
        await ObjectAsync(app, "objector");
        var ledger = app.Get<SendLedger>();
        var now = app.Clock.GetUtcNow();
        async Task<int> ReservedAsync(string customer, string channel)
        {
            var reserved = 0;
            for (var i = 0; i < 8; i++)
            {
                reserved += await ledger.TryReserveAsync(new OutboundMessage($"{customer}-{channel}-{i}", customer, channel, "test", "{}", now, now), now) is null ? 1 : 0;
            }

            return reserved;
        }

        Assert.Equal(3, await ReservedAsync("v", "email")); // vip: 3 per channel by default...
        Assert.Equal(2, await ReservedAsync("v", "push")); // ...and 5 in all
        Assert.Equal(1, await ReservedAsync("d", "email"));
        Assert.Equal(0, await ReservedAsync("d", "push"));
        Assert.Equal(2, await ReservedAsync("o", "email")); // no segment cap: the defaults (2 per channel, 3 in all)
        Assert.Equal(2, await ReservedAsync("objector", "email")); // scores of an objector are not used
    }

    // ---- Lifecycle payloads ----

    [Fact]
    public async Task LifecycleMessages_CarrySegmentsAndNextPurchase_OnlyForCustomersWhoMayBePersonalizedFor()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = new TestApp(receiver.Url);
        DeliveryTests.StartAtMorning(app);
        receiver.Clock = app.Clock.GetUtcNow;
        await app.GrantAnalyticsAsync("scored", "objector", "unscored");
        await SeedRunAsync(app, ("scored", ["vip", "active"]), ("objector", ["vip"]));
        var predicted = (await app.Get<SegmentationWorkflow>().GetCustomerAsync("scored"))!.PredictedNextPurchaseAt;
        foreach (var customer in new[] { "scored", "objector", "unscored" })
        {
            (await app.PostEventsAsync(app.Consent("k-" + customer, customer, granted: true), app.AddToCart("a-" + customer, customer, "p1", 30m))).EnsureSuccessStatusCode();
        }

        await ObjectAsync(app, "objector");
        app.Clock.Advance(TimeSpan.FromHours(4.2));
        await app.PumpAsync();

        var bodies = receiver.Deliveries.Select(d => JsonDocument.Parse(d.Body).RootElement).ToDictionary(b => b.GetProperty("customerId").GetString()!);
        var scores = bodies["scored"].GetProperty("customerScores");
        Assert.Equal(["vip", "active"], scores.GetProperty("segments").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(predicted, scores.GetProperty("predictedNextPurchaseAt").GetDateTimeOffset());
        foreach (var other in new[] { "objector", "unscored" })
        {
            if (bodies.TryGetValue(other, out var body))
            {
                Assert.False(body.TryGetProperty("customerScores", out _), other);
            }
        }

        Assert.True(bodies.ContainsKey("unscored"));
        var lifecycle = app.Get<Domain.Workflows.LifecycleScores>();
        Assert.Null(await lifecycle.ForAsync("objector"));
        Assert.NotNull(await lifecycle.ForAsync("scored"));
    }

    // ---- Ad audiences per segment ----

    private static string Sha(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    [Fact]
    public async Task SegmentAudience_HoldsTheMembersWithAdConsent_NeverAnObjectorOrAnErasedCustomer()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/privacy/ad-audiences/vip")).StatusCode); // no run yet
        var now = app.Clock.GetUtcNow();
        var customers = new[] { "yes", "no-ad", "objector", "erased", "other" };
        await app.GrantAnalyticsAsync(customers);
        (await app.PostEventsAsync([.. customers.Select(c => (object)new { id = "acc-" + c, type = "account", customerId = c, email = $"{c}@example.com", occurredAt = now }),
            .. customers.Where(c => c != "no-ad").Select(c => app.Consent("ad-" + c, c, true, "ad_audiences"))])).EnsureSuccessStatusCode();
        await SeedRunAsync(app, ("yes", ["vip"]), ("no-ad", ["vip"]), ("objector", ["vip"]), ("erased", ["vip"]), ("other", ["active"]));
        await ObjectAsync(app, "objector");
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = "erased" })).StatusCode);
        await app.PumpAsync();

        var audience = (await client.GetFromJsonAsync<AdAudienceExport>("/api/privacy/ad-audiences/vip", Json.Options))!;

        Assert.Equal("vip", audience.Segment);
        Assert.Equal(RunId, audience.SegmentationRunId);
        Assert.Equal(1, audience.Customers);
        Assert.Equal([Sha("yes@example.com")], audience.EmailSha256);
        var active = (await client.GetFromJsonAsync<AdAudienceExport>("/api/privacy/ad-audiences/active", Json.Options))!;
        Assert.Equal([Sha("other@example.com")], active.EmailSha256);
        // The whole-store export is unchanged by segments: every customer with ad consent who may be profiled.
        Assert.Equal(2, (await client.GetFromJsonAsync<AdAudienceExport>("/api/privacy/ad-audiences", Json.Options))!.Customers);
        var audit = await client.GetFromJsonAsync<JsonElement>("/api/privacy/audit");
        Assert.Contains("segment vip: 1 customers", audit.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/privacy/ad-audiences/gold")]
    [InlineData("/api/privacy/ad-audiences/category-enthusiast:")]
    public async Task SegmentAudience_OfANameThatIsNoSegment_IsProblemDetails(string url)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    // ---- Members API ----

    [Fact]
    public async Task Members_LeaveOutAnObjectionOrAWithdrawnConsent_AtOnce_WithoutANewRun()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("m1", "m2", "m3", "m4");
        await SeedRunAsync(app, ("m1", ["vip"]), ("m2", ["vip"]), ("m3", ["vip"]), ("m4", ["vip"]));
        using var client = app.CreateClient();
        Assert.Equal(["m1", "m2", "m3", "m4"], (await MembersAsync(client, "vip")).Order());

        await ObjectAsync(app, "m2");
        (await app.PostEventsAsync(app.Consent("withdraw-m3", "m3", false, "analytics"))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = "m4" })).StatusCode);
        await app.PumpAsync();

        Assert.Equal(["m1"], await MembersAsync(client, "vip"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/admin/customers/m4/segments")).StatusCode);
    }
}
