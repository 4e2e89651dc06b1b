namespace Recommender.Domain.Workflows;

/// <summary>
/// The ids of the events a workflow instance has applied, newest last and bounded, so an event
/// delivered again (a batch retried after a crash, Event Hubs replaying from a checkpoint) changes nothing.
/// </summary>
public static class AppliedEventIds
{
    /// <summary>Adds <paramref name="eventId"/>, dropping the oldest beyond <paramref name="max"/>; false when it was there already.</summary>
    public static bool MarkApplied(List<string> applied, string eventId, int max)
    {
        if (applied.Contains(eventId, StringComparer.Ordinal))
        {
            return false;
        }

        applied.Add(eventId);
        if (applied.Count > max)
        {
            applied.RemoveRange(0, applied.Count - max);
        }

        return true;
    }
}
