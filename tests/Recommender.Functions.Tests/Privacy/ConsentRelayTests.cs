using System.Net;
using System.Text;
using System.Text.Json;
using Recommender.Adapters.Embedded;
using Recommender.Domain;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;
using Recommender.Functions.Security;

namespace Recommender.Functions.Tests;

/// <summary>
/// Issue 14 item 5: consent can only be given by whom it belongs to (docs/privacy-at-source.md, §5 and
/// "Trust model"), and email/push tracking counts only with that channel's tracking consent. Over HTTP,
/// with two storefront clients: <c>shop-a</c> may relay consent (and signs session assertions),
/// <c>shop-b</c> may not.
/// </summary>
public sealed class ConsentRelayTests
{
    private const string RelayKey = "shop-a-secret-key-0123456789";
    private const string OtherKey = "shop-b-secret-key-9876543210";
    private const string AssertionKey = "shop-a-session-assertion-key-0123456789";

    private static TestApp CreateSut() => new(settings: new Dictionary<string, string>
    {
        ["Recommender:Mode"] = "Embedded",
        ["Recommender:Storefront:Clients:shop-a:KeySha256"] = StorefrontKeys.Hash(RelayKey),
        ["Recommender:Storefront:Clients:shop-a:RelaysConsent"] = "true",
        ["Recommender:Storefront:Clients:shop-a:SessionAssertionKey"] = AssertionKey,
        ["Recommender:Storefront:Clients:shop-b:KeySha256"] = StorefrontKeys.Hash(OtherKey),
    });

    private static string SessionOf(TestApp app, string customer, string key = AssertionKey, TimeSpan? validFor = null) =>
        ConsentRelay.Assert(key, customer, app.Clock.GetUtcNow() + (validFor ?? TimeSpan.FromMinutes(10)));

    private static async Task<JsonElement> PostAsync(TestApp app, string apiKey, string? assertion, params object[] events)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = new StringContent(JsonSerializer.Serialize(events, Json.Options), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(StorefrontRoutes.ApiKeyHeader, apiKey);
        if (assertion is not null)
        {
            request.Headers.Add(ConsentRelay.SessionAssertionHeader, assertion);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await TestApp.ReadJsonAsync(response);
    }

    private static object Consent(TestApp app, string id, string customer, string channel = "analytics", string source = "cookie_banner", DateTimeOffset? at = null) =>
        new { id, type = "consent", customerId = customer, channel, granted = true, policyVersion = "2026-01", source, occurredAt = at ?? app.Clock.GetUtcNow() };

    private static List<string?> Errors(JsonElement answer) =>
        [.. answer.GetProperty("results").EnumerateArray().Select(r => r.TryGetProperty("error", out var e) ? e.GetString() : null)];

    private static async Task<List<AuditEntry>> RefusalsAsync(TestApp app)
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in app.Get<AuditLog>().ReadAsync(app.Clock.GetUtcNow().AddHours(-1), app.Clock.GetUtcNow().AddHours(1)))
        {
            if (entry.Action == ConsentRelay.RefusedAction)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>Every place of every store (archive decompressed) that holds one of <paramref name="raw"/>.</summary>
    internal static async Task<List<string>> LeaksAsync(TestApp app, params string[] raw)
    {
        var leaks = new List<string>();
        await foreach (var record in new EmbeddedStoreScanner(app.Get<EmbeddedOptions>()).ReadAllAsync())
        {
            leaks.AddRange(raw.Where(r => record.Text.Contains(r, StringComparison.Ordinal) || record.Location.Contains(r, StringComparison.Ordinal))
                .Select(r => $"{record.Store} {record.Location}: {r}"));
        }

        return leaks;
    }

    [Fact]
    public async Task AConsentFromAClientNotAllowedToRelayIt_IsRefusedWithTheReason_Audited_AndChangesNothing()
    {
        await using var app = CreateSut();

        var answer = await PostAsync(app, OtherKey, SessionOf(app, "zz-victim-1"), Consent(app, "zz-c1", "zz-victim-1"),
            app.View("plain-view", "zz-victim-1", "p1"));

        Assert.Equal(new string?[] { ConsentRelay.Reasons.NotARelay, null }, Errors(answer));
        Assert.Equal(1, answer.GetProperty("accepted").GetInt32()); // the view still goes in (anonymous aggregates only)
        Assert.Null(await app.Get<ProfileStore>().GetAsync("zz-victim-1"));
        var audited = Assert.Single(await RefusalsAsync(app));
        Assert.Equal(("storefront:shop-b", ErasureService.HashOf("zz-victim-1"), ConsentRelay.Reasons.NotARelay, "zz-c1"),
            (audited.Actor, audited.SubjectHash, audited.Outcome, audited.Reference));
    }

    [Fact]
    public async Task AConsentOfTheSessionsCustomer_IsRecordedWithTheRelayingClient_AndOneForAnotherCustomer_IsRefusedAndAudited()
    {
        await using var app = CreateSut();

        var answer = await PostAsync(app, RelayKey, SessionOf(app, "alice"),
            Consent(app, "alice-grant", "alice"), Consent(app, "zz-forged", "zz-victim-2"));

        Assert.Equal(new string?[] { null, ConsentRelay.Reasons.OtherCustomer }, Errors(answer));
        var alice = (await app.Get<ProfileStore>().GetAsync("alice"))!;
        Assert.Equal(("storefront:shop-a", "cookie_banner"), (alice.Consents["analytics"].RelayedBy, alice.Consents["analytics"].Source));
        Assert.Equal("storefront:shop-a", Assert.Single(alice.ConsentHistory).RelayedBy);
        Assert.Null(await app.Get<ProfileStore>().GetAsync("zz-victim-2"));
        var audited = Assert.Single(await RefusalsAsync(app));
        Assert.Equal(("storefront:shop-a", ErasureService.HashOf("zz-victim-2"), ConsentRelay.Reasons.OtherCustomer),
            (audited.Actor, audited.SubjectHash, audited.Outcome));
        Assert.Empty(await LeaksAsync(app, "zz-victim-2")); // the event id stays, in the audit entry and the dead letter: the sender's handle
    }

    [Fact]
    public async Task HostileConsents_GetAClearReasonEach_AndLeaveNoTraceOfTheirSubject()
    {
        await using var app = CreateSut();
        var now = app.Clock.GetUtcNow();
        var tampered = SessionOf(app, "alice").Replace(".alice", ".zz-victim-3", StringComparison.Ordinal);

        var noSession = await PostAsync(app, RelayKey, null, Consent(app, "zz-h1", "zz-victim-3"));
        var forgedSignature = await PostAsync(app, RelayKey, tampered, Consent(app, "zz-h2", "zz-victim-3"));
        var otherKey = await PostAsync(app, RelayKey, SessionOf(app, "zz-victim-3", key: "an-attackers-own-key-0123456789abcdef"), Consent(app, "zz-h3", "zz-victim-3"));
        var expired = await PostAsync(app, RelayKey, SessionOf(app, "zz-victim-3", validFor: TimeSpan.FromSeconds(-1)), Consent(app, "zz-h4", "zz-victim-3"));
        var tooLong = await PostAsync(app, RelayKey, SessionOf(app, "zz-victim-3", validFor: TimeSpan.FromDays(30)), Consent(app, "zz-h5", "zz-victim-3"));
        var session = SessionOf(app, "zz-victim-3");
        var sources = await PostAsync(app, RelayKey, session,
            new { id = "zz-h6", type = "consent", customerId = "zz-victim-3", channel = "analytics", granted = true, policyVersion = "1", source = "cookie_banner", relayedBy = "operator:someone", occurredAt = now },
            Consent(app, "zz-h7", "zz-victim-3", source: "privacy-api"),
            Consent(app, "zz-h8", "zz-victim-3", at: now.AddMinutes(5)),
            Consent(app, "zz-h9", "zz-victim-3", at: now.AddMinutes(20)));

        Assert.Equal(new string?[] { ConsentRelay.Reasons.NoAssertion }, Errors(noSession));
        Assert.Equal(new string?[] { ConsentRelay.Reasons.InvalidAssertion }, Errors(forgedSignature));
        Assert.Equal(new string?[] { ConsentRelay.Reasons.InvalidAssertion }, Errors(otherKey));
        Assert.Equal(new string?[] { ConsentRelay.Reasons.InvalidAssertion }, Errors(expired));
        Assert.Equal(new string?[] { ConsentRelay.Reasons.InvalidAssertion }, Errors(tooLong));
        var errors = Errors(sources);
        Assert.Equal(new string?[] { ConsentRelay.Reasons.ClaimedRelay, ConsentRelay.Reasons.ReservedSource, ConsentRelay.Reasons.Future }, errors.Take(3));
        Assert.StartsWith("occurredAt", errors[3]); // beyond the validator's clock skew: refused before the relay is asked
        Assert.Null(await app.Get<ProfileStore>().GetAsync("zz-victim-3"));
        Assert.Equal(8, (await RefusalsAsync(app)).Count);
        Assert.All(await app.Get<DeadLetters>().ReadAllAsync(), letter => Assert.DoesNotContain("customerId", letter.Payload, StringComparison.Ordinal));
        Assert.Empty(await LeaksAsync(app, "zz-victim-3"));
    }

    [Fact]
    public async Task TheCollectEventsInvocation_AppliesTheSameRules_AndForwardsTheRelayItRecorded()
    {
        await using var app = CreateSut();
        using var client = app.CreateClient();
        var at = app.Clock.GetUtcNow().ToString("O");
        string Body(string id, string customer) =>
            $$"""{"id":"{{id}}","type":"consent","customerId":"{{customer}}","channel":"analytics","granted":true,"policyVersion":"1","source":"cookie_banner","occurredAt":"{{at}}"}""";

        async Task<JsonElement> InvokeAsync(string apiKey, string body)
        {
            var payload = JsonSerializer.Serialize(new
            {
                Data = new
                {
                    req = new
                    {
                        Url = "https://app.example.net/api/events",
                        Method = "POST",
                        Headers = new Dictionary<string, string[]>
                        {
                            ["Content-Type"] = ["application/json"],
                            ["X-Api-Key"] = [apiKey],
                            ["X-Session-Assertion"] = [SessionOf(app, "alice")],
                        },
                        Body = body,
                    },
                },
                Metadata = new { },
            });
            using var response = await client.PostAsync("/CollectEvents", new StringContent(payload, Encoding.UTF8, "application/json"));
            return (await TestApp.ReadJsonAsync(response)).GetProperty("Outputs");
        }

        var relayed = await InvokeAsync(RelayKey, $"[{Body("alice-1", "alice")},{Body("zz-i1", "zz-victim-4")}]");
        var notARelay = await InvokeAsync(OtherKey, $"[{Body("alice-2", "alice")}]");

        var forwarded = JsonDocument.Parse(Assert.Single(relayed.GetProperty("outEvents").EnumerateArray()).GetString()!).RootElement;
        Assert.Equal(("alice-1", "storefront:shop-a"), (forwarded.GetProperty("id").GetString(), forwarded.GetProperty("relayedBy").GetString()));
        Assert.Equal(new string?[] { null, ConsentRelay.Reasons.OtherCustomer }, Errors(JsonDocument.Parse(relayed.GetProperty("res").GetProperty("body").GetString()!).RootElement));
        Assert.Equal(0, notARelay.GetProperty("outEvents").GetArrayLength());
        Assert.Equal(new string?[] { ConsentRelay.Reasons.NotARelay }, Errors(JsonDocument.Parse(notARelay.GetProperty("res").GetProperty("body").GetString()!).RootElement));
        Assert.Equal(2, (await RefusalsAsync(app)).Count);
        Assert.Empty(await LeaksAsync(app, "zz-victim-4"));
    }

    [Fact]
    public async Task AConsentRecordedByAnOperator_RecordsTheOperatorAsItsRelay()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/api/privacy/consents/bob",
            new StringContent("""{"channel":"analytics","granted":true,"policyVersion":"1","source":"phone_call"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("privacy-api", (await app.Get<ProfileStore>().GetAsync("bob"))!.Consents["analytics"].RelayedBy);
    }

    [Fact]
    public async Task EmailAndPushOpensAndClicks_CountOnlyWithThatChannelsTrackingConsent_OtherwiseDroppedWithAReason()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("carol");
        var at = app.Clock.GetUtcNow();
        object Open(string id, string type) => new { id, type, customerId = "carol", messageId = "m-1", occurredAt = at };

        var before = await TestApp.ReadJsonAsync(await app.PostEventsAsync(Open("zz-mail-open", "email_open"), Open("zz-push-open", "push_open")));
        var result = await app.Get<IngestionService>().IngestAsync(
            [JsonSerializer.Serialize(Open("zz-mail-click", "email_click"), Json.Options), JsonSerializer.Serialize(Open("zz-push-click", "push_click"), Json.Options)], "test");
        await app.PostEventsAsync(app.Consent("mail-tracking", "carol", true, ConsentChannels.EmailTracking));
        var after = await TestApp.ReadJsonAsync(await app.PostEventsAsync(Open("mail-open-2", "email_open"), Open("push-open-2", "push_open")));

        Assert.Equal(new string?[] { ArchiveReasons.NoEmailTracking, ArchiveReasons.NoPushTracking }, Errors(before));
        Assert.Equal(1, result.NotArchived![ArchiveReasons.NoEmailTracking]);
        Assert.Equal(1, result.NotArchived![ArchiveReasons.NoPushTracking]);
        Assert.Equal(new string?[] { null, ArchiveReasons.NoPushTracking }, Errors(after));
        var carol = (await app.Get<ProfileStore>().GetAsync("carol"))!;
        Assert.Contains("mail-open-2", carol.ProcessedEventIds);
        Assert.DoesNotContain(carol.ProcessedEventIds, id => id.StartsWith("zz-", StringComparison.Ordinal) || id == "push-open-2");
        Assert.Empty(await LeaksAsync(app, "zz-mail-open", "zz-push-open", "zz-mail-click", "zz-push-click", "push-open-2"));
    }
}
