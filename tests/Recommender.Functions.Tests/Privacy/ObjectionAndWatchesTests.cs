using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain.Catalog;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

/// <summary>
/// Objecting to profiling deletes the customer's product watches at once (as withdrawing analytics
/// consent does), no new watch is recorded while it stands, and catalog alerts reach only the others.
/// </summary>
public sealed class ObjectionAndWatchesTests : ReceiverAppTest
{
    protected override async Task SetUpAsync()
    {
        await App.Get<CatalogProvider>().SaveAsync([new Product("boot", "Boot", "shoes", 100m), new Product("novel", "Novel", "books", 20m)]);
        await App.GrantAnalyticsAsync("objector", "stayer");
        await PostAsync(App.Consent("e1", "objector", true), App.Consent("e2", "stayer", true));
    }

    private ProductWatchers Watchers => App.Get<ProductWatchers>();

    private object WishlistAdd(string id, string customer, string product) =>
        new { id, type = "wishlist_add", customerId = customer, productId = product, occurredAt = App.Clock.GetUtcNow() };

    private async Task<bool> WatchesAsync(string customer, string product) =>
        (await Watchers.ReadShardAsync(product, ProductWatchers.ShardOf(customer))).ContainsKey(customer);

    [Fact]
    public async Task AnObjection_DeletesTheWatches_StopsNewOnes_AndOnlyTheOthersAreAlerted()
    {
        using var client = App.CreateClient();
        await PostAsync(App.View("v1", "objector", "boot"), WishlistAdd("w1", "objector", "novel"), App.View("v2", "stayer", "boot"));
        Assert.Equal(2, (await Watchers.ListAsync("objector")).Count);

        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/privacy/objection/objector", new { objects = true })).StatusCode);

        Assert.Null(await Watchers.GetListAsync("objector"));
        Assert.False(await WatchesAsync("objector", "boot"));
        Assert.False(await WatchesAsync("objector", "novel"));
        Assert.True(await WatchesAsync("stayer", "boot"));

        // While the objection stands, views and wishlistings watch nothing.
        await PostAsync(App.View("v3", "objector", "boot"), WishlistAdd("w2", "objector", "novel"));
        Assert.Null(await Watchers.GetListAsync("objector"));
        Assert.False(await WatchesAsync("objector", "boot"));

        await PostAsync(new { id = "ch1", type = "catalog_change", source = "pim", productId = "boot", change = "price", price = 50m, occurredAt = App.Clock.GetUtcNow() });
        await App.PumpAsync();
        var alert = Assert.Single(Receiver.Deliveries);
        Assert.Equal("stayer", JsonDocument.Parse(alert.Body).RootElement.GetProperty("customerId").GetString());

        // Withdrawn: new behaviour is watched again (the deleted watches do not come back).
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/privacy/objection/objector", new { objects = false })).StatusCode);
        await PostAsync(App.View("v4", "objector", "novel"));
        Assert.Equal(["novel"], (await Watchers.ListAsync("objector")).Select(w => w.ProductId));
    }
}
