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
public sealed class ObjectionAndWatchesTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _app = new TestApp(_receiver.Url);
        DeliveryTests.StartAtMorning(_app);
        _receiver.Clock = _app.Clock.GetUtcNow;
        await _app.Get<CatalogProvider>().SaveAsync([new Product("boot", "Boot", "shoes", 100m), new Product("novel", "Novel", "books", 20m)]);
        await _app.GrantAnalyticsAsync("objector", "stayer");
        await PostAsync(_app.Consent("e1", "objector", true), _app.Consent("e2", "stayer", true));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private ProductWatchers Watchers => _app.Get<ProductWatchers>();

    private async Task PostAsync(params object[] events) => (await _app.PostEventsAsync(events)).EnsureSuccessStatusCode();

    private object WishlistAdd(string id, string customer, string product) =>
        new { id, type = "wishlist_add", customerId = customer, productId = product, occurredAt = _app.Clock.GetUtcNow() };

    private async Task<bool> WatchesAsync(string customer, string product) =>
        (await Watchers.ReadShardAsync(product, ProductWatchers.ShardOf(customer))).ContainsKey(customer);

    [Fact]
    public async Task AnObjection_DeletesTheWatches_StopsNewOnes_AndOnlyTheOthersAreAlerted()
    {
        using var client = _app.CreateClient();
        await PostAsync(_app.View("v1", "objector", "boot"), WishlistAdd("w1", "objector", "novel"), _app.View("v2", "stayer", "boot"));
        Assert.Equal(2, (await Watchers.ListAsync("objector")).Count);

        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/privacy/objection/objector", new { objects = true })).StatusCode);

        Assert.Null(await Watchers.GetListAsync("objector"));
        Assert.False(await WatchesAsync("objector", "boot"));
        Assert.False(await WatchesAsync("objector", "novel"));
        Assert.True(await WatchesAsync("stayer", "boot"));

        // While the objection stands, views and wishlistings watch nothing.
        await PostAsync(_app.View("v3", "objector", "boot"), WishlistAdd("w2", "objector", "novel"));
        Assert.Null(await Watchers.GetListAsync("objector"));
        Assert.False(await WatchesAsync("objector", "boot"));

        await PostAsync(new { id = "ch1", type = "catalog_change", source = "pim", productId = "boot", change = "price", price = 50m, occurredAt = _app.Clock.GetUtcNow() });
        await _app.PumpAsync();
        var alert = Assert.Single(_receiver.Deliveries);
        Assert.Equal("stayer", JsonDocument.Parse(alert.Body).RootElement.GetProperty("customerId").GetString());

        // Withdrawn: new behaviour is watched again (the deleted watches do not come back).
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/privacy/objection/objector", new { objects = false })).StatusCode);
        await PostAsync(_app.View("v4", "objector", "novel"));
        Assert.Equal(["novel"], (await Watchers.ListAsync("objector")).Select(w => w.ProductId));
    }
}
