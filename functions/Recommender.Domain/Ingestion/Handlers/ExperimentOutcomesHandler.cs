using Recommender.Domain.Experiments;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>Experiment outcomes (<see cref="ExperimentRecorder"/>): conversions and revenue of the counted events, per variant.</summary>
public sealed class ExperimentOutcomesHandler(ExperimentRecorder experiments) : IBatchChangesHandler
{
    public async Task HandleAsync(BatchChanges batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Counted.Count > 0)
        {
            await experiments.RecordAsync([.. batch.CountedEvents], cancellationToken).ConfigureAwait(false);
        }
    }
}
