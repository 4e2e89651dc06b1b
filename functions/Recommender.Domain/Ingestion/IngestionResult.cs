namespace Recommender.Domain.Ingestion;

/// <summary>
/// What happened to one event of a batch, by its position in the batch. <see cref="DroppedFieldCount"/>
/// is how many fields of an accepted event were dropped (outside the schema, private); absent when none.
/// <see cref="Duplicate"/> is true for an accepted event that changed nothing because it was applied
/// before (the same id for the same customer or visitor, in this batch or an earlier one); absent otherwise.
/// </summary>
public sealed record EventOutcome(int Index, string? EventId, bool Accepted, string? Error = null, int? DroppedFieldCount = null, bool? Duplicate = null);

/// <summary>
/// The outcome of one ingested batch. <see cref="Duplicates"/> were valid but already applied;
/// <see cref="StoreOperations"/> counts document and blob reads and writes, for cost tracking.
/// </summary>
/// <see cref="NotArchived"/> counts, per reason, the events the archive gate kept out or pseudonymized
/// (<see cref="ArchiveGate"/>): events of erased subjects, behaviour of subjects who may not be profiled.
public sealed record IngestionResult(IReadOnlyList<EventOutcome> Outcomes, int Applied, int Duplicates, int Customers, int StoreOperations,
    IReadOnlyDictionary<string, int>? NotArchived = null)
{
    public int Accepted => Outcomes.Count(o => o.Accepted);
    public int Rejected => Outcomes.Count(o => !o.Accepted);
}
