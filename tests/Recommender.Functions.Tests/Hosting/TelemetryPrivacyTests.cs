using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Recommender.Domain;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Functions.Tests;

/// <summary>
/// Traces and metrics carry no personal data: after ingest, serve and privacy calls, no span name,
/// attribute, event or status and no metric attribute holds the customer's id, email (or its hash)
/// or address — while the spans and metrics themselves are there (the route template, the list's
/// source, the ingestion batch, the served-lists counter).
/// </summary>
public sealed class TelemetryPrivacyTests
{
    private const string Customer = "otel-shopper-58213";
    private const string Email = "otel.shopper.58213@example.test";
    private const string Address = "203.0.113.77";

    private static readonly string EmailHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Email)));

    [Fact]
    public async Task IngestServeAndPrivacyCalls_LeaveNoPersonalDataInAnySpanOrMetricAttribute()
    {
        // Locked lists: the tracer's listener is process-wide, so spans of tests running beside this
        // one are recorded too and may arrive while this test reads; it reads snapshots.
        var recordedSpans = new SharedList<Activity>();
        var recordedMetrics = new SharedList<MetricSnapshot>();
        var app = new TestApp(settings: new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", ["Recommender:Telemetry:Enabled"] = "true" })
        {
            TestServices = services => services
                .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(recordedSpans))
                .ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(recordedMetrics)),
        };
        try
        {
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Add("X-Forwarded-For", Address);
            await app.GrantAnalyticsAsync(Customer);
            (await client.PostAsJsonAsync("/api/events", new[] { app.View("v1", Customer, "P1"), app.AddToCart("c1", Customer, "P2"), app.View("v2", Customer, "P3") }, Json.Options)).EnsureSuccessStatusCode();
            (await client.GetAsync($"/api/recommendations/{Customer}?placement=home")).EnsureSuccessStatusCode();
            (await client.GetAsync($"/api/recommendations/{Customer}?placement=home")).EnsureSuccessStatusCode();
            (await client.PatchAsync($"/api/privacy/rectification/{Customer}", new StringContent($$"""{"email": "{{Email}}"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            (await client.PostAsJsonAsync($"/api/privacy/consents/{Customer}", new { channel = "email", granted = true, policyVersion = "2026-02", source = "preference_centre" })).EnsureSuccessStatusCode();
            (await client.GetAsync($"/api/privacy/export/{Customer}?email={Uri.EscapeDataString(Email)}")).EnsureSuccessStatusCode();
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/privacy/erasure", new { customerId = Customer })).StatusCode);
            await app.PumpAsync();
            Assert.True(app.Get<TracerProvider>().ForceFlush());
            Assert.True(app.Get<MeterProvider>().ForceFlush());
        }
        finally
        {
            await app.DisposeAsync(); // the providers stop; a span of another test may still be on its way in
        }

        var spans = recordedSpans.Snapshot();
        var metrics = recordedMetrics.Snapshot();

        // The telemetry is there ...
        Assert.Contains(spans, s => s.Source.Name == RecommenderTelemetry.Name && s.DisplayName == "ingest batch" && Equals(s.GetTagItem(RecommenderTelemetry.Tags.Source), "http"));
        Assert.Contains(spans, s => Equals(s.GetTagItem("http.route"), "/api/recommendations/{customerId}") && Equals(s.GetTagItem(RecommenderTelemetry.Tags.Placement), "home")
            && s.GetTagItem(RecommenderTelemetry.Tags.ListSource) is string);
        Assert.Contains(spans, s => Equals(s.GetTagItem("http.route"), "/api/privacy/rectification/{customerId}") && Equals(s.GetTagItem("url.path"), "/api/privacy/rectification/{customerId}"));
        Assert.Contains(spans, s => s.DisplayName.StartsWith("queue ", StringComparison.Ordinal));
        Assert.Contains(metrics, m => m.Name == "recommender.serving.lists");
        Assert.Contains(metrics, m => m.Name == "recommender.ingestion.events");
        Assert.Contains(metrics, m => m.Name == "http.server.request.duration");

        // ... and none of it names the customer.
        string[] personal = [Customer, Email, EmailHash, Address];
        foreach (var span in spans)
        {
            var texts = new List<string?> { span.DisplayName, span.OperationName, span.StatusDescription };
            texts.AddRange(span.TagObjects.SelectMany(t => new[] { t.Key, Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture) }));
            texts.AddRange(span.Events.SelectMany(e => e.Tags.Select(t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture)).Append(e.Name)));
            texts.AddRange(span.Baggage.Select(b => b.Value));
            Assert.DoesNotContain(span.TagObjects, t => t.Key is "client.address" or "url.query" or "user_agent.original");
            AssertNoneNamed(personal, texts, $"span '{span.DisplayName}'");
        }

        foreach (var metric in metrics)
        {
            var texts = new List<string?> { metric.Name, metric.Description };
            foreach (var point in metric.MetricPoints)
            {
                foreach (var tag in point.Tags)
                {
                    texts.Add(tag.Key);
                    texts.Add(Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            AssertNoneNamed(personal, texts, $"metric '{metric.Name}'");
        }
    }

    private static void AssertNoneNamed(string[] personal, List<string?> texts, string where)
    {
        foreach (var text in texts.OfType<string>())
        {
            foreach (var value in personal)
            {
                Assert.False(text.Contains(value, StringComparison.OrdinalIgnoreCase), $"{where} carries personal data: '{text}'");
            }
        }
    }
}
