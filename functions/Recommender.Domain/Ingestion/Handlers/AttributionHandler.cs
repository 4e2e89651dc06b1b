using Recommender.Domain.Attribution;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// Attribution (<see cref="AttributionRecorder"/>): it keeps its own ledger of what it counted, so it sees
/// every subject's changes — replays included — and a batch delivered again after a crash finishes it.
/// </summary>
public sealed class AttributionHandler(AttributionRecorder attribution) : IBatchChangesHandler
{
    public async Task HandleAsync(BatchChanges batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await attribution.RecordAsync(batch.Subjects, cancellationToken).ConfigureAwait(false);
    }
}
