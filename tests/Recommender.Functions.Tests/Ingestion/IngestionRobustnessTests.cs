using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;
using Recommender.Domain.Ports.Storage;
using Recommender.Functions.Seeding;

namespace Recommender.Functions.Tests;

/// <summary>Issue 13, ingestion: per-event judgement, text policy, event identity, aggregates once, minimal dead letters, the bot rule's limits.</summary>
public sealed class IngestionRobustnessTests
{
    private static string Json(object value) => JsonSerializer.Serialize(value, Domain.Json.Options);

    private static ByteArrayContent JsonBytes(byte[] body, string contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    // Defect 8: one bad event never sinks the batch.

    [Fact]
    public async Task Events_OneEventNestedTooDeep_IsRefusedAlone_AndTheRestApplied()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        var at = app.Clock.GetUtcNow().AddMinutes(-1).ToString("O");
        var batch = $$"""[{{Json(app.View("good-1", "c1", "p1"))}}, {"id":"deep-1","type":"view","customerId":"c1","productId":"p2","occurredAt":"{{at}}","extra":{{Nested(15)}}}]""";

        var response = await client.PostAsync("/api/events", new StringContent(batch, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var results = (await TestApp.ReadJsonAsync(response)).GetProperty("results").EnumerateArray().ToList();
        Assert.True(results[0].GetProperty("accepted").GetBoolean());
        Assert.False(results[1].GetProperty("accepted").GetBoolean());
        Assert.Contains("depth", results[1].GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, (await app.Get<ProfileStore>().GetItemAsync("p1"))!.Views);
    }

    [Theory]
    [InlineData("[{\"id\":", "line 1, byte")]
    [InlineData("[{\"id\":\"a\"}\n, {\"id\" \"b\"}]", "line 2, byte")]
    [InlineData("[{\"id\":\"a\"}] trailing", "line 1, byte")]
    public async Task Events_BodyThatIsNotJson_Is400SayingWhere(string body, string where)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var response = await client.PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(where, (await TestApp.ReadJsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    // Defect 9: one text policy.

    [Fact]
    public async Task Events_InvalidUtf8InOneEvent_IsRefusedAloneWithTheReason_NotReplaced()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        var at = app.Clock.GetUtcNow().AddMinutes(-1).ToString("O");
        var body = new List<byte>();
        body.AddRange(Encoding.UTF8.GetBytes($$"""[{{Json(app.View("good-1", "c1", "p1"))}}, {"id":"bad-utf8","type":"view","customerId":"c1","productId":"p"""));
        body.Add(0xFF);
        body.AddRange(Encoding.UTF8.GetBytes($$"""2","occurredAt":"{{at}}"}]"""));

        var response = await client.PostAsync("/api/events", JsonBytes([.. body]));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var results = (await TestApp.ReadJsonAsync(response)).GetProperty("results").EnumerateArray().ToList();
        Assert.True(results[0].GetProperty("accepted").GetBoolean());
        Assert.False(results[1].GetProperty("accepted").GetBoolean());
        Assert.Contains("not valid UTF-8", results[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Null(await app.Get<ProfileStore>().GetItemAsync("p\uFFFD2"));
    }

    [Fact]
    public async Task Events_Utf8ByteOrderMark_IsAccepted()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes($"[{Json(app.View("bom-1", "c1", "p1"))}]")];

        var response = await client.PostAsync("/api/events", JsonBytes(body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (await TestApp.ReadJsonAsync(response)).GetProperty("accepted").GetInt32());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData(null)]
    public async Task Events_NotDeclaredAsUtf8Json_Is415ProblemDetails(string? contentType)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes($"[{Json(app.View("ct-1", "c1", "p1"))}]"));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await client.PostAsync("/api/events", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("application/json", (await TestApp.ReadJsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await app.Get<ProfileStore>().GetItemAsync("p1"));
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/cloudevents-batch+json")]
    public async Task Events_JsonMediaTypes_AreAccepted(string contentType)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var response = await client.PostAsync("/api/events", JsonBytes(Encoding.UTF8.GetBytes($"[{Json(app.View("ct-1", "c1", "p1"))}]"), contentType));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain", 415)]
    [InlineData("application/json; charset=utf-8", 202)]
    public async Task CollectEventsInvocation_AppliesTheSameContentTypePolicy(string contentType, int expected)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        var payload = JsonSerializer.Serialize(new
        {
            Data = new { req = new { Url = "https://app.example.net/api/events", Method = "POST", Headers = new Dictionary<string, string[]> { ["Content-Type"] = [contentType] }, Body = $"[{Json(app.View("ct-1", "c1", "p1"))}]" } },
            Metadata = new { },
        });

        var response = await client.PostAsync("/CollectEvents", new StringContent(payload, Encoding.UTF8, "application/json"));

        var res = (await TestApp.ReadJsonAsync(response)).GetProperty("Outputs").GetProperty("res");
        Assert.Equal(expected, res.GetProperty("statusCode").GetInt32());
    }

    // Defect 2: event identity is scoped to its subject; "accepted" says when it was a duplicate.

    [Fact]
    public async Task Events_SameIdForTwoCustomers_AreTwoEvents_AndEachExportKeepsItsOwn()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("c1", "c2");
        using var client = app.CreateClient();

        var response = await app.PostEventsAsync(app.View("shared-1", "c1", "p1"), app.View("shared-1", "c2", "p2"));

        var body = await TestApp.ReadJsonAsync(response);
        Assert.Equal(0, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(2, (await app.Get<ProfileStore>().GetAsync("c2"))!.EventCount);
        foreach (var (customer, product) in new[] { ("c1", "p1"), ("c2", "p2") })
        {
            var export = await client.GetFromJsonAsync<JsonElement>($"/api/privacy/export/{customer}");
            var shared = export.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("id").GetString() == "shared-1");
            Assert.Equal(product, shared.GetProperty("productId").GetString());
        }
    }

    [Fact]
    public async Task Events_SentAgain_AreAnsweredDuplicate_WithOrWithoutAProfile()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("profiled");
        await app.PostEventsAsync(app.View("v1", "profiled", "p1"), app.View("v1", "shy", "p1"));

        var response = await app.PostEventsAsync(app.View("v1", "profiled", "p1"), app.View("v1", "shy", "p1"), app.View("v2", "shy", "p1"));

        var body = await TestApp.ReadJsonAsync(response);
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        Assert.Equal(2, body.GetProperty("duplicates").GetInt32());
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.True(results[0].GetProperty("duplicate").GetBoolean());
        Assert.True(results[1].GetProperty("duplicate").GetBoolean());
        Assert.False(results[2].TryGetProperty("duplicate", out _));
    }

    [Fact]
    public async Task SampleClickstream_WithARunId_SharesNoEventIdWithTheSeededStore()
    {
        var catalog = SampleData.Catalog();
        var now = DateTimeOffset.UtcNow;
        static IEnumerable<string> Ids(IEnumerable<string> events) => events.Select(e => JsonDocument.Parse(e).RootElement.GetProperty("id").GetString()!);
        var seeded = Ids(SampleData.Clickstream(catalog, now, customers: 50, days: 7)).ToHashSet();
        var replayed = SampleData.Clickstream(catalog, now, customers: 50, days: 7, runId: SampleData.NewRunId());

        Assert.DoesNotContain(Ids(replayed), seeded.Contains);

        // And against a store seeded with the same customers, nothing the replay sends is a duplicate.
        await using var app = new TestApp();
        var ingestion = app.Get<IngestionService>();
        foreach (var chunk in SampleData.Clickstream(catalog, app.Clock.GetUtcNow(), customers: 5, days: 3).Chunk(200))
        {
            await ingestion.IngestAsync(chunk, "seed");
        }

        var result = await ingestion.IngestAsync(SampleData.Clickstream(catalog, app.Clock.GetUtcNow(), customers: 5, days: 3, runId: SampleData.NewRunId()), "http");
        Assert.Equal(0, result.Duplicates);
        Assert.DoesNotContain(result.Outcomes, o => o.Duplicate == true);
    }

    // Defect 4: aggregates count an event once, whatever batch carries it.

    [Fact]
    public async Task Aggregates_OneViewInThreeBatches_CountOnce_EvenWithoutAProfileAndAcrossInstances()
    {
        await using var app = new TestApp();
        var view = app.View("v1", "shy", "p1", TimeSpan.FromMinutes(3));
        var other = app.View("v2", "shy", "p2", TimeSpan.FromMinutes(2));
        var purchase = new { id = "o1", type = "purchase", customerId = "shy", orderId = "order-1", occurredAt = app.Clock.GetUtcNow().AddMinutes(-1), lines = new[] { new { productId = "p1", quantity = 1, price = 10m }, new { productId = "p3", quantity = 1, price = 10m } } };

        await app.PostEventsAsync(view, other, purchase);
        await app.PostEventsAsync(other, view);
        // A second instance sharing the store (its own process memory) sees the same claims.
        var secondInstance = ActivatorUtilities.CreateInstance<IngestionService>(app.Services, new VelocityTracker());
        await secondInstance.IngestAsync([Json(purchase), Json(view)], "eventhub:partition-1");

        var profiles = app.Get<ProfileStore>();
        var p1 = (await profiles.GetItemAsync("p1"))!;
        Assert.Equal(1, p1.Views);
        Assert.Equal(1, p1.Purchases);
        Assert.Equal(1.0, ItemStats.PairDecay.Value(p1.BoughtTogether["p3"], app.Clock.GetUtcNow()), 3);
        var p2 = (await profiles.GetItemAsync("p2"))!;
        Assert.Equal(1, p2.Views);
        Assert.Equal(1.0, ItemStats.PairDecay.Value(p2.CoViewed["p1"], app.Clock.GetUtcNow()), 3);
        var popularity = (await profiles.GetPopularityAsync())!;
        Assert.Equal(1.0 + 5.0, popularity.Scores["p1"], 6); // one view, one purchase
        var trending = await app.Get<TrendingStore>().TopAsync(TimeSpan.FromDays(1), 10);
        Assert.Equal(6.0, trending.Single(t => t.ProductId == "p1").Score, 3);
    }

    [Fact]
    public async Task AggregateClaims_HoldNoIdentifierInClear()
    {
        await using var app = new TestApp();

        await app.PostEventsAsync(app.View("claim-me", "customer-secret", "p1"));

        var claims = new List<StoredDocument>();
        for (var shard = 0; shard < AggregateEventClaims.Shards; shard++)
        {
            await foreach (var doc in app.Get<IDocumentStore>().ReadPartitionAsync(Collections.Workflows, $"{AggregateEventClaims.PartitionPrefix}{shard:D2}"))
            {
                claims.Add(doc);
            }
        }

        var claim = Assert.Single(claims);
        Assert.DoesNotContain("customer-secret", claim.Id + claim.PartitionKey + claim.Body.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("claim-me", claim.Id + claim.PartitionKey + claim.Body.GetRawText(), StringComparison.Ordinal);
    }

    // Defect 3: dead letters keep no raw personal data.

    [Fact]
    public async Task DeadLetters_OfRefusedEventsCarryingContacts_HoldOnlyTheReasonAndMinimizedForms()
    {
        await using var app = new TestApp();
        var at = app.Clock.GetUtcNow().AddMinutes(-1);

        await app.PostEventsAsync(
            new { id = "acct-bad", type = "account", customerId = "c1", email = "jane.doe@example.com", phone = "+33612345678", birthYear = 1800, occurredAt = at, context = new { ip = "203.0.113.77" } },
            new { id = "acct-bad-2", type = "account", customerId = "c1", email = "jane.doe@example.com", phone = new[] { "+33612345678" }, occurredAt = at },
            new { id = "bot-1", type = "view", customerId = "c1", productId = "p1", occurredAt = at, context = new { ip = "198.51.100.23", userAgent = "Googlebot/2.1 (+http://www.google.com/bot.html)" } },
            "jane.doe@example.com +33612345678 203.0.113.77");

        var letters = await app.Get<DeadLetters>().ReadAllAsync();
        Assert.Equal(4, letters.Count);
        var raw = new StringBuilder();
        await foreach (var item in app.Get<IBlobStore>().ListAsync(BlobPrefixes.DeadLetter))
        {
            raw.Append(Encoding.UTF8.GetString((await app.Get<IBlobStore>().GetAsync(item.Name))!.Value.Content));
        }

        foreach (var personal in new[] { "jane.doe", "example.com", "33612345678", "203.0.113.77", "198.51.100.23" })
        {
            Assert.DoesNotContain(personal, raw.ToString(), StringComparison.Ordinal);
        }

        var birthYear = letters.Single(l => l.EventId == "acct-bad");
        Assert.Equal(("birthYear", "account"), (birthYear.Field, birthYear.Type));
        Assert.Contains("c1", birthYear.Payload, StringComparison.Ordinal); // access and erasure still find it
        var bot = letters.Single(l => l.EventId == "bot-1");
        Assert.Equal(("context.userAgent", "view"), (bot.Field, bot.Type));
        Assert.Contains("198.51.100.0", bot.Payload, StringComparison.Ordinal); // the validator's truncated form
    }

    // Defect 1: the bot rule never costs a customer their rights or their orders.

    [Fact]
    public async Task BotVelocity_InACustomersName_NeverBlocksTheirOrdersConsentsOrPrivacyActions()
    {
        await using var app = new TestApp();
        await app.PostEventsAsync(
            new { id = "acct", type = "account", customerId = "customer-0043", birthYear = 1980, occurredAt = app.Clock.GetUtcNow() },
            app.Consent("k-analytics", "customer-0043", true, "analytics"));
        var flood = Enumerable.Range(0, 130).Select(i => app.View($"flood-{i}", "customer-0043", "p1", TimeSpan.FromSeconds(50 - (i * 0.3)))).ToArray();
        var flooded = await TestApp.ReadJsonAsync(await app.PostEventsAsync(flood));
        Assert.True(flooded.GetProperty("rejected").GetInt32() > 0); // the rule itself still holds
        using var client = app.CreateClient();

        var withdrawal = await client.PostAsJsonAsync("/api/privacy/consents/customer-0043", new { channel = "email", granted = false, policyVersion = "2026-02", source = "preference_centre" });
        var rectification = await client.PatchAsync("/api/privacy/rectification/customer-0043", new StringContent("""{"birthYear": 1985}""", Encoding.UTF8, "application/json"));
        var records = await TestApp.ReadJsonAsync(await app.PostEventsAsync(
            app.Purchase("order-43", "customer-0043", "p1"),
            app.Consent("k-sms", "customer-0043", true, "sms"),
            new { id = "acct-2", type = "account", customerId = "customer-0043", timeZone = "Europe/Paris", occurredAt = app.Clock.GetUtcNow(), context = new { userAgent = "python-requests/2.31" } }));

        Assert.Equal(HttpStatusCode.Accepted, withdrawal.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rectification.StatusCode);
        Assert.Equal(["birthYear"], (await TestApp.ReadJsonAsync(rectification)).GetProperty("rectified").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(3, records.GetProperty("accepted").GetInt32());
        var profile = (await app.Get<ProfileStore>().GetAsync("customer-0043"))!;
        Assert.Equal(1985, profile.BirthYear);
        Assert.False(profile.HasConsent("email"));
        Assert.True(profile.HasConsent("sms"));
        Assert.Equal("Europe/Paris", profile.TimeZone);
        Assert.Equal(1, (await app.Get<ProfileStore>().GetItemAsync("p1"))!.Purchases);
    }

    [Fact]
    public async Task Rectification_ToTheValueAlreadyHeld_ReportsAndAuditsNothingChanged()
    {
        await using var app = new TestApp();
        await app.PostEventsAsync(new { id = "acct", type = "account", customerId = "c1", birthYear = 1980, occurredAt = app.Clock.GetUtcNow() });
        using var client = app.CreateClient();

        var response = await client.PatchAsync("/api/privacy/rectification/c1", new StringContent("""{"birthYear": 1980, "timeZone": "Europe/Paris"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["timeZone"], (await TestApp.ReadJsonAsync(response)).GetProperty("rectified").EnumerateArray().Select(f => f.GetString()));
        var audit = new List<AuditEntry>();
        await foreach (var entry in app.Get<AuditLog>().ReadAsync(app.Clock.GetUtcNow().AddHours(-1), app.Clock.GetUtcNow().AddHours(1), "c1"))
        {
            audit.Add(entry);
        }

        Assert.Contains(audit, e => e.Action == "rectification" && e.Outcome == "applied: timeZone");
    }
}
