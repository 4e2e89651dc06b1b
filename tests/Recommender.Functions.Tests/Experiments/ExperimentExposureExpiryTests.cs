using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Domain.Experiments;
using Recommender.Domain.Retention;

namespace Recommender.Functions.Tests;

/// <summary>
/// Experiment exposures (the hashed subject keys and what each bought) expire 30 days after the
/// experiment ends (issue 14, item 6): the retention sweep deletes them, the report keeps its figures,
/// and a late batch cannot bring them back.
/// </summary>
public sealed class ExperimentExposureExpiryTests
{
    private const string ExperimentId = "expiry-1";

    private static async Task<(TestApp App, DateTimeOffset EndsAt)> CreateSutAsync(Dictionary<string, string>? settings = null)
    {
        var app = new TestApp(settings: settings);
        var now = app.Clock.GetUtcNow();
        var endsAt = now.AddDays(2);
        using var client = app.CreateClient();
        var put = await client.PutAsJsonAsync($"/api/admin/experiments/{ExperimentId}", new
        {
            placement = "home",
            variants = new[] { new { name = "control", weight = 50 }, new { name = "treatment", weight = 50 } },
            startsAt = now.AddHours(-1),
            endsAt,
        }, Domain.Json.Options);
        Assert.True(put.IsSuccessStatusCode);
        var events = new List<object>();
        for (var i = 0; i < 4; i++)
        {
            events.Add(Impression($"i{i}", $"customer-{i}", i % 2 == 0 ? "control" : "treatment", now.AddMinutes(-20)));
            events.Add(new Dictionary<string, object>
            {
                ["id"] = $"o{i}", ["type"] = "purchase", ["customerId"] = $"customer-{i}", ["occurredAt"] = now.AddMinutes(-10), ["orderId"] = $"order-{i}",
                ["lines"] = new[] { new { productId = "p1", quantity = 1, price = 10m * (i + 1) } }, ["total"] = 10m * (i + 1), ["currency"] = "EUR",
            });
        }

        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventsAsync([.. events])).StatusCode);
        return (app, endsAt);
    }

    private static Dictionary<string, object> Impression(string id, string customer, string variant, DateTimeOffset at) => new()
    {
        ["id"] = id, ["type"] = "recommendation_impression", ["customerId"] = customer, ["occurredAt"] = at,
        ["recommendationId"] = "r-" + id, ["placement"] = "home", ["variant"] = variant, ["productIds"] = new[] { "p1", "p2" },
    };

    private static async Task<int> ExposuresAsync(TestApp app)
    {
        var count = 0;
        await foreach (var _ in app.Get<ExperimentStore>().ExposuresAsync(ExperimentId))
        {
            count++;
        }

        return count;
    }

    private static async Task<string> VariantsAsync(TestApp app)
    {
        using var client = app.CreateClient();
        var report = await TestApp.ReadJsonAsync(await client.GetAsync($"/api/admin/experiments/{ExperimentId}/report"));
        return report.GetProperty("variants").GetRawText();
    }

    [Fact]
    public async Task Sweep_KeepsExposuresUntil30DaysAfterTheEnd_ThenDeletesThem_AndTheReportKeepsItsFigures()
    {
        var (app, endsAt) = await CreateSutAsync();
        using var _ = app;
        Assert.Equal(4, await ExposuresAsync(app));
        app.Clock.SetUtcNow(endsAt.AddDays(29));
        var before = await VariantsAsync(app);

        Assert.Equal(0, (await app.Get<RetentionService>().EnforceAsync()).ExpiredExposures);
        Assert.Equal(4, await ExposuresAsync(app));

        app.Clock.SetUtcNow(endsAt.AddDays(30));
        Assert.Equal(4, (await app.Get<RetentionService>().EnforceAsync()).ExpiredExposures);

        Assert.Equal(0, await ExposuresAsync(app));
        Assert.Equal(before, await VariantsAsync(app));
        Assert.Contains("\"revenuePerUser\"", before, StringComparison.Ordinal);
        Assert.Equal(0, (await app.Get<RetentionService>().EnforceAsync()).ExpiredExposures);
    }

    [Fact]
    public async Task LateBatch_AfterExpiry_DoesNotRecreateExposures()
    {
        var (app, endsAt) = await CreateSutAsync();
        using var _ = app;
        app.Clock.SetUtcNow(endsAt.AddDays(31));
        await app.Get<RetentionService>().EnforceAsync();

        // A replayed impression from inside the experiment's window, for a subject never seen before.
        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventsAsync(Impression("late-1", "customer-late", "control", endsAt.AddHours(-1)))).StatusCode);

        Assert.Equal(0, await ExposuresAsync(app));
    }

    [Fact]
    public async Task ConfiguredPeriod_IsHonoured()
    {
        var (app, endsAt) = await CreateSutAsync(new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", ["Recommender:Retention:ExperimentExposures"] = "7.00:00:00" });
        using var _ = app;
        app.Clock.SetUtcNow(endsAt.AddDays(7));

        Assert.Equal(4, (await app.Get<RetentionService>().EnforceAsync()).ExpiredExposures);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("366.00:00:00")]
    public void Start_WithAnOutOfRangePeriod_IsRefused(string period)
    {
        var error = TestApp.StartupError(new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", ["Recommender:Retention:ExperimentExposures"] = period });

        Assert.Contains("Recommender:Retention", error.ToString(), StringComparison.Ordinal);
    }
}
