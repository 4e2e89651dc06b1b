using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Recommender.Domain.Experiments;

namespace Recommender.Functions.Tests;

public class ExperimentsTests
{
    private const string ExperimentId = "home-ranker-1";

    private static object Definition(TestApp app, string placement = "home", string? description = null) => new
    {
        placement,
        variants = new[] { new { name = "control", weight = 50 }, new { name = "treatment", weight = 50 } },
        startsAt = app.Clock.GetUtcNow().AddHours(-1),
        endsAt = app.Clock.GetUtcNow().AddDays(14),
        description,
    };

    private static async Task<HttpResponseMessage> PutAsync(TestApp app, string id, object definition)
    {
        using var client = app.CreateClient();
        return await client.PutAsJsonAsync($"/api/admin/experiments/{id}", definition, Domain.Json.Options);
    }

    private static async Task<JsonElement> ReportAsync(TestApp app)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync($"/api/admin/experiments/{ExperimentId}/report");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TestApp.ReadJsonAsync(response);
    }

    /// <summary>Whom the event is about: a customer, or an anonymous visitor (subject <c>anon:&lt;id&gt;</c>).</summary>
    private static Dictionary<string, object> Subject(string subject) => subject.StartsWith("anon:", StringComparison.Ordinal)
        ? new() { ["anonymousId"] = subject["anon:".Length..] }
        : new() { ["customerId"] = subject };

    private static Dictionary<string, object> Event(string id, string type, string subject, DateTimeOffset at, params (string Key, object Value)[] fields)
    {
        var e = Subject(subject);
        e["id"] = id;
        e["type"] = type;
        e["occurredAt"] = at;
        foreach (var (key, value) in fields)
        {
            e[key] = value;
        }

        return e;
    }

    private static Dictionary<string, object> Impression(string id, string subject, string variant, DateTimeOffset at, string placement = "home") =>
        Event(id, "recommendation_impression", subject, at, ("recommendationId", "r-" + id), ("placement", placement), ("variant", variant), ("productIds", new[] { "p1", "p2" }));

    private static Dictionary<string, object> Click(string id, string subject, string variant, DateTimeOffset at) =>
        Event(id, "recommendation_click", subject, at, ("recommendationId", "r-" + id), ("placement", "home"), ("position", 1), ("productId", "p2"), ("variant", variant));

    private static Dictionary<string, object> Purchase(string id, string subject, decimal total, DateTimeOffset at) =>
        Event(id, "purchase", subject, at, ("orderId", "o-" + id), ("lines", new[] { new { productId = "p1", quantity = 1, price = total } }), ("total", total), ("currency", "EUR"));

    /// <summary>Two customers (with analytics consent) and one anonymous visitor per variant, as the assigner places them.</summary>
    private static async Task<Dictionary<string, List<string>>> SubjectsByVariantAsync(TestApp app)
    {
        var assigner = app.Get<ExperimentAssigner>();
        var now = app.Clock.GetUtcNow();
        var subjects = new Dictionary<string, List<string>> { ["control"] = [], ["treatment"] = [] };
        for (var i = 0; subjects.Values.Any(s => s.Count < 3); i++)
        {
            foreach (var candidate in new[] { $"customer-{i}", $"anon:visitor-{i}" })
            {
                var assignment = await assigner.AssignAsync("home", candidate, now);
                Assert.Equal(ExperimentId, assignment!.ExperimentId);
                var list = subjects[assignment.Variant];
                var wantsCustomer = list.Count < 2;
                if (list.Count < 3 && wantsCustomer == !candidate.StartsWith("anon:", StringComparison.Ordinal))
                {
                    list.Add(candidate);
                }
            }
        }

        return subjects;
    }

    [Fact]
    public async Task Report_CountsWhatWasSentPerVariant_AndARedeliveredBatchOnce()
    {
        await using var app = new TestApp();
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(app, ExperimentId, Definition(app))).StatusCode);
        var subjects = await SubjectsByVariantAsync(app);
        await app.GrantAnalyticsAsync([.. subjects.Values.SelectMany(s => s).Where(s => !s.StartsWith("anon:", StringComparison.Ordinal))]);
        var now = app.Clock.GetUtcNow();
        var amounts = new Dictionary<string, decimal[]> { ["control"] = [100m, 50m, 30m], ["treatment"] = [40m, 20m, 60m] };
        var events = new List<object>();
        foreach (var (variant, list) in subjects)
        {
            var (first, second, third) = (list[0], list[1], list[2]);
            var v = variant[..1];
            events.Add(Impression($"{v}-i1", first, variant, now.AddMinutes(-20)));
            events.Add(Impression($"{v}-i2", first, variant, now.AddMinutes(-15)));
            events.Add(Impression($"{v}-i3", second, variant, now.AddMinutes(-20)));
            events.Add(Impression($"{v}-i4", third, variant, now.AddMinutes(-20)));
            events.Add(Click($"{v}-c1", first, variant, now.AddMinutes(-14)));
            events.Add(Purchase($"{v}-o1", first, amounts[variant][0], now.AddMinutes(-10)));
            events.Add(Purchase($"{v}-o2", first, amounts[variant][1], now.AddMinutes(-5))); // a second order: not a second conversion
            events.Add(Purchase($"{v}-o3", second, amounts[variant][2], now.AddMinutes(-10)));
            events.Add(Purchase($"{v}-o0", third, 999m, now.AddMinutes(-30))); // before exposure: not counted
            events.Add(Impression($"{v}-x1", third, "not-a-variant", now.AddMinutes(-19))); // no such variant
            events.Add(Impression($"{v}-x2", third, variant, now.AddMinutes(-19), placement: "cart")); // another placement
        }

        events.Add(Purchase("unexposed-o1", "customer-unexposed", 500m, now.AddMinutes(-5)));

        var response = await app.PostEventsAsync([.. events]);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(events.Count, (await TestApp.ReadJsonAsync(response)).GetProperty("accepted").GetInt32());
        var expected = new Dictionary<string, (long Clicks, long Conversions, long Orders, double Revenue)>
        {
            ["control"] = (1, 2, 3, 180),
            ["treatment"] = (1, 2, 3, 120),
        };
        AssertReport(await ReportAsync(app), expected);

        // The same batch again (Event Hubs redelivery): recognised as a replay, nothing counted twice.
        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventsAsync([.. events])).StatusCode);
        AssertReport(await ReportAsync(app), expected);

        // A known event in a new batch is not applied again; the new click is.
        var control = subjects["control"][0];
        Assert.Equal(HttpStatusCode.Accepted, (await app.PostEventsAsync(Impression("c-i1", control, "control", now.AddMinutes(-20)), Click("c-c2", control, "control", now.AddMinutes(-1)))).StatusCode);
        AssertReport(await ReportAsync(app), new(expected) { ["control"] = (2, 2, 3, 180) });
    }

    private static void AssertReport(JsonElement report, Dictionary<string, (long Clicks, long Conversions, long Orders, double Revenue)> expected)
    {
        Assert.Equal(ExperimentId, report.GetProperty("experimentId").GetString());
        Assert.Equal("running", report.GetProperty("status").GetString());
        Assert.False(report.GetProperty("srm").GetBoolean());
        var variants = report.GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal(["control", "treatment"], variants.Select(v => v.GetProperty("name").GetString()));
        foreach (var variant in variants)
        {
            var (clicks, conversions, orders, revenue) = expected[variant.GetProperty("name").GetString()!];
            Assert.Equal(3, variant.GetProperty("users").GetInt64());
            Assert.Equal(4, variant.GetProperty("impressions").GetInt64());
            Assert.Equal(clicks, variant.GetProperty("clicks").GetInt64());
            Assert.Equal(clicks / 4.0, variant.GetProperty("ctr").GetProperty("value").GetDouble(), 12);
            Assert.Equal(conversions, variant.GetProperty("conversions").GetInt64());
            Assert.Equal(conversions / 3.0, variant.GetProperty("conversion").GetProperty("value").GetDouble(), 12);
            Assert.Equal(orders, variant.GetProperty("orders").GetInt64());
            Assert.Equal(revenue, variant.GetProperty("revenue").GetDouble(), 9);
            Assert.Equal(revenue / 3, variant.GetProperty("revenuePerUser").GetProperty("value").GetDouble(), 9);
            Assert.True(variant.GetProperty("conversion").GetProperty("low").GetDouble() < conversions / 3.0);
        }

        var vsControl = variants[1].GetProperty("vsControl");
        Assert.Equal(0, vsControl.GetProperty("conversionDifference").GetDouble(), 12);
        Assert.Equal((expected["treatment"].Revenue - expected["control"].Revenue) / 3, vsControl.GetProperty("revenuePerUserDifference").GetProperty("value").GetDouble(), 9);
    }

    [Fact]
    public async Task Put_ThenGet_ReturnsTheDefinition_AndReplaces()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await PutAsync(app, ExperimentId, Definition(app, description: "first"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(app, ExperimentId, Definition(app, description: "second"))).StatusCode);

        var response = await client.GetAsync($"/api/admin/experiments/{ExperimentId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var definition = await TestApp.ReadJsonAsync(response);
        Assert.Equal(ExperimentId, definition.GetProperty("id").GetString());
        Assert.Equal("home", definition.GetProperty("placement").GetString());
        Assert.Equal("second", definition.GetProperty("description").GetString());
        Assert.Equal(2, definition.GetProperty("variants").GetArrayLength());
        var report = await ReportAsync(app);
        Assert.All(report.GetProperty("variants").EnumerateArray(), v => Assert.Equal(0, v.GetProperty("users").GetInt64()));
    }

    public static TheoryData<string, string> BadDefinitions() => new()
    {
        { """{"placement":"home","variants":[{"name":"a","weight":1}],"startsAt":"2026-05-01T00:00:00Z","endsAt":"2026-05-02T00:00:00Z"}""", "variants" },
        { """{"placement":"home","variants":[{"name":"a","weight":1},{"name":"b","weight":-1}],"startsAt":"2026-05-01T00:00:00Z","endsAt":"2026-05-02T00:00:00Z"}""", "variants[1].weight" },
        { """{"placement":"home","variants":[{"name":"a","weight":"heavy"},{"name":"b","weight":1}],"startsAt":"2026-05-01T00:00:00Z","endsAt":"2026-05-02T00:00:00Z"}""", "variants[0].weight" },
        { """{"placement":"home","variants":[{"name":"a","weight":1},{"name":"a","weight":1}],"startsAt":"2026-05-01T00:00:00Z","endsAt":"2026-05-02T00:00:00Z"}""", "variants[1].name" },
        { """{"placement":"home","variants":[{"name":"a","weight":1},{"name":"b","weight":1}],"startsAt":"2026-05-02T00:00:00Z","endsAt":"2026-05-01T00:00:00Z"}""", "endsAt" },
        { """{"variants":[{"name":"a","weight":1},{"name":"b","weight":1}],"startsAt":"2026-05-01T00:00:00Z","endsAt":"2026-05-02T00:00:00Z"}""", "placement" },
        { """{"id":"another-id","placement":"home","variants":[{"name":"a","weight":1},{"name":"b","weight":1}],"startsAt":"2026-05-01T00:00:00Z","endsAt":"2026-05-02T00:00:00Z"}""", "id" },
        { "[1, 2]", "body" },
    };

    [Theory]
    [MemberData(nameof(BadDefinitions))]
    public async Task Put_BadDefinition_Is400NamingTheField(string body, string field)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        var response = await client.PutAsync($"/api/admin/experiments/{ExperimentId}", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await TestApp.ReadJsonAsync(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/admin/experiments/{ExperimentId}")).StatusCode);
    }

    [Fact]
    public async Task Put_OverlappingExperimentOnThePlacement_Is400()
    {
        await using var app = new TestApp();
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(app, ExperimentId, Definition(app))).StatusCode);

        var clash = await PutAsync(app, "home-ranker-2", Definition(app));
        var elsewhere = await PutAsync(app, "cart-ranker-1", Definition(app, placement: "cart"));

        Assert.Equal(HttpStatusCode.BadRequest, clash.StatusCode);
        Assert.True((await TestApp.ReadJsonAsync(clash)).GetProperty("errors").TryGetProperty("placement", out _));
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Theory]
    [InlineData("/api/admin/experiments/nope")]
    [InlineData("/api/admin/experiments/nope/report")]
    public async Task Get_UnknownExperiment_Is404(string url)
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(url)).StatusCode);
    }
}
