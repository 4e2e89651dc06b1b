using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Attribution;
using Recommender.Domain.Ingestion;
using Recommender.Functions.Tests.Faults;
using Xunit.Abstractions;
using static Recommender.Functions.Tests.AttributionTests;

namespace Recommender.Functions.Tests;

/// <summary>
/// Attribution under crashes (issue 17): the same timeline — journeys and purchases of a consenting and a
/// non-consenting customer, a touch that arrives after its purchase, refunds — runs once to count its steps
/// (every mutating store call of ingestion, attribution's included), then once per step with the process dying
/// right after that step; the crashed batch is delivered again (as Event Hubs does from its last checkpoint), and
/// at the end every batch once more. Each run's report must be the reference's, to the cent: every order, touch,
/// re-attribution and refund counted exactly once, never lost and never twice.
/// </summary>
public sealed class AttributionRecoveryTests(ITestOutputHelper output)
{
    /// <summary>Each run has its own customers and days: runs are this far apart, and their reports never overlap.</summary>
    private static readonly TimeSpan RunSpacing = TimeSpan.FromDays(4);

    [Fact]
    public async Task Recording_CrashAfterAnyStep_TheRedeliveredBatchCompletesTheAttributionExactlyOnce()
    {
        var faults = new FaultInjector();
        await using var app = new TestApp { Faults = faults };

        // Warm-up: creates what later runs only update (so the reference counts the steps the crashing runs take).
        await RunAsync(app, faults, "warmup", crashAfter: 0);
        var (reference, steps) = await RunAsync(app, faults, "reference", crashAfter: 0);
        output.WriteLine($"{steps} steps");
        AssertReference(reference);

        var failures = new List<string>();
        for (var k = 1; k <= steps; k++)
        {
            var (report, runSteps) = await RunAsync(app, faults, $"crash{k}", crashAfter: k);
            if (faults.CrashedAfter is null)
            {
                // The run took fewer steps than the reference (a redelivered batch may write less): nothing left to crash after.
                Assert.True(runSteps < k && k > steps - 5, $"no crash after step {k} of {steps}, yet the run counted {runSteps} steps");
            }

            foreach (var part in new[] { "buckets", "store" })
            {
                var (expected, actual) = (reference.GetProperty(part).GetRawText(), report.GetProperty(part).GetRawText());
                if (expected != actual)
                {
                    failures.Add($"crash after {faults.CrashedAfter}: {part} {actual}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"expected {reference.GetProperty("buckets").GetRawText()} {reference.GetProperty("store").GetRawText()}{Environment.NewLine}" +
            string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task KnownEvent_InAnotherBatchAfterAConsentChange_CountsOnce()
    {
        await using var app = new TestApp();
        var now = app.Clock.GetUtcNow();
        var impression = Impression("i1", "bob", now.AddHours(-2));
        var purchase = Purchase("p1", "bob", now.AddHours(-1), 50m);
        await PostAsync(app, impression, purchase); // Bob without analytics consent: counted, no journey
        await GrantAsync(app, "bob");
        await PostAsync(app, impression, purchase, Impression("i2", "bob", now.AddMinutes(-5))); // the same events again, in another batch

        var report = await ReportAsync(app);
        Assert.Equal(2, Bucket(report, "recommendation", "home", "B").GetProperty("impressions").GetInt64());
        Assert.Equal(1, report.GetProperty("store").GetProperty("orders").GetInt64());
        Assert.Equal(0, Dropped(report, DroppedReasons.DuplicateOrder));
        AssertReconciles(report, 50);
    }

    /// <summary>The reference run's figures, by hand (the same journey as <see cref="AttributionTests"/>, then a late push click and a refund).</summary>
    private static void AssertReference(JsonElement report)
    {
        // After the late push click (6 h before the purchase of 90): time decay weights 2^-1, 2^-0.5, 2^-0.25 → 21.97, 31.07, 36.96;
        // then the refund of 30 takes a third of each share; Bob's refund of his whole order empties the unattributed bucket.
        AssertModels(Bucket(report, "recommendation", "home", "B"), 0, 20, 14.65);
        AssertModels(Bucket(report, "email", "spring"), 0, 20, 20.71);
        AssertModels(Bucket(report, "push", "flash"), 60, 20, 24.64);
        AssertModels(Bucket(report, "none", "-"), 0, 0, 0);
        Assert.Equal(1, Bucket(report, "push", "flash").GetProperty("orders").GetInt64());
        Assert.Equal(0, Bucket(report, "email", "spring").GetProperty("orders").GetInt64());
        var store = report.GetProperty("store");
        Assert.Equal(2, store.GetProperty("orders").GetInt64());
        Assert.Equal(1, store.GetProperty("reattributedOrders").GetInt64());
        Assert.Equal(2, store.GetProperty("refunds").GetInt64());
        AssertReconciles(report, 60);
        Assert.All(DroppedReasons.All, r => Assert.Equal(0, Dropped(report, r)));
    }

    /// <summary>One timeline for fresh customers on fresh days; returns its report and the steps counted.</summary>
    private static async Task<(JsonElement Report, int Steps)> RunAsync(TestApp app, FaultInjector faults, string run, int crashAfter)
    {
        app.Clock.Advance(RunSpacing);
        var now = app.Clock.GetUtcNow();
        var (alice, bob) = ($"alice-{run}", $"bob-{run}");
        var batches = new List<List<string>>();
        async Task IngestAsync(params object[] events)
        {
            var bodies = events.Select(e => JsonSerializer.Serialize(e, Json.Options)).ToList();
            batches.Add(bodies);
            await DeliverAsync(app, faults, bodies);
        }

        faults.Arm(0);
        await IngestAsync(app.Consent($"{run}-a", alice, true, "analytics"), app.Consent($"{run}-e", alice, true, "email_tracking"),
            app.Consent($"{run}-p", alice, true, "push_tracking"), app.Consent($"{run}-bp", bob, true, "push_tracking"));
        faults.Arm(crashAfter);
        await IngestAsync(
            Impression($"{run}-i1", alice, now.AddHours(-24)),
            MessageClick($"{run}-c1", alice, now.AddHours(-12)),
            Purchase($"{run}-p1", alice, now, 90m, orderId: $"{run}-o1"),
            Impression($"{run}-i2", bob, now.AddHours(-1)),
            Purchase($"{run}-p2", bob, now.AddMinutes(-30), 50m));
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await IngestAsync(MessageClick($"{run}-late", alice, now.AddHours(-6), campaign: "flash", type: "push_click"));
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await IngestAsync(Refund($"{run}-r1", alice, now.AddMinutes(15), $"{run}-o1", 30m), Refund($"{run}-r2", bob, now.AddMinutes(15), $"o-{run}-p2", 50m));
        foreach (var bodies in batches)
        {
            await DeliverAsync(app, faults, bodies); // Event Hubs replaying from an old checkpoint: nothing counts again
        }

        var steps = faults.MutatingCalls;
        faults.Restart();
        using var client = app.CreateClient();
        var response = await client.GetAsync($"/api/admin/attribution?from={Day(now.AddDays(-1))}&to={Day(now.AddDays(1))}");
        response.EnsureSuccessStatusCode();
        return (await TestApp.ReadJsonAsync(response), steps);
    }

    /// <summary>Delivers a batch; when the process dies on the way, it comes back and the same batch is delivered again.</summary>
    private static async Task DeliverAsync(TestApp app, FaultInjector faults, List<string> bodies)
    {
        try
        {
            await app.Get<IngestionService>().IngestAsync(bodies, "eventhub");
        }
        catch (Exception) when (faults.IsDown)
        {
            faults.Restart();
            await app.Get<IngestionService>().IngestAsync(bodies, "eventhub");
        }
    }
}
