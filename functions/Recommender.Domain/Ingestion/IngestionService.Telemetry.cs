using System.Diagnostics;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Domain.Ingestion;

public sealed partial class IngestionService
{
    /// <summary>
    /// Ingests one batch (see the class summary), traced as an <c>ingest batch</c> span and counted
    /// (<see cref="RecommenderTelemetry.IngestionBatches"/>, <see cref="RecommenderTelemetry.IngestionEvents"/>)
    /// by source kind and outcome — counts only, never an id.
    /// </summary>
    public async Task<IngestionResult> IngestAsync(IReadOnlyList<RawEvent> bodies, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        ArgumentNullException.ThrowIfNull(source);
        var kind = RecommenderTelemetry.SourceKind(source);
        using var activity = RecommenderTelemetry.Source.StartActivity("ingest batch");
        activity?.SetTag(RecommenderTelemetry.Tags.Source, kind);
        activity?.SetTag(RecommenderTelemetry.Tags.Events, bodies.Count);
        var started = timeProvider.GetTimestamp();
        var sourceTag = new KeyValuePair<string, object?>(RecommenderTelemetry.Tags.Source, kind);
        try
        {
            var result = await IngestBatchAsync(bodies, source, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(RecommenderTelemetry.Tags.Accepted, result.Accepted);
            activity?.SetTag(RecommenderTelemetry.Tags.Applied, result.Applied);
            RecommenderTelemetry.IngestionBatches.Add(1, sourceTag, new(RecommenderTelemetry.Tags.Outcome, "done"));
            RecommenderTelemetry.IngestionEvents.Add(result.Accepted - result.Duplicates, sourceTag, new(RecommenderTelemetry.Tags.Outcome, "accepted"));
            RecommenderTelemetry.IngestionEvents.Add(result.Duplicates, sourceTag, new(RecommenderTelemetry.Tags.Outcome, "duplicate"));
            RecommenderTelemetry.IngestionEvents.Add(result.Rejected, sourceTag, new(RecommenderTelemetry.Tags.Outcome, "rejected"));
            return result;
        }
        catch (Exception ex)
        {
            // The type only: a store's message may quote a document id, which can name a customer.
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            RecommenderTelemetry.IngestionBatches.Add(1, sourceTag, new(RecommenderTelemetry.Tags.Outcome, "failed"));
            throw;
        }
        finally
        {
            RecommenderTelemetry.IngestionDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds, sourceTag);
        }
    }
}
