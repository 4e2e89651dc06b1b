using System.Net;
using System.Net.Http.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;

namespace Recommender.Functions.Tests;

/// <summary>
/// A catalog upload that would remove most of the catalog needs an explicit confirmation, and serving
/// never returns a product the current catalog does not hold — whatever the caches hold.
/// </summary>
public sealed class CatalogReplacementTests
{
    private static List<Product> Catalog(params string[] ids) => [.. ids.Select(id => new Product(id, $"Product {id}", "cat", 10m))];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AReplacementRemovingMoreThanHalf_Is409ProblemDetails_UntilConfirmed(int kept)
    {
        await using var app = await RecommendationsTests.AppWithHistoryAsync();
        using var client = app.CreateClient();
        var replacement = Catalog([.. new[] { "A", "B", "C", "D", "OUT" }.Take(kept), "NEW"]);

        using var refused = await client.PutAsJsonAsync("/api/admin/catalog", replacement, Json.Options);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await TestApp.ReadJsonAsync(refused);
        Assert.Contains($"would remove {5 - kept} of 5 products", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("confirmRemoval=true", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        app.Clock.Advance(CatalogProvider.RefreshInterval);
        Assert.Equal(5, (await app.Get<CatalogProvider>().GetAsync()).Count); // unchanged

        using var confirmed = await client.PutAsJsonAsync("/api/admin/catalog?confirmRemoval=true", replacement, Json.Options);

        Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        Assert.Equal(kept + 1, (await app.Get<CatalogProvider>().GetAsync()).Count);
    }

    [Fact]
    public async Task AReplacementRemovingHalfOrLess_OrTheFirstCatalog_NeedsNoConfirmation()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/admin/catalog", Catalog("A", "B", "C", "D"), Json.Options)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/admin/catalog", Catalog("A", "B", "X", "Y", "Z"), Json.Options)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsJsonAsync("/api/admin/catalog?confirmRemoval=perhaps", Catalog("A"), Json.Options)).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("&placement=email")]
    [InlineData("&placement=trending")]
    [InlineData("&placement=product&productId=A")]
    [InlineData("&placement=cart")]
    public async Task Serving_AfterAConfirmedShrink_ReturnsOnlyProductsOfTheCurrentCatalog(string query)
    {
        await using var app = await RecommendationsTests.AppWithHistoryAsync();
        using var client = app.CreateClient();
        var before = await client.GetFromJsonAsync<RecommendationResponse>($"/api/recommendations/me?count=5{query}", Json.Options);
        Assert.NotEmpty(before!.Items);

        foreach (var catalog in new[] { Catalog("C"), Catalog() })
        {
            using var put = await client.PutAsJsonAsync("/api/admin/catalog?confirmRemoval=true", catalog, Json.Options);
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);

            var after = await client.GetFromJsonAsync<RecommendationResponse>($"/api/recommendations/me?count=5{query}", Json.Options);

            var current = catalog.Select(p => p.Id).ToHashSet();
            Assert.All(after!.Items, i => Assert.Contains(i.ProductId, current));
            Assert.All(after.Items, i => Assert.NotNull(i.Name));
        }
    }
}
