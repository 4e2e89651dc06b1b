using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;
using Recommender.Domain.Retention;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Functions.Tests;

/// <summary>Ingestion at production depth: privacy at the door, bots, logins, catalog, replays, trending, retention.</summary>
public class IngestionDepthTests
{
    private static async Task<List<ClickstreamEventLite>> ArchivedAsync(TestApp app)
    {
        var events = new List<ClickstreamEventLite>();
        await foreach (var e in app.Get<EventArchive>().ReadAllAsync())
        {
            events.Add(new ClickstreamEventLite(e.Id, e.SubjectId));
        }

        return events;
    }

    private sealed record ClickstreamEventLite(string Id, string? SubjectId);

    [Fact]
    public async Task WithoutAnalyticsConsent_NoProfileIsStored_ButAnonymousAggregatesCount()
    {
        await using var app = new TestApp();

        await app.PostEventsAsync(app.View("v1", "shy", "p1", TimeSpan.FromMinutes(2)), app.View("v2", "shy", "p2"));

        Assert.Null(await app.Get<ProfileStore>().GetAsync("shy"));
        Assert.Null(await app.Get<IDocumentStore>().ReadAsync(Collections.Customers, ProfileStore.ShardOf("shy"), "shy"));
        Assert.Equal(1, (await app.Get<ProfileStore>().GetItemAsync("p2"))!.Views);
        Assert.Contains("p1", (await app.Get<ProfileStore>().GetItemAsync("p2"))!.CoViewed.Keys);
    }

    [Fact]
    public async Task ConsentOnly_StoresTheConsentRecordAndNoBehaviour()
    {
        await using var app = new TestApp();

        await app.PostEventsAsync(app.Consent("k1", "c1", true, "email"), app.View("v1", "c1", "p1"));

        var profile = (await app.Get<ProfileStore>().GetAsync("c1"))!;
        Assert.True(profile.HasConsent("email"));
        Assert.Empty(profile.RecentViews);
    }

    [Fact]
    public async Task Minors_GetNoProfileFeatures_AndTheirCachedListIsDropped()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("teen");
        await app.PostEventsAsync(app.View("v1", "teen", "p1"));
        Assert.NotNull(await app.Get<IDocumentStore>().ReadAsync(Collections.Recommendations, "teen", "teen"));

        var birthYear = app.Clock.GetUtcNow().Year - 14;
        await app.PostEventsAsync(new { id = "acc-1", type = "account", customerId = "teen", birthYear, occurredAt = app.Clock.GetUtcNow() }, app.View("v2", "teen", "p2"));

        var profile = (await app.Get<ProfileStore>().GetAsync("teen"))!;
        Assert.Empty(profile.RecentViews);
        Assert.Empty(profile.CategoryAffinities);
        Assert.Null(await app.Get<IDocumentStore>().ReadAsync(Collections.Recommendations, "teen", "teen"));
        using var client = app.CreateClient();
        var recs = await client.GetFromJsonAsync<JsonElement>("/api/recommendations/teen");
        Assert.Equal("popular", recs.GetProperty("source").GetString());
    }

    [Fact]
    public async Task AtTheDoor_IpIsTruncated_LocationAndFreeTextAreDropped_AndDroppedFieldsAreCounted()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("c1"); // behaviour is archived only for customers who may be profiled (issue 14)
        using var client = app.CreateClient();
        var at = app.Clock.GetUtcNow().ToString("O");
        var body = $$"""
            [{"id":"r1","type":"review_write","customerId":"c1","productId":"p1","rating":5,"text":"my name is Ann and I live at 1 Main St","occurredAt":"{{at}}",
              "context":{"ip":"203.0.113.77","latitude":51.5,"longitude":-0.12,"country":"gb"},"email":"ann@example.com"}]
            """;

        var response = await client.PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));

        var result = (await TestApp.ReadJsonAsync(response)).GetProperty("results")[0];
        Assert.True(result.GetProperty("accepted").GetBoolean());
        Assert.Equal(4, result.GetProperty("droppedFieldCount").GetInt32()); // text, latitude, longitude, email
        var blobs = app.Get<IBlobStore>();
        var archive = new StringBuilder();
        await foreach (var item in blobs.ListAsync(BlobPrefixes.Events))
        {
            using var gzip = new System.IO.Compression.GZipStream(new MemoryStream((await blobs.GetAsync(item.Name))!.Value.Content), System.IO.Compression.CompressionMode.Decompress);
            archive.Append(await new StreamReader(gzip).ReadToEndAsync());
        }

        {
            var stored = archive.ToString();
            Assert.Contains("203.0.113.0", stored, StringComparison.Ordinal);
            Assert.DoesNotContain("203.0.113.77", stored, StringComparison.Ordinal);
            Assert.DoesNotContain("Main St", stored, StringComparison.Ordinal);
            Assert.DoesNotContain("51.5", stored, StringComparison.Ordinal);
            Assert.DoesNotContain("ann@example.com", stored, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bots_AreRefusedAndNeverReachCountersOrTheTrainingArchive()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("c2"); // behaviour is archived only for customers who may be profiled (issue 14)
        var now = app.Clock.GetUtcNow();
        var crawler = new { id = "b1", type = "view", customerId = "c1", productId = "p1", occurredAt = now, context = new { userAgent = "Mozilla/5.0 (compatible; Googlebot/2.1)" } };
        var burst = Enumerable.Range(0, 130).Select(i => (object)new { id = $"s{i}", type = "view", anonymousId = "scraper", sessionId = "s-1", productId = $"p{i % 9}", occurredAt = now.AddMilliseconds(-i * 100) });
        var person = app.View("h1", "c2", "p1");

        var response = await app.PostEventsAsync([crawler, .. burst, person]);

        var body = await TestApp.ReadJsonAsync(response);
        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        Assert.Contains("known bot", body.GetProperty("results")[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("events a minute", body.GetProperty("results")[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(["h1"], (await ArchivedAsync(app)).Select(e => e.Id).Where(id => id != "analytics-c2"));
        Assert.Equal(1, (await app.Get<ProfileStore>().GetItemAsync("p1"))!.Views);
        Assert.Equal(131, (await app.Get<DeadLetters>().ReadAllAsync()).Count(l => l.Reason.StartsWith("automated traffic", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Login_MergesTheAnonymousVisitorIntoTheCustomer_WithoutCountingTwice()
    {
        await using var app = new TestApp();
        var now = app.Clock.GetUtcNow();
        object Anon(string id, string type, string product, int minutesAgo) => new { id, type, anonymousId = "cookie-1", productId = product, quantity = 1, occurredAt = now.AddMinutes(-minutesAgo) };
        await app.PostEventsAsync(new { id = "k-anon", type = "consent", anonymousId = "cookie-1", channel = "analytics", granted = true, policyVersion = "v1", source = "cookie_banner", occurredAt = now.AddMinutes(-30) },
            Anon("a1", "view", "p1", 20), Anon("a2", "add_to_cart", "p1", 19));
        Assert.NotNull(await app.Get<ProfileStore>().GetAsync("anon:cookie-1"));

        await app.PostEventsAsync(new { id = "login-1", type = "identify", customerId = "c1", anonymousId = "cookie-1", occurredAt = now.AddMinutes(-10) },
            Anon("a1", "view", "p1", 20)); // the same anonymous view, delivered again with the login
        await app.PostEventsAsync(Anon("a3", "view", "p2", 5)); // after login, still only the cookie

        var customer = (await app.Get<ProfileStore>().GetAsync("c1"))!;
        Assert.Equal(["p2", "p1"], customer.RecentViews.Select(v => v.ProductId));
        Assert.Contains("p1", customer.Cart.Keys);
        Assert.True(customer.HasConsent("analytics"));
        Assert.Equal(["cookie-1"], customer.AnonymousIds);
        Assert.Equal(5, customer.EventCount); // consent, a1, a2, login, a3: a1's redelivery is not counted
        var visitor = (await app.Get<ProfileStore>().GetAsync("anon:cookie-1"))!;
        Assert.Equal("c1", visitor.MergedInto);
        Assert.Empty(visitor.RecentViews);
    }

    [Fact]
    public async Task Erasure_AlsoRemovesTheAnonymousVisitorLinkedAtLogin()
    {
        await using var app = new TestApp();
        var now = app.Clock.GetUtcNow();
        await app.PostEventsAsync(new { id = "k-anon", type = "consent", anonymousId = "cookie-9", channel = "analytics", granted = true, policyVersion = "v1", source = "cookie_banner", occurredAt = now.AddMinutes(-30) },
            new { id = "a1", type = "view", anonymousId = "cookie-9", productId = "p1", occurredAt = now.AddMinutes(-20) });
        await app.PostEventsAsync(new { id = "login", type = "identify", customerId = "c9", anonymousId = "cookie-9", occurredAt = now.AddMinutes(-10) });

        var request = await app.Get<ErasureService>().StartAsync("c9");
        await app.PumpAsync();

        var status = (await app.Get<ErasureService>().GetAsync(request.RequestId))!;
        Assert.True(status.Status == "completed", JsonSerializer.Serialize(status, Json.Options));
        Assert.Null(await app.Get<ProfileStore>().GetAsync("c9"));
        Assert.Null(await app.Get<ProfileStore>().GetAsync("anon:cookie-9"));
        // Only the visitor's consent decision stays, as pseudonymized proof; the view and the login are gone.
        var left = Assert.Single(await ArchivedAsync(app));
        Assert.Equal("k-anon", left.Id);
        Assert.StartsWith("erased:", left.SubjectId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogChanges_UpdateTheCatalog()
    {
        await using var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync([new Product("p1", "Boot", "shoes", 80m)]);
        var now = app.Clock.GetUtcNow();

        await app.PostEventsAsync(
            new { id = "c1", type = "catalog_change", productId = "p1", change = "price", price = 60m, previousPrice = 80m, occurredAt = now },
            new { id = "c2", type = "catalog_change", productId = "p2", change = "new_product", name = "Sandal", category = "shoes", price = 30m, inStock = true, occurredAt = now },
            new { id = "c3", type = "catalog_change", productId = "p1", change = "stock", inStock = false, occurredAt = now.AddSeconds(1) });

        await Task.Delay(10);
        app.Clock.Advance(CatalogProvider.RefreshInterval);
        var catalog = await app.Get<CatalogProvider>().GetAsync();
        Assert.Equal(60m, catalog["p1"].Price);
        Assert.False(catalog["p1"].InStock);
        Assert.Equal("Sandal", catalog["p2"].Name);
    }

    [Fact]
    public async Task RedeliveredBatch_DoesNotCountAggregatesTwice_EvenWithoutAProfile()
    {
        await using var app = new TestApp();
        var batch = new[] { app.View("v1", "shy", "p1", TimeSpan.FromMinutes(2)), app.View("v2", "shy2", "p1") };

        await app.PostEventsAsync(batch);
        await app.PostEventsAsync(batch);

        Assert.Equal(2, (await app.Get<ProfileStore>().GetItemAsync("p1"))!.Views);
    }

    [Fact]
    public async Task Trending_CountsRecentInteractionsPerWindow()
    {
        await using var app = new TestApp();
        // Half past the next hour: trending keeps hourly buckets, and a view a minute before a clock that
        // starts in an hour's first minute would fall in the previous bucket, only partly inside the last hour.
        var now = app.Clock.GetUtcNow();
        app.Clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(now.Ticks % TimeSpan.TicksPerHour) + TimeSpan.FromMinutes(30));
        await app.PostEventsAsync(app.View("old", "a", "yesterday", TimeSpan.FromHours(20)), app.View("new1", "b", "now"), app.View("new2", "c", "now"),
            app.AddToCart("cart", "d", "yesterday"));

        var trending = app.Get<TrendingStore>();
        var lastHour = await trending.TopAsync(TimeSpan.FromHours(1), 10);
        var lastDay = await trending.TopAsync(TimeSpan.FromDays(1), 10);

        Assert.Equal(["yesterday", "now"], lastHour.Select(i => i.ProductId)); // the cart add (weight 3) is recent
        Assert.Equal(2.0, lastHour[1].Score);
        Assert.Equal(4.0, lastDay.Single(i => i.ProductId == "yesterday").Score);
    }

    [Fact]
    public async Task Retention_DeletesEachDataClassOnItsOwnSchedule()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("c1");
        await app.PostEventsAsync(app.View("v1", "c1", "p1"), new { id = "s1", type = "search", customerId = "c1", query = "boots", occurredAt = app.Clock.GetUtcNow() },
            app.Purchase("o1", "c1", "p1"));
        await app.PostEventsAsync("not an event"); // a dead letter

        app.Clock.Advance(TimeSpan.FromDays(95));
        var first = await app.Get<RetentionService>().EnforceAsync();
        app.Clock.Advance(TimeSpan.FromDays(800 - 95));
        var second = await app.Get<RetentionService>().EnforceAsync();

        Assert.Equal(1, first.DeletedBlobs["events/search/"]);
        Assert.Equal(1, first.DeletedBlobs["deadletter/"]);
        Assert.Equal(0, first.DeletedBlobs["events/behavioural/"]);
        Assert.Equal(1, second.DeletedBlobs["events/behavioural/"]);
        Assert.Equal(0, second.DeletedBlobs["events/orders/"]);
        var left = await ArchivedAsync(app);
        Assert.Equal(["analytics-c1", "o1"], left.Select(e => e.Id).Order());
    }

    [Fact]
    public async Task Retention_TrimsPairMapsThatIncrementsGrew()
    {
        await using var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync([new Product("hub", "Hub", "c", 1m)]);
        var delta = new ItemStats { ProductId = "hub", Views = 1 };
        for (var i = 0; i < ItemStats.MaxNeighbors + 50; i++)
        {
            delta.CoViewed[$"p{i:D3}"] = i;
        }

        await app.Get<ProfileStore>().IncrementItemAsync(delta);
        Assert.Equal(150, (await app.Get<ProfileStore>().GetItemAsync("hub"))!.CoViewed.Count);

        await app.Get<RetentionService>().EnforceAsync();

        var trimmed = (await app.Get<ProfileStore>().GetItemAsync("hub"))!.CoViewed;
        Assert.Equal(ItemStats.MaxNeighbors, trimmed.Count);
        Assert.DoesNotContain("p049", trimmed.Keys); // the weakest went
        Assert.Contains("p149", trimmed.Keys);
    }
}
