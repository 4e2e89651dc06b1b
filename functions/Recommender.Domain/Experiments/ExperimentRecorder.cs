using Microsoft.Extensions.Logging;
using Recommender.Domain.Events;

namespace Recommender.Domain.Experiments;

/// <summary>
/// Counts experiment exposures and outcomes from the event pipeline (events applied for the first
/// time), per experiment and variant:
/// <list type="bullet">
/// <item>impressions: <c>recommendation_impression</c> with a <c>variant</c> of an experiment running
/// on its <c>placement</c> when it occurred; clicks: <c>recommendation_click</c> likewise;</item>
/// <item>users: a subject's first impression creates their exposure document (keyed by a hash of the
/// subject, never the raw id); a creation conflict means they were counted before;</item>
/// <item>conversions, orders and revenue: a purchase (its <c>total</c>, else the sum of its lines) by
/// an exposed subject at or after their exposure, during the experiment, adds to their exposure
/// document under ETag concurrency; the subject's first such purchase is their conversion.</item>
/// </list>
/// Each subject's events are taken in event-time order; the variant counters are added by one atomic
/// increment per variant touched per batch. Exposures are an aggregate: they are counted for every
/// subject, with or without analytics consent. A targeted experiment counts only subjects in one of its
/// segments (read once per subject and batch, <see cref="Segments.SegmentMembership"/>); an exposure records
/// the segments the subject was in (for the report's breakdown).
/// </summary>
public sealed partial class ExperimentRecorder(ExperimentStore store, Segments.SegmentMembership membership,
    Microsoft.Extensions.Options.IOptions<Retention.RetentionOptions> retention, TimeProvider timeProvider, ILogger<ExperimentRecorder> logger)
{
    private const int MaxParallelSubjects = 8;

    /// <summary>Records the outcomes in <paramref name="applied"/> (the storage calls are counted where they are made: <see cref="Telemetry.StorageMetering"/>).</summary>
    public async Task RecordAsync(IReadOnlyList<ClickstreamEvent> applied, CancellationToken cancellationToken = default)
    {
        var relevant = applied.Where(e => e.SubjectId is not null && (e.Type == EventType.Purchase
            || (e.Type is EventType.RecommendationImpression or EventType.RecommendationClick && e.Variant is not null && e.Placement is not null))).ToList();
        if (relevant.Count == 0)
        {
            return;
        }

        // An experiment whose exposures have expired records none again (a late or replayed batch).
        var now = timeProvider.GetUtcNow();
        var experiments = (await store.GetDefinitionsAsync(cancellationToken).ConfigureAwait(false))
            .Where(x => !ExperimentStore.ExposuresExpired(x, now, retention.Value.ExperimentExposures)).ToList();
        if (experiments.Count == 0)
        {
            return;
        }

        var batch = new BatchDeltas();
        var bySubject = relevant.GroupBy(e => e.SubjectId!, StringComparer.Ordinal);
        await Parallel.ForEachAsync(bySubject, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelSubjects, CancellationToken = cancellationToken },
            (events, ct) => RecordSubjectAsync(events.Key, [.. events.OrderBy(e => e.OccurredAt)], experiments, batch, ct)).ConfigureAwait(false);

        foreach (var ((experimentId, _), delta) in batch.Deltas)
        {
            await store.IncrementAsync(experimentId, delta, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask RecordSubjectAsync(string subjectId, List<ClickstreamEvent> events, IReadOnlyList<ExperimentDefinition> experiments,
        BatchDeltas batch, CancellationToken cancellationToken)
    {
        var exposedInBatch = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyList<string>? segments = null;
        async ValueTask<IReadOnlyList<string>> SegmentsAsync()
        {
            if (segments is null)
            {
                segments = await membership.SegmentsOfAsync(subjectId, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return segments;
        }

        foreach (var e in events)
        {
            if (e.Type == EventType.Purchase)
            {
                await RecordPurchaseAsync(subjectId, e, experiments, batch, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var matching = ExperimentAssigner.GetActiveForPlacement(experiments, e.Placement!, e.OccurredAt).Where(x => x.HasVariant(e.Variant!)).ToList();
            if (matching.Count == 0)
            {
                LogNotInExperiment(logger, e.Id, e.Placement!, e.Variant!);
                continue;
            }

            foreach (var experiment in matching)
            {
                if (experiment.IsTargeted && !experiment.Targets(await SegmentsAsync().ConfigureAwait(false)))
                {
                    LogNotTargeted(logger, e.Id, experiment.Id);
                    continue;
                }

                if (e.Type == EventType.RecommendationClick)
                {
                    batch.Add(experiment.Id, e.Variant!, d => d with { Clicks = d.Clicks + 1 });
                    continue;
                }

                batch.Add(experiment.Id, e.Variant!, d => d with { Impressions = d.Impressions + 1 });
                if (exposedInBatch.Add(experiment.Id))
                {
                    var first = await store.TryExposeAsync(experiment.Id, ExperimentStore.SubjectKey(experiment.Id, subjectId),
                        new ExperimentExposure { Variant = e.Variant!, ExposedAt = e.OccurredAt, Segments = await SegmentsAsync().ConfigureAwait(false) },
                        cancellationToken).ConfigureAwait(false);
                    if (first)
                    {
                        batch.Add(experiment.Id, e.Variant!, d => d with { Users = d.Users + 1 });
                    }
                }
            }
        }
    }

    /// <summary>A purchase counts for each experiment running when it occurred that exposed the subject before it.</summary>
    private async Task RecordPurchaseAsync(string subjectId, ClickstreamEvent purchase, IReadOnlyList<ExperimentDefinition> experiments,
        BatchDeltas batch, CancellationToken cancellationToken)
    {
        var total = (double)(purchase.Total ?? purchase.Lines?.Sum(l => (l.Price ?? 0) * l.Quantity) ?? 0);
        foreach (var experiment in experiments.Where(x => x.IsActiveAt(purchase.OccurredAt)))
        {
            var counted = false;
            var converted = false;
            var exposure = await store.UpdateExposureAsync(experiment.Id, ExperimentStore.SubjectKey(experiment.Id, subjectId), current =>
            {
                counted = current is not null && current.ExposedAt <= purchase.OccurredAt;
                converted = counted && !current!.Converted;
                return counted ? current! with { Converted = true, Orders = current.Orders + 1, Revenue = current.Revenue + total } : null;
            }, cancellationToken).ConfigureAwait(false);
            if (counted)
            {
                batch.Add(experiment.Id, exposure!.Variant, d => d with
                {
                    Orders = d.Orders + 1,
                    Revenue = d.Revenue + total,
                    Conversions = d.Conversions + (converted ? 1 : 0),
                });
            }
        }
    }

    /// <summary>The batch's counter deltas per experiment and variant.</summary>
    private sealed class BatchDeltas
    {
        private readonly Lock _lock = new();

        public Dictionary<(string ExperimentId, string Variant), VariantCounters> Deltas { get; } = [];

        public void Add(string experimentId, string variant, Func<VariantCounters, VariantCounters> add)
        {
            lock (_lock)
            {
                var key = (experimentId, variant);
                Deltas[key] = add(Deltas.GetValueOrDefault(key) ?? new VariantCounters { Variant = variant });
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId}: the subject is in none of experiment {ExperimentId}'s segments; not counted")]
    private static partial void LogNotTargeted(ILogger logger, string eventId, string experimentId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId}: no running experiment on placement {Placement} has variant {Variant}")]
    private static partial void LogNotInExperiment(ILogger logger, string eventId, string placement, string variant);
}
