namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// A per-batch aggregate over every subject's changes: item counters, trending, the bandit, popularity,
/// experiment outcomes, attribution. <see cref="IngestionService"/> calls every registered handler once per
/// batch, after the profile writes, the subjects' reactions and the archive, one after the other in
/// registration order. Each event counts once, whatever batch carries it: count only
/// <see cref="BatchChanges.Counted"/> (or keep a ledger of your own, as attribution does). A handler that
/// throws fails the batch (the ones after it do not run); the batch is delivered again.
/// </summary>
/// <remarks>Register one with <see cref="IngestionHandlers.AddBatchChangesHandler{THandler}"/>; see docs/extending.md.</remarks>
public interface IBatchChangesHandler
{
    Task HandleAsync(BatchChanges batch, CancellationToken cancellationToken = default);
}
