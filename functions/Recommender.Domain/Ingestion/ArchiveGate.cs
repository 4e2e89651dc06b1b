using Recommender.Domain.Events;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// Privacy at the source, for ingestion: what of a batch may enter the raw event archive (the models'
/// training source). Two checks, at two well-separated points of <see cref="IngestionService"/>:
/// <list type="number">
/// <item><see cref="RefuseErasedAsync"/>, at the door: events naming an erased subject (a tombstoned
/// customer id, linked anonymous id or contact hash — <see cref="ErasureTombstones"/>) are refused with a
/// reason and kept nowhere, not even as a dead letter (a dead letter would keep the raw id);</item>
/// <item><see cref="Select"/>, after the profiles were written: a behavioural or search event is archived
/// only when its subject could be profiled when it was applied — the decision the profile update took
/// under its ETag (<see cref="ProfileChanges.Withheld"/>), so the archive and the profile never disagree
/// and a concurrent consent change is ordered by that same write. Withheld events are dropped, except
/// orders (purchases, returns, deliveries: an accounting record), kept pseudonymized. Consent, account
/// and login records are always archived: they are what the customer told us.</item>
/// </list>
/// Not sealed only so the ingestion benchmark can measure ingestion without it (before and after, same run).
/// </summary>
public class ArchiveGate(ErasureTombstones tombstones)
{
    /// <summary>What the gate let in, and how many events it kept out (or pseudonymized) per reason.</summary>
    public sealed record Selection(IReadOnlyList<ClickstreamEvent> Archived, IReadOnlyDictionary<string, int> Reasons);

    /// <summary>
    /// Removes the events of erased subjects from <paramref name="events"/> and marks them refused in
    /// <paramref name="outcomes"/> (found by event id); returns how many went.
    /// </summary>
    public virtual async Task<int> RefuseErasedAsync(List<ClickstreamEvent> events, EventOutcome[] outcomes, Dictionary<string, int> reasons, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return 0;
        }

        var standing = await tombstones.CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (standing.IsEmpty)
        {
            return 0;
        }

        // A new analytics consent after the erasure readmits the customer from its time on (a new relationship).
        foreach (var readmission in events.Where(standing.IsReadmission).GroupBy(e => e.CustomerId!, StringComparer.Ordinal))
        {
            await tombstones.ReadmitAsync(readmission.Key, readmission.Min(e => e.OccurredAt), cancellationToken).ConfigureAwait(false);
        }

        if (events.Any(standing.IsReadmission))
        {
            standing = await tombstones.CurrentAsync(cancellationToken).ConfigureAwait(false);
        }

        var erased = events.Where(standing.Matches).Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        if (erased.Count == 0)
        {
            return 0;
        }

        events.RemoveAll(e => erased.Contains(e.Id));
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i] is { Accepted: true, EventId: { } id } outcome && erased.Contains(id))
            {
                outcomes[i] = outcome with { Accepted = false, Error = ArchiveReasons.Erased, DroppedFieldCount = null };
            }
        }

        reasons[ArchiveReasons.Erased] = reasons.GetValueOrDefault(ArchiveReasons.Erased) + erased.Count;
        return erased.Count;
    }

    /// <summary>
    /// Answers the events the profile updates dropped outright (<see cref="ProfileChanges.Dropped"/>: an email
    /// or push open or click without that channel's tracking consent) as refused, with the reason.
    /// </summary>
    public static void MarkDropped(IEnumerable<ProfileChanges> decisions, EventOutcome[] outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        Dictionary<string, string>? dropped = null;
        foreach (var changes in decisions)
        {
            foreach (var (id, reason) in changes.Dropped)
            {
                (dropped ??= new(StringComparer.Ordinal))[id] = reason;
            }
        }

        if (dropped is null)
        {
            return;
        }

        for (var i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i] is { Accepted: true, EventId: { } id } outcome && dropped.TryGetValue(id, out var reason))
            {
                outcomes[i] = outcome with { Accepted = false, Error = reason, DroppedFieldCount = null, Duplicate = null };
            }
        }
    }

    /// <summary>The events to archive, given what each subject's profile update decided.</summary>
    public virtual Selection Select(IReadOnlyList<ClickstreamEvent> events, IEnumerable<ProfileChanges> decisions, Dictionary<string, int> reasons)
    {
        var withheld = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var changes in decisions)
        {
            foreach (var (id, reason) in changes.Withheld)
            {
                withheld[id] = reason;
            }
        }

        if (withheld.Count == 0)
        {
            return new Selection(events, reasons);
        }

        var archived = new List<ClickstreamEvent>(events.Count);
        foreach (var e in events)
        {
            if (!withheld.TryGetValue(e.Id, out var reason))
            {
                archived.Add(e);
                continue;
            }

            if (e.Type is EventType.Purchase or EventType.Return or EventType.Delivery)
            {
                archived.Add(EventArchive.Pseudonymize(e, ClickstreamEvent.PseudonymSubjectPrefix));
                reason = ArchiveReasons.Pseudonymized;
            }

            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
        }

        return new Selection(archived, reasons);
    }
}
