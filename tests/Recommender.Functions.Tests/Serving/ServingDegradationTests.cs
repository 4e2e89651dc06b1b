using System.Net;
using System.Text.Json;
using Recommender.Domain.Catalog;
using Recommender.Functions.Tests.Faults;

namespace Recommender.Functions.Tests;

/// <summary>
/// The stores cannot be read (a Cosmos DB 429 storm past the SDK's retries, an outage): the storefront gets
/// the last model's popular list marked <c>degraded</c>, never a 500; before anything was served, a 503
/// problem with <c>Retry-After</c> (issue 13, faults production brings).
/// </summary>
public sealed class ServingDegradationTests
{
    private static readonly Product[] Catalog =
    [
        new("p1", "Boot", "shoes", 100m),
        new("p2", "Sandal", "shoes", 40m),
        new("p3", "Scarf", "accessories", 20m),
    ];

    [Fact]
    public async Task StoresUnreadable_ServeTheLastModelsPopularList_NotA500()
    {
        var faults = new FaultInjector();
        await using var app = new TestApp { Faults = faults };
        await app.Get<CatalogProvider>().SaveAsync(Catalog);
        using var client = app.CreateClient();
        var before = await client.GetAsync(new Uri("/api/recommendations/c1?count=3", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // The next write lands and the stores go down: every storage call after it fails.
        faults.Arm(1);
        await Assert.ThrowsAnyAsync<Exception>(() => app.Get<CatalogProvider>().SaveAsync(Catalog));
        Assert.True(faults.IsDown);

        var during = await client.GetAsync(new Uri("/api/recommendations/c1?count=3&excludeCategories=accessories", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        var body = JsonDocument.Parse(await during.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("degraded", body.GetProperty("source").GetString());
        Assert.False(body.GetProperty("personalized").GetBoolean());
        var ids = body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("productId").GetString()).ToList();
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.Contains(id, Catalog.Select(p => p.Id)));
        Assert.DoesNotContain("p3", ids); // the request's filters still hold
    }

    [Fact]
    public async Task StoresUnreadable_BeforeAnythingWasServed_Is503ProblemWithRetryAfter()
    {
        var faults = new FaultInjector();
        await using var app = new TestApp { Faults = faults };
        await app.Get<CatalogProvider>().SaveAsync(Catalog);
        faults.Arm(1);
        await Assert.ThrowsAnyAsync<Exception>(() => app.Get<CatalogProvider>().SaveAsync(Catalog));
        using var client = app.CreateClient();

        var answer = await client.GetAsync(new Uri("/api/recommendations/c1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(answer.Headers.RetryAfter);
    }
}
