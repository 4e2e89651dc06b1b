using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Recommender.Adapters.Embedded;
using Recommender.Domain.Privacy;
using Recommender.Functions.Hosting;

namespace Recommender.Functions.Tests;

/// <summary>
/// The smaller gaps an operator meets: experiments on unknown placements, erasure of a customer
/// nothing is known about, the retry conflict, malformed ids on the privacy routes, and a second
/// instance on the same data folder.
/// </summary>
public sealed class OperatorGapsTests
{
    [Fact]
    public async Task Experiment_OnAnUnknownPlacement_Is400NamingThePlacement_AndNotStored()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();
        var definition = new
        {
            placement = "sidebar",
            variants = new[] { new { name = "a", weight = 1 }, new { name = "b", weight = 1 } },
            startsAt = app.Clock.GetUtcNow(),
            endsAt = app.Clock.GetUtcNow().AddDays(7),
        };

        using var response = await client.PutAsJsonAsync("/api/admin/experiments/exp-sidebar", definition);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await TestApp.ReadJsonAsync(response)).GetProperty("errors");
        Assert.Contains("not a placement", errors.GetProperty("placement")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/admin/experiments/exp-sidebar")).StatusCode);
    }

    [Fact]
    public async Task Erasure_OfANeverSeenCustomer_SaysNothingIsKnown_AndStillRuns()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();
        await app.GrantAnalyticsAsync("known-1");

        using var unknown = await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = "never-seen-1" });
        using var known = await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = "known-1" });

        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        var body = await TestApp.ReadJsonAsync(unknown);
        Assert.False(body.GetProperty("knownCustomer").GetBoolean());
        Assert.StartsWith("nothing known", body.GetProperty("note").GetString(), StringComparison.Ordinal);
        var knownBody = await TestApp.ReadJsonAsync(known);
        Assert.True(knownBody.GetProperty("knownCustomer").GetBoolean());
        Assert.False(knownBody.TryGetProperty("note", out _));

        await app.PumpAsync();
        var status = await TestApp.ReadJsonAsync(await client.GetAsync(unknown.Headers.Location));
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.False(status.GetProperty("knownCustomer").GetBoolean());
    }

    [Fact]
    public async Task Retry_OfAnErasureThatHasNotFailed_Is409ProblemDetails()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();
        var request = await app.Get<ErasureService>().StartAsync("customer-9");

        using var response = await client.PostAsync($"/api/privacy/erasure/{request.RequestId}/retry", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await TestApp.ReadJsonAsync(response);
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.Contains("only a failed erasure can be retried", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string?, string> PrivacyRoutes => new()
    {
        { "GET", "/api/privacy/erasure/{0}", null, "requestId" },
        { "POST", "/api/privacy/erasure/{0}/retry", null, "requestId" },
        { "GET", "/api/privacy/consents/{0}", null, "customerId" },
        { "POST", "/api/privacy/consents/{0}", """{"channel":"email","granted":true,"policyVersion":"2026-01","source":"form"}""", "customerId" },
        { "GET", "/api/privacy/export/{0}", null, "customerId" },
        { "PUT", "/api/privacy/objection/{0}", """{"objects":true}""", "customerId" },
        { "PATCH", "/api/privacy/rectification/{0}", """{"timeZone":"Europe/Paris"}""", "customerId" },
        { "GET", "/api/privacy/audit?customerId={0}", null, "customerId" },
    };

    [Theory]
    [MemberData(nameof(PrivacyRoutes))]
    public async Task PrivacyRoutes_AnswerAMalformedId_With400NamingIt(string method, string route, string? json, string field)
    {
        using var app = new TestApp();
        using var client = app.CreateClient();
        foreach (var malformed in new[] { "bad%20id%21", new string('x', 129), "anon%3A" + new string('y', 200) })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, route, malformed));
            if (json is not null)
            {
                request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request);

            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {route} with {malformed}: {response.StatusCode} {text}");
            Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        }
    }

    [Fact]
    public async Task ASecondInstance_OnTheSameDataFolder_SaysSoInOneLine()
    {
        var folder = Path.Combine(Path.GetTempPath(), "recommender-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var first = new EmbeddedOptions { DataDirectory = folder };
            using var running = new SqliteDocumentStore(first.DatabasePath, documentCacheEntries: 16);
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = typeof(Program).Assembly.GetName().Name });
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Recommender:Mode"] = "Embedded",
                ["Recommender:DataDirectory"] = folder,
                ["Recommender:QueuePump:Enabled"] = "false",
                ["Recommender:Seed:Enabled"] = "false",
                ["Recommender:Scheduler:Enabled"] = "false",
            });
            builder.AddRecommender();
            await using var second = builder.Build();
            using var error = new StringWriter();

            var claimed = second.ClaimDataFolder(error);

            Assert.False(claimed);
            var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines);
            Assert.Contains(folder, line, StringComparison.Ordinal);
            Assert.Contains("in use by another Recommender instance", line, StringComparison.Ordinal);
            Assert.Contains("--Recommender:DataDirectory", line, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AnInstance_OnAFreeDataFolder_ClaimsIt()
    {
        var folder = Path.Combine(Path.GetTempPath(), "recommender-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = typeof(Program).Assembly.GetName().Name });
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Recommender:Mode"] = "Embedded", ["Recommender:DataDirectory"] = folder });
            builder.AddRecommender();
            await using var app = builder.Build();
            using var error = new StringWriter();

            Assert.True(app.ClaimDataFolder(error));
            Assert.Empty(error.ToString());
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
