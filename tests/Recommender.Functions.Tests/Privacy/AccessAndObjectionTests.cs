using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain.Recommendations;

namespace Recommender.Functions.Tests;

public class AccessAndObjectionTests
{
    [Fact]
    public async Task Export_HoldsEverythingAboutTheCustomer_AsOneJsonDocument()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        var now = app.Clock.GetUtcNow();
        await app.PostEventsAsync(new { id = "k-anon", type = "consent", anonymousId = "cookie-5", channel = "analytics", granted = true, policyVersion = "v1", source = "cookie_banner", occurredAt = now.AddMinutes(-30) },
            new { id = "a1", type = "view", anonymousId = "cookie-5", productId = "p1", occurredAt = now.AddMinutes(-20) });
        await app.PostEventsAsync(new { id = "login", type = "identify", customerId = "c5", anonymousId = "cookie-5", occurredAt = now.AddMinutes(-10) },
            app.AddToCart("cart-1", "c5", "p2"), app.View("v2", "c5", "p3"), app.View("other", "someone-else", "p1"));
        await client.PutAsJsonAsync("/api/admin/experiments/exp-1", new
        {
            placement = "home",
            variants = new[] { new { name = "a", weight = 1 }, new { name = "b", weight = 1 } },
            startsAt = now.AddDays(-1),
            endsAt = now.AddDays(1),
        });
        var variant = Domain.Experiments.ExperimentAssigner.VariantOf((await app.Get<Domain.Experiments.ExperimentStore>().GetAsync("exp-1"))!, "c5");
        await app.PostEventsAsync(new { id = "imp", type = "recommendation_impression", customerId = "c5", recommendationId = "rec-x", placement = "home", variant, productIds = new[] { "p1" }, occurredAt = now });

        var export = await client.GetFromJsonAsync<JsonElement>("/api/privacy/export/c5");

        var ids = export.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(new[] { "k-anon", "a1", "login", "cart-1", "v2", "imp" }.Order(), ids.Order()); // the linked visitor's events too, nobody else's
        Assert.Equal(["c5", "anon:cookie-5"], export.GetProperty("subjects").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("c5", export.GetProperty("profile").GetProperty("customerId").GetString());
        Assert.True(export.GetProperty("profile").GetProperty("consentHistory").GetArrayLength() >= 1);
        Assert.Contains(export.GetProperty("workflows").EnumerateArray(), w => w.GetProperty("id").GetString() == "cart-abandonment");
        Assert.Equal(variant, export.GetProperty("experiments")[0].GetProperty("variant").GetString());
        Assert.Equal(JsonValueKind.Object, export.GetProperty("cachedRecommendations").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/privacy/export/nobody")).StatusCode);
    }

    [Fact]
    public async Task Objection_StopsPersonalizationAtOnce_AndItsWithdrawalRestoresIt()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        await app.GrantAnalyticsAsync("c1");
        await app.PostEventsAsync(app.View("v1", "c1", "p1"), app.View("v2", "c2", "p1"), app.View("v3", "c2", "p2"));

        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/privacy/objection/c1", new { objects = true })).StatusCode);
        var objected = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/c1", Domain.Json.Options);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/privacy/objection/c1", new { objects = false })).StatusCode);
        var restored = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/c1", Domain.Json.Options);

        Assert.False(objected!.Personalized);
        Assert.Equal("popular", objected.Source);
        Assert.True(restored!.Personalized);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync("/api/privacy/objection/nobody", new { objects = true })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsJsonAsync("/api/privacy/objection/c1", new { })).StatusCode);
    }

    [Fact]
    public async Task EveryPrivacyAction_IsInTheAppendOnlyAuditLog_UnderTheSubjectsHash()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        await app.GrantAnalyticsAsync("c1");
        await client.PostAsJsonAsync("/api/privacy/consents/c1", new { channel = "email", granted = true, policyVersion = "v1", source = "preference_centre" });
        await client.GetAsync("/api/privacy/export/c1");
        await client.PutAsJsonAsync("/api/privacy/objection/c1", new { objects = true });
        await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = "c1" });
        await app.PumpAsync();

        var entries = await client.GetFromJsonAsync<JsonElement>("/api/privacy/audit?customerId=c1");

        var actions = entries.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        // The fake clock stands still here, so entries share one timestamp: compare them as a set.
        Assert.Equal(new[] { "consent.email.granted", "access.export", "objection.recorded", "erasure.started", "erasure.completed" }.Order(), actions.Order());
        Assert.All(entries.EnumerateArray(), e => Assert.Equal(Domain.Privacy.ErasureService.HashOf("c1"), e.GetProperty("subjectHash").GetString()));
        Assert.DoesNotContain("\"c1\"", entries.GetRawText(), StringComparison.Ordinal);
        var blobs = app.Get<Domain.Ports.IBlobStore>();
        await foreach (var blob in blobs.ListAsync(Domain.Privacy.AuditLog.Prefix))
        {
            await Assert.ThrowsAsync<Domain.Ports.DocumentConflictException>(() => blobs.PutAsync(blob.Name, "{}"u8.ToArray(), overwrite: false));
        }
    }
}
