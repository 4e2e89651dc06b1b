using System.Net;
using System.Net.Http.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Tests;

/// <summary>
/// User-user collaborative filtering over HTTP (issue 15 item 5): the training gate evaluates
/// <c>userknn-cosine</c> as a candidate, and with home served by it the lists are what similar customers
/// hold, explained "Popular with customers like you" — also for a customer the model was not trained on.
/// </summary>
public class UserUserServingTests
{
    private static readonly Product[] Catalog =
    [
        new("JKT-1", "Parka", "jackets", 180m),
        new("JKT-2", "Rain jacket", "jackets", 120m),
        new("HAT-1", "Beanie", "hats", 20m),
        new("SOK-1", "Socks", "socks", 9m),
        new("BAG-1", "Backpack", "bags", 70m),
        new("BAG-2", "Tote", "bags", 30m),
    ];

    private static readonly Dictionary<string, string> HomeServedByUserKnn = new()
    {
        ["Recommender:Mode"] = "Embedded",
        ["Recommender:Training:Tune"] = "false",
        ["Recommender:Serving:PlacementAlgorithms:home"] = "userknn-cosine",
    };

    /// <summary>Twins t* view both jackets and the beanie; others o* the bags and socks; "me" viewed both jackets.</summary>
    private static async Task<TestApp> StoreAsync()
    {
        var app = new TestApp(settings: HomeServedByUserKnn);
        await app.Get<CatalogProvider>().SaveAsync(Catalog);
        var twins = Enumerable.Range(0, 8).Select(i => $"t{i}").ToArray();
        var others = Enumerable.Range(0, 4).Select(i => $"o{i}").ToArray();
        await app.GrantAnalyticsAsync([.. twins, .. others, "me"]);
        var events = new List<object>();
        foreach (var t in twins)
        {
            events.Add(app.View($"{t}-1", t, "JKT-1", TimeSpan.FromMinutes(30)));
            events.Add(app.View($"{t}-2", t, "JKT-2", TimeSpan.FromMinutes(29)));
            events.Add(app.View($"{t}-3", t, "HAT-1", TimeSpan.FromMinutes(28)));
        }

        foreach (var o in others)
        {
            events.Add(app.View($"{o}-1", o, "BAG-1", TimeSpan.FromMinutes(27)));
            events.Add(app.View($"{o}-2", o, "BAG-2", TimeSpan.FromMinutes(26)));
            events.Add(app.View($"{o}-3", o, "SOK-1", TimeSpan.FromMinutes(25)));
        }

        events.Add(app.View("me-1", "me", "JKT-1", TimeSpan.FromMinutes(3)));
        events.Add(app.View("me-2", "me", "JKT-2", TimeSpan.FromMinutes(2)));
        (await app.PostEventsAsync([.. events])).EnsureSuccessStatusCode();
        return app;
    }

    private static async Task<RecommendationResponse> HomeAsync(HttpClient client, string customer)
    {
        var response = await client.GetAsync($"/api/recommendations/{customer}?placement=home&count=3");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RecommendationResponse>(Json.Options))!;
    }

    [Fact]
    public async Task HomeList_ServedByAUserUserModel_IsExplainedByCustomersLikeYou_AndTheGateEvaluatedIt()
    {
        await using var app = await StoreAsync();
        using var client = app.CreateClient();

        var started = await client.PostAsync("/api/admin/retrain", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await app.PumpAsync();
        app.Clock.Advance(ModelStore.RefreshInterval);
        var run = await TestApp.ReadJsonAsync(await client.GetAsync(started.Headers.Location));
        var userKnn = run.GetProperty("placementModels").GetProperty("userknn-cosine").GetString()!;
        // The gate evaluated it among the candidates (by the served scorer), with its metrics.
        var candidate = Assert.Single(run.GetProperty("candidates").EnumerateArray(), c => c.GetProperty("algorithm").GetString() == "userknn-cosine");
        Assert.True(candidate.GetProperty("metrics").TryGetProperty("ndcg@10", out _));

        var home = await HomeAsync(client, "me");

        Assert.Equal(userKnn, home.ModelVersion);
        // The twins are me's nearest customers; the beanie is what they hold that I have not seen.
        var first = home.Items[0];
        Assert.Equal("HAT-1", first.ProductId);
        Assert.Equal(RecommendationEngine.CustomersLikeYou, first.ReasonCode);
        Assert.Equal("Popular with customers like you", first.Reason);
        Assert.DoesNotContain(home.Items.Skip(1), i => i.ReasonCode == RecommendationEngine.CustomersLikeYou); // the bags' owners are not like me
    }

    [Fact]
    public async Task ACustomerTheModelNeverSaw_IsFoldedInFromTheirHistory()
    {
        await using var app = await StoreAsync();
        await app.Get<RetrainingService>().RetrainAsync("test");
        await app.PumpAsync();
        app.Clock.Advance(ModelStore.RefreshInterval);
        using var client = app.CreateClient();
        await app.GrantAnalyticsAsync("newcomer");

        (await app.PostEventsAsync(app.View("n-1", "newcomer", "JKT-1"))).EnsureSuccessStatusCode();
        var home = await HomeAsync(client, "newcomer");

        // Not retrained: the newcomer's one view finds the twins, who lend the rain jacket and the beanie.
        Assert.Equal(["HAT-1", "JKT-2"], home.Items.Take(2).Select(i => i.ProductId).Order(StringComparer.Ordinal));
        Assert.All(home.Items.Take(2), i => Assert.Equal(RecommendationEngine.CustomersLikeYou, i.ReasonCode));
    }
}
