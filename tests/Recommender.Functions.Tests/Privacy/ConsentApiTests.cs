using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Functions.Tests;

public class ConsentApiTests
{
    [Fact]
    public async Task Consent_IsRecordedWithItsProof_AndAWithdrawalTakesEffectAtOnce()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        await app.GrantAnalyticsAsync("c1");
        await app.PostEventsAsync(app.View("v1", "c1", "p1"));
        Assert.NotNull(await app.Get<Domain.Ports.IDocumentStore>().ReadAsync(Collections.Recommendations, "c1", "c1"));

        var granted = await client.PostAsJsonAsync("/api/privacy/consents/c1", new { channel = "email", granted = true, policyVersion = "2026-02", source = "preference_centre" });
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var withdrawn = await client.PostAsJsonAsync("/api/privacy/consents/c1", new { channel = "personalization", granted = false, policyVersion = "2026-02", source = "preference_centre" });

        Assert.Equal(HttpStatusCode.Accepted, granted.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, withdrawn.StatusCode);
        var view = await client.GetFromJsonAsync<JsonElement>("/api/privacy/consents/c1");
        Assert.True(view.GetProperty("current").GetProperty("email").GetProperty("granted").GetBoolean());
        Assert.False(view.GetProperty("current").GetProperty("personalization").GetProperty("granted").GetBoolean());
        var history = view.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["analytics", "email", "personalization"], history.Select(h => h.GetProperty("channel").GetString()));
        Assert.All(history, h => Assert.False(string.IsNullOrEmpty(h.GetProperty("policyVersion").GetString())));
        Assert.Equal("preference_centre", history[1].GetProperty("source").GetString());

        // Personalization withdrawn: the cached list is gone and lists are non-personalized at once.
        Assert.Null(await app.Get<Domain.Ports.IDocumentStore>().ReadAsync(Collections.Recommendations, "c1", "c1"));
        var recs = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/c1", Domain.Json.Options);
        Assert.False(recs!.Personalized);
    }

    [Theory]
    [InlineData("{\"channel\":\"telepathy\",\"granted\":true,\"policyVersion\":\"v\",\"source\":\"s\"}")]
    [InlineData("{\"channel\":\"email\",\"policyVersion\":\"v\",\"source\":\"s\"}")]
    [InlineData("{}")]
    public async Task InvalidConsent_Is400(string body)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var response = await client.PostAsync("/api/privacy/consents/c1", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task UnknownCustomer_Is404()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/privacy/consents/nobody")).StatusCode);
    }
}
