using Recommender.Domain.Events;
using Recommender.Domain.Workflows;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// Browse abandonment (<see cref="BrowseAbandonmentWorkflow"/>): a cart change ends the wait (a cart
/// abandonment takes over); otherwise views of a profiled customer arm it. Registered after
/// <see cref="CartAbandonmentHandler"/>, as the two workflows expect.
/// </summary>
public sealed class BrowseAbandonmentHandler(BrowseAbandonmentWorkflow browseAbandonment) : ISubjectChangesHandler
{
    public async Task HandleAsync(SubjectChanges subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var changes = subject.Changes;
        if (subject.CartTouched)
        {
            // Replayed alone, a cart change ends only a wait armed by views before it (not one armed since).
            var notViewedAfter = changes.CartChanged || changes.BehaviourCleared ? (DateTimeOffset?)null : subject.ReplayedCartEvents.Max(e => e.OccurredAt);
            await browseAbandonment.CancelAsync(subject.Profile.CustomerId, subject.CheckedOut ? "purchase" : "cart changed", notViewedAfter, cancellationToken).ConfigureAwait(false);
        }
        else if ((changes.Profiled && changes.Applied.Any(e => e.Type == EventType.View))
            || (subject.Profile.MayBeProfiled(subject.Now) && changes.Replayed.Any(e => e.Type == EventType.View)))
        {
            await browseAbandonment.OnViewedAsync(subject.Profile, cancellationToken).ConfigureAwait(false);
        }
    }
}
