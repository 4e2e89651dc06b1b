using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ingestion.Handlers;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Functions.Tests;

/// <summary>
/// Ingestion hands each subject's changes and each batch's changes to the handlers in the container, in
/// registration order (<see cref="IngestionHandlers"/>): a reaction registered from outside runs without
/// an edit to <see cref="IngestionService"/>, and a batch's store operations are the calls the metering
/// decorators count.
/// </summary>
public sealed class IngestionPipelineTests
{
    [Fact]
    public async Task AHandlerRegisteredInTheContainer_GetsEachWrittenSubjectsChanges_AndTheBatch()
    {
        var log = new PipelineLog();
        await using var app = AppWith(log, services => services.AddSubjectChangesHandler<FirstSubjectHandler>());
        await app.GrantAnalyticsAsync("c1");
        log.Clear();

        (await app.PostEventsAsync(app.View("v1", "c1", "p1"), app.AddToCart("a1", "c1", "p2"), app.View("v2", "c2", "p1"))).EnsureSuccessStatusCode();

        // c1's profile was written: its reactions ran. c2 has no analytics consent: nothing stored, nothing to react to.
        var subject = Assert.Single(log.Subjects);
        Assert.Equal(("first", "c1"), (subject.Handler, subject.SubjectId));
        Assert.Equal(["v1", "a1"], subject.Applied);
        var batch = Assert.Single(log.Batches);
        Assert.Equal(["c1", "c2"], batch.Subjects.Order(StringComparer.Ordinal));
        Assert.Equal(["a1", "v1", "v2"], batch.Counted.Order(StringComparer.Ordinal));

        // The same batch again applies nothing new and counts nothing again.
        log.Clear();
        (await app.PostEventsAsync(app.View("v1", "c1", "p1"), app.AddToCart("a1", "c1", "p2"), app.View("v2", "c2", "p1"))).EnsureSuccessStatusCode();
        Assert.Empty(Assert.Single(log.Batches).Counted);
    }

    [Fact]
    public async Task Handlers_RunInRegistrationOrder_TheBuiltInOnesFirst_EachSubjectsInSequence_TheBatchsAfterAllSubjects()
    {
        var log = new PipelineLog();
        await using var app = AppWith(log, services => services.AddSubjectChangesHandler<FirstSubjectHandler>().AddSubjectChangesHandler<SecondSubjectHandler>());

        Assert.Equal([typeof(CatalogAlertsHandler)], app.Services.GetServices<ICatalogChangesHandler>().Select(h => h.GetType()));
        Assert.Equal(
            [typeof(CustomerDirectoryHandler), typeof(CartAbandonmentHandler), typeof(BrowseAbandonmentHandler), typeof(CatalogWatchersHandler),
                typeof(PostPurchaseHandler), typeof(ReplenishmentHandler), typeof(CachedRecommendationsHandler), typeof(FirstSubjectHandler), typeof(SecondSubjectHandler)],
            app.Services.GetServices<ISubjectChangesHandler>().Select(h => h.GetType()));
        Assert.Equal(
            [typeof(ItemCountersHandler), typeof(TrendingHandler), typeof(BanditHandler), typeof(PopularityHandler), typeof(ExperimentOutcomesHandler),
                typeof(AttributionHandler), typeof(RecordingBatchHandler)],
            app.Services.GetServices<IBatchChangesHandler>().Select(h => h.GetType()));

        string[] customers = ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10"];
        await app.GrantAnalyticsAsync(customers);
        log.Clear();
        (await app.PostEventsAsync([.. customers.Select((c, i) => app.View($"v{i}", c, "p1"))])).EnsureSuccessStatusCode();

        var order = log.Order.ToList();
        foreach (var customer in customers)
        {
            Assert.Equal([$"first {customer}", $"second {customer}"], order.Where(e => e.EndsWith($" {customer}", StringComparison.Ordinal)));
        }

        Assert.Equal(2 * customers.Length + 1, order.Count);
        Assert.Equal("batch", order[^1]);
    }

    [Fact]
    public async Task AHandlerThatThrows_FailsTheBatch_TheOnesAfterItDoNotRun_AndTheBatchDeliveredAgainFinishesThem()
    {
        var log = new PipelineLog();
        await using var app = AppWith(log, services => services.AddSubjectChangesHandler<FirstSubjectHandler>().AddSubjectChangesHandler<SecondSubjectHandler>());
        await app.GrantAnalyticsAsync("c1");
        log.Clear();
        log.FailFirst = 1;
        var ingestion = app.Get<IngestionService>();
        string[] bodies = [JsonSerializer.Serialize(app.View("v1", "c1", "p1"), Json.Options)];

        await Assert.ThrowsAsync<InvalidOperationException>(() => ingestion.IngestAsync(bodies, "test"));
        Assert.Equal(["first c1"], log.Order);
        Assert.Empty(log.Batches);

        // Delivered again: the profile has the view already (written before the throw), so it comes back as
        // replayed, and every reaction runs to finish what the failure interrupted.
        log.Clear();
        var result = await ingestion.IngestAsync(bodies, "test");
        Assert.Equal(0, result.Applied);
        Assert.Equal(["first c1", "second c1", "batch"], log.Order);
        Assert.Equal(["v1"], Assert.Single(log.Subjects, s => s.Handler == "second").Replayed);
    }

    [Fact]
    public async Task ABatchsStoreOperations_AreTheStorageCallsTheMeterCounts()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("c1");
        var ingestion = app.Get<IngestionService>();
        string[] bodies = [.. new[] { app.View("v1", "c1", "p1"), app.View("v2", "c1", "p2"), app.View("v3", "c2", "p1") }.Select(e => JsonSerializer.Serialize(e, Json.Options))];
        var mine = new AsyncLocal<bool> { Value = true };
        long counted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RecommenderTelemetry.Name && instrument.Name == StorageMetering.InstrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            if (mine.Value)
            {
                Interlocked.Add(ref counted, value);
            }
        });
        listener.Start();

        var result = await ingestion.IngestAsync(bodies, "test");

        Assert.Equal(3, result.Applied);
        Assert.True(result.StoreOperations > 0);
        Assert.Equal(Interlocked.Read(ref counted), result.StoreOperations);
    }

    /// <summary>The app with <paramref name="log"/>, the subject handlers <paramref name="addHandlers"/> registers, and a batch handler.</summary>
    private static TestApp AppWith(PipelineLog log, Action<IServiceCollection> addHandlers) => new()
    {
        TestServices = services =>
        {
            services.AddSingleton(log);
            addHandlers(services);
            services.AddBatchChangesHandler<RecordingBatchHandler>();
        },
    };

    private sealed class PipelineLog
    {
        public int FailFirst { get; set; }
        public ConcurrentQueue<string> Order { get; } = new();
        public ConcurrentQueue<(string Handler, string SubjectId, List<string> Applied, List<string> Replayed)> Subjects { get; } = new();
        public ConcurrentQueue<(List<string> Subjects, List<string> Counted)> Batches { get; } = new();

        public void Clear()
        {
            Order.Clear();
            Subjects.Clear();
            Batches.Clear();
        }

        public void Subject(string handler, SubjectChanges subject)
        {
            Order.Enqueue($"{handler} {subject.SubjectId}");
            Subjects.Enqueue((handler, subject.SubjectId, [.. subject.Changes.Applied.Select(e => e.Id)], [.. subject.Changes.Replayed.Select(e => e.Id)]));
            if (handler == "first" && FailFirst > 0)
            {
                FailFirst--;
                throw new InvalidOperationException("a reaction failed");
            }
        }
    }

    private sealed class FirstSubjectHandler(PipelineLog log) : ISubjectChangesHandler
    {
        public Task HandleAsync(SubjectChanges subject, CancellationToken cancellationToken = default)
        {
            log.Subject("first", subject);
            return Task.CompletedTask;
        }
    }

    private sealed class SecondSubjectHandler(PipelineLog log) : ISubjectChangesHandler
    {
        public Task HandleAsync(SubjectChanges subject, CancellationToken cancellationToken = default)
        {
            log.Subject("second", subject);
            return Task.CompletedTask;
        }
    }

    private sealed class RecordingBatchHandler(PipelineLog log) : IBatchChangesHandler
    {
        public Task HandleAsync(BatchChanges batch, CancellationToken cancellationToken = default)
        {
            log.Order.Enqueue("batch");
            log.Batches.Enqueue(([.. batch.Subjects.Select(c => c.SubjectId ?? "")], [.. batch.Counted.Select(e => e.Id)]));
            return Task.CompletedTask;
        }
    }
}
