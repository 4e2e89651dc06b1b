using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Recommender.Cli;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;

namespace Recommender.Functions.Tests;

/// <summary>The right to rectification: customer-given fields only, validated, audited, exported, with their effects.</summary>
public sealed class RectificationTests
{
    private static string Sha(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static async Task<TestApp> CreateSutAsync(string customerId = "c1")
    {
        var app = new TestApp();
        await app.PostEventsAsync(
            new { id = "acct", type = "account", customerId, email = "old@example.com", phone = "+33612345678", birthYear = 1980, timeZone = "Europe/Paris", occurredAt = app.Clock.GetUtcNow() },
            app.Consent("k-analytics", customerId, true, "analytics"),
            app.Consent("k-ads", customerId, true, AdAudiences.ConsentChannel));
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        return app;
    }

    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, string customerId, string json) =>
        client.PatchAsync($"/api/privacy/rectification/{customerId}", new StringContent(json, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task CorrectedContacts_ReplaceTheHashes_InTheProfile_TheAdAudience_AndTheExport()
    {
        await using var app = await CreateSutAsync();
        using var client = app.CreateClient();

        var response = await PatchAsync(client, "c1", """{"email": " New@Example.com ", "phone": "+44 7700 900123", "timeZone": "Europe/London"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await TestApp.ReadJsonAsync(response);
        Assert.Equal(["email", "phone", "timeZone"], view.GetProperty("rectified").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(Sha("new@example.com"), view.GetProperty("emailSha256").GetString());
        var audience = await client.GetFromJsonAsync<AdAudienceExport>("/api/privacy/ad-audiences", Domain.Json.Options);
        Assert.Equal([Sha("new@example.com")], audience!.EmailSha256);
        Assert.Equal([Sha("+447700900123")], audience.PhoneSha256);

        var export = await client.GetFromJsonAsync<JsonElement>("/api/privacy/export/c1");
        var profile = export.GetProperty("profile");
        Assert.Equal(Sha("new@example.com"), profile.GetProperty("emailSha256").GetString());
        Assert.Equal("Europe/London", profile.GetProperty("timeZone").GetString());
        var record = export.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("id").GetString() == view.GetProperty("recordId").GetString());
        Assert.Equal("account", record.GetProperty("type").GetString()); // archived as a record, proof of the correction
    }

    [Fact]
    public async Task ABirthYearMakingTheCustomerAMinor_StopsProfiling_AndDropsToNonPersonalizedLists()
    {
        await using var app = await CreateSutAsync();
        using var client = app.CreateClient();
        await app.PostEventsAsync(app.View("v1", "c1", "p1"), app.View("v2", "other", "p1"), app.View("v3", "other", "p2"), app.AddToCart("a1", "c1", "p3"));
        Assert.True((await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/c1", Domain.Json.Options))!.Personalized);

        var response = await PatchAsync(client, "c1", $$"""{"birthYear": {{app.Clock.GetUtcNow().Year - 12}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await TestApp.ReadJsonAsync(response)).GetProperty("personalized").GetBoolean());
        var profile = (await app.Get<ProfileStore>().GetAsync("c1"))!;
        Assert.Empty(profile.RecentViews);
        Assert.Empty(profile.Cart);
        Assert.Null(await app.Get<Domain.Ports.IDocumentStore>().ReadAsync(Domain.Ports.Storage.Collections.Recommendations, "c1", "c1"));
        var served = await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/c1", Domain.Json.Options);
        Assert.False(served!.Personalized);
        Assert.Equal(0, (await client.GetFromJsonAsync<AdAudienceExport>("/api/privacy/ad-audiences", Domain.Json.Options))!.Customers); // never a minor
    }

    [Fact]
    public async Task AFieldSetToNull_IsRemoved_AndOneLeftOut_IsUnchanged()
    {
        await using var app = await CreateSutAsync();
        using var client = app.CreateClient();

        var response = await PatchAsync(client, "c1", """{"phone": null}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = (await app.Get<ProfileStore>().GetAsync("c1"))!;
        Assert.Null(profile.PhoneSha256);
        Assert.Equal(Sha("old@example.com"), profile.EmailSha256);
        Assert.Equal(1980, profile.BirthYear);
    }

    [Fact]
    public async Task StatedPreferences_GiveACustomerWithNoHistoryListsOfThoseCategoriesAndBrands_AtOnce_AndNullTakesThemBack()
    {
        await using var app = await CreateSutAsync();
        using var client = app.CreateClient();
        Product[] catalog =
        [
            new("boot-1", "Boot", "boots", 80m, Brand: "Acme"), new("boot-2", "Boot 2", "boots", 70m, Brand: "Other"),
            new("hat", "Hat", "hats", 20m, Brand: "Acme"), new("scarf", "Scarf", "scarves", 20m, Brand: "Other"),
            new("glove", "Glove", "gloves", 15m, Brand: "Other"), new("brace", "Knee Brace", "health", 30m, Brand: "Acme"),
        ];
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/admin/catalog", catalog, Domain.Json.Options)).StatusCode);
        app.Clock.Advance(Domain.Catalog.CatalogProvider.RefreshInterval);

        // Stated, a sensitive category (health: Recommender:Privacy:SensitiveCategories) is kept as said but never served from.
        var response = await PatchAsync(client, "c1", """{"preferredCategories": ["boots", "health"], "preferredBrands": ["Acme"]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await TestApp.ReadJsonAsync(response);
        Assert.Equal(["preferredCategories", "preferredBrands"], view.GetProperty("rectified").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(["boots", "health"], view.GetProperty("preferredCategories").EnumerateArray().Select(f => f.GetString()));
        // The refresh ran with the record's ingestion: the list is cached already, taste-only, never the sensitive product.
        Assert.NotNull(await app.Get<Domain.Ports.IDocumentStore>().ReadAsync(Domain.Ports.Storage.Collections.Recommendations, "c1", "c1"));
        var served = (await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/c1?placement=home&count=3", Domain.Json.Options))!;
        Assert.True(served.Personalized);
        Assert.Equal("boot-1", served.Items[0].ProductId); // both the category and the brand
        Assert.Equal(["boot-1", "boot-2", "hat"], served.Items.Select(i => i.ProductId).Order(StringComparer.Ordinal)); // one of the two each; never brace
        Assert.All(served.Items, i => Assert.Equal("interests", i.ReasonCode));
        var export = await client.GetFromJsonAsync<JsonElement>("/api/privacy/export/c1");
        Assert.Equal(["Acme"], export.GetProperty("profile").GetProperty("statedBrands").EnumerateArray().Select(b => b.GetString()));

        var cleared = await PatchAsync(client, "c1", """{"preferredCategories": null, "preferredBrands": null}""");

        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Equal(["preferredCategories", "preferredBrands"], (await TestApp.ReadJsonAsync(cleared)).GetProperty("rectified").EnumerateArray().Select(f => f.GetString()));
        var profile = (await app.Get<ProfileStore>().GetAsync("c1"))!;
        Assert.Empty(profile.StatedCategories);
        Assert.Empty(profile.StatedBrands);
        var after = (await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/c1?placement=home&count=3", Domain.Json.Options))!;
        Assert.DoesNotContain(after.Items, i => i.ReasonCode == "interests");
    }

    [Fact]
    public async Task StatedPreferences_OfACustomerWhoWithdrewPersonalization_AreKeptButNeverUsed()
    {
        await using var app = await CreateSutAsync();
        using var client = app.CreateClient();
        Product[] catalog = [new("boot-1", "Boot", "boots", 80m, Brand: "Acme"), new("hat", "Hat", "hats", 20m, Brand: "Other")];
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/admin/catalog", catalog, Domain.Json.Options)).StatusCode);
        app.Clock.Advance(Domain.Catalog.CatalogProvider.RefreshInterval);
        await app.PostEventsAsync(app.Consent("k-perso", "c1", false, "personalization"));

        var response = await PatchAsync(client, "c1", """{"preferredCategories": ["boots"]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await TestApp.ReadJsonAsync(response)).GetProperty("personalized").GetBoolean());
        Assert.Equal(["boots"], (await app.Get<ProfileStore>().GetAsync("c1"))!.StatedCategories);
        Assert.Null(await app.Get<Domain.Ports.IDocumentStore>().ReadAsync(Domain.Ports.Storage.Collections.Recommendations, "c1", "c1"));
        var served = (await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/c1?placement=home&count=2", Domain.Json.Options))!;
        Assert.False(served.Personalized);
        Assert.DoesNotContain(served.Items, i => i.ReasonCode == "interests");
    }

    [Theory]
    [InlineData("""{"categoryAffinities": {"shoes": 1}}""", "categoryAffinities", "computed from behaviour")]
    [InlineData("""{"orderCount": 0}""", "orderCount", "cannot be rectified")]
    [InlineData("""{"emailSha256": "00"}""", "emailSha256", "send 'email' instead")]
    [InlineData("""{"consents": {}}""", "consents", "/api/privacy/consents/")]
    [InlineData("""{"nickname": "x"}""", "nickname", "unknown field")]
    [InlineData("""{"phone": "0612345678"}""", "phone", "E.164")]
    [InlineData("""{"email": "not-an-email"}""", "email", "not an email address")]
    [InlineData("""{"birthYear": 1850}""", "birthYear", "birthYear")]
    [InlineData("""{"timeZone": "Mars/Olympus"}""", "timeZone", "IANA")]
    [InlineData("""{"preferredCategories": "boots"}""", "preferredCategories", "must be an array of at most 20 names")]
    [InlineData("""{"preferredBrands": ["Acme", "Acme"]}""", "preferredBrands", "must not repeat 'Acme'")]
    [InlineData("""{}""", "body", "at least one of")]
    [InlineData("""[1]""", "body", "JSON object")]
    [InlineData("""not json""", "body", "not valid JSON")]
    public async Task WhatCannotBeRectified_Is400NamingTheField_AndNothingChanges(string body, string field, string because)
    {
        await using var app = await CreateSutAsync();
        using var client = app.CreateClient();

        var response = await PatchAsync(client, "c1", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await TestApp.ReadJsonAsync(response)).GetProperty("errors");
        Assert.Contains(because, errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        var profile = (await app.Get<ProfileStore>().GetAsync("c1"))!;
        Assert.Equal(Sha("+33612345678"), profile.PhoneSha256);
        Assert.Equal(1980, profile.BirthYear);
        Assert.Empty(await app.Get<DeadLetters>().ReadAllAsync()); // a refused value is kept nowhere
    }

    [Fact]
    public async Task AnUnknownCustomer_Is404()
    {
        await using var app = await CreateSutAsync();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await PatchAsync(client, "nobody", """{"timeZone": "Europe/Paris"}""")).StatusCode);
        Assert.Null(await app.Get<ProfileStore>().GetAsync("nobody"));
    }

    [Fact]
    public async Task EveryRectification_IsAudited_WithWhoWhatWhenAndOutcome_ButNoValue()
    {
        const string key = "test-development-signing-key-0123456789abcdef";
        await using var app = new TestApp(settings: new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Embedded",
            ["Recommender:Auth:DevelopmentSigningKey"] = key,
        });
        await app.PostEventsAsync(new { id = "acct", type = "account", customerId = "c1", email = "old@example.com", occurredAt = app.Clock.GetUtcNow() });
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            TokenCommand.Mint(key, ["Privacy.Manage"], "privacy-officer-7", "recommender", DateTimeOffset.UtcNow, TimeSpan.FromHours(1)));

        Assert.Equal(HttpStatusCode.OK, (await PatchAsync(client, "c1", """{"email": "new@example.com"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PatchAsync(client, "c1", """{"phone": "12"}""")).StatusCode);

        var entries = await client.GetFromJsonAsync<JsonElement>("/api/privacy/audit?customerId=c1");
        var rectifications = entries.EnumerateArray().Where(e => e.GetProperty("action").GetString() == "rectification").ToList();
        Assert.Equal(["applied: email", "refused: phone"], rectifications.Select(e => e.GetProperty("outcome").GetString()).Order());
        Assert.All(rectifications, e =>
        {
            Assert.Equal("operator:privacy-officer-7", e.GetProperty("actor").GetString());
            Assert.Equal(ErasureService.HashOf("c1"), e.GetProperty("subjectHash").GetString());
            Assert.DoesNotContain("example.com", e.GetRawText(), StringComparison.Ordinal);
            Assert.DoesNotContain(Sha("new@example.com"), e.GetRawText(), StringComparison.Ordinal);
        });

        using var noRole = app.CreateClient();
        noRole.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            TokenCommand.Mint(key, ["Recommender.Admin"], "data-team", "recommender", DateTimeOffset.UtcNow, TimeSpan.FromHours(1)));
        Assert.Equal(HttpStatusCode.Forbidden, (await PatchAsync(noRole, "c1", """{"timeZone": "Europe/Paris"}""")).StatusCode);
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesRectification()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/api/openapi.json");

        var patch = document.GetProperty("paths").GetProperty("/api/privacy/rectification/{customerId}").GetProperty("patch");
        Assert.Contains(patch.GetProperty("security").EnumerateArray(), r => r.TryGetProperty("functionKey", out _));
        Assert.True(patch.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
    }
}
