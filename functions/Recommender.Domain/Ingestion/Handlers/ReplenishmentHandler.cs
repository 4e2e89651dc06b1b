using Recommender.Domain.Workflows;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// Replenishment reminders (<see cref="ReplenishmentWorkflow"/>): orders of a customer who may be profiled
/// feed it; withdrawing that consent (the behaviour cleared) forgets the purchase history it kept.
/// </summary>
public sealed class ReplenishmentHandler(ReplenishmentWorkflow replenishment) : ISubjectChangesHandler
{
    public async Task HandleAsync(SubjectChanges subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject.OrdersDriveWorkflows)
        {
            await replenishment.OnOrderEventsAsync(subject.SubjectId, subject.OrderEvents, cancellationToken).ConfigureAwait(false);
        }
        else if (subject.Changes.BehaviourCleared)
        {
            await replenishment.DeleteAsync(subject.SubjectId, cancellationToken).ConfigureAwait(false);
        }
    }
}
