using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Training;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

public class ErasureTests
{
    [Fact]
    public async Task Erasure_RemovesTheCustomerFromEveryStore_AndReportsEachStore()
    {
        await using var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync([new Product("p1", "One", "c", 1m), new Product("p2", "Two", "c", 1m)]);
        await app.GrantAnalyticsAsync("leaver", "stayer");
        await app.PostEventsAsync(app.Consent("k1", "leaver", true), app.View("v1", "leaver", "p1"), app.AddToCart("a1", "leaver", "p2"),
            app.View("v2", "stayer", "p1"), app.View("v3", "stayer", "p2"));
        await app.Get<RetrainingService>().RetrainAsync();
        await app.PumpAsync();
        using var client = app.CreateClient();
        var documents = app.Get<IDocumentStore>();
        Assert.NotNull(await documents.ReadAsync(Collections.Recommendations, "leaver", "leaver"));
        Assert.NotNull(await app.Get<CartAbandonmentWorkflow>().GetAsync("leaver"));

        await app.Get<Domain.Messaging.SuppressionList>().SuppressAsync("leaver", "sms", "bounced", "provider");
        var start = await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = "leaver" });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var requestId = (await TestApp.ReadJsonAsync(start)).GetProperty("requestId").GetString()!;
        Assert.Equal($"/api/privacy/erasure/{requestId}", start.Headers.Location!.ToString());
        await app.PumpAsync();

        var status = await TestApp.ReadJsonAsync(await client.GetAsync($"/api/privacy/erasure/{requestId}"));
        Assert.Equal("completed", status.GetProperty("status").GetString());
        var tasks = status.GetProperty("tasks");
        foreach (var target in Enum.GetValues<ErasureTarget>())
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(target.ToString());
            Assert.Equal("done", tasks.GetProperty(name).GetProperty("state").GetString());
        }

        // The view and the cart add go; the two consent decisions stay as pseudonymized proof of consent.
        Assert.Equal(2, tasks.GetProperty("event_archive").GetProperty("removed").GetInt32());
        Assert.Equal(2, tasks.GetProperty("event_archive").GetProperty("retained").GetInt32());
        var receipt = status.GetProperty("receipt");
        Assert.Equal(2, receipt.GetProperty("deleted").GetProperty("event_archive").GetInt32());
        var retained = receipt.GetProperty("retained")[0];
        Assert.Equal(2, retained.GetProperty("count").GetInt32());
        Assert.Contains("pseudonymized", retained.GetProperty("how").GetString(), StringComparison.Ordinal);
        Assert.Contains("proof of consent", retained.GetProperty("why").GetString(), StringComparison.Ordinal);
        Assert.False(status.TryGetProperty("customerId", out _));
        Assert.Equal(ErasureService.HashOf("leaver"), status.GetProperty("subjectHash").GetString());

        Assert.Null(await app.Get<ProfileStore>().GetAsync("leaver"));
        Assert.Null(await documents.ReadAsync(Collections.Recommendations, "leaver", "leaver"));
        Assert.Null(await app.Get<CartAbandonmentWorkflow>().GetAsync("leaver"));
        await foreach (var leftover in documents.ReadPartitionAsync(Collections.Workflows, "leaver"))
        {
            Assert.Fail($"workflow document {leftover.Id} survived the erasure");
        }

        Assert.Null(await documents.ReadAsync(Collections.Customers, ProfileStore.ShardOf("leaver"), "leaver"));
        await foreach (var e in app.Get<EventArchive>().ReadAllAsync())
        {
            Assert.NotEqual("leaver", e.CustomerId);
        }

        // Everyone else is untouched.
        Assert.NotNull(await app.Get<ProfileStore>().GetAsync("stayer"));
        var archived = new List<string>();
        await foreach (var e in app.Get<EventArchive>().ReadAllAsync())
        {
            archived.Add(e.Id);
        }

        Assert.Equal(["analytics-leaver", "analytics-stayer", "k1", "v2", "v3"], archived.Order());
        await foreach (var e in app.Get<EventArchive>().ReadAllAsync())
        {
            if (e.Id is "analytics-leaver" or "k1")
            {
                Assert.Equal("erased:" + ErasureService.HashOf("leaver"), e.CustomerId);
                Assert.True(e.IsPseudonymized);
            }
        }
    }

    [Fact]
    public async Task RedeliveredErasureTasks_AreHarmless()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("leaver");
        await app.PostEventsAsync(app.View("v1", "leaver", "p1"));
        var request = await app.Get<ErasureService>().StartAsync("leaver");
        await app.PumpAsync();

        foreach (var target in Enum.GetValues<ErasureTarget>())
        {
            await app.Get<ErasureService>().RunTaskAsync(new ErasureTaskMessage(request.RequestId, target));
        }

        var status = (await app.Get<ErasureService>().GetAsync(request.RequestId))!;
        Assert.Equal("completed", status.Status);
        Assert.All(status.Tasks.Values, t => Assert.Equal(1, t.Attempts));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"customerId\":\"a/b\"}")]
    [InlineData("{\"customerId\":42}")]
    public async Task Erasure_WithoutAValidCustomerId_Is400(string body)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var response = await client.PostAsync("/api/privacy/erasure", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ErasureStatus_OfAnUnknownRequest_Is404()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/privacy/erasure/erasure-unknown")).StatusCode);
    }

    [Fact]
    public async Task EventsArrivingAfterErasure_NeverResurrectAProfile_UnlessNewConsentIsRecorded()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("leaver");
        await app.PostEventsAsync(app.View("v1", "leaver", "p1"));
        await app.Get<ErasureService>().StartAsync("leaver");
        await app.PumpAsync();

        await app.PostEventsAsync(app.View("late-1", "leaver", "p2"), app.AddToCart("late-2", "leaver", "p3"));
        Assert.Null(await app.Get<ProfileStore>().GetAsync("leaver"));

        await app.PostEventsAsync(app.Consent("new-consent", "leaver", true, "analytics"));
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await app.PostEventsAsync(app.View("late-3", "leaver", "p4"));
        var profile = (await app.Get<ProfileStore>().GetAsync("leaver"))!;
        Assert.Equal(["p4"], profile.RecentViews.Select(v => v.ProductId));
    }
}
