using Recommender.Domain.Workflows;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// Cart abandonment (<see cref="CartAbandonmentWorkflow"/>): every change to the cart — and a replayed
/// one, which the workflow recognises, so a replay only finishes what a crash interrupted — arms, re-arms
/// or ends the wait.
/// </summary>
public sealed class CartAbandonmentHandler(CartAbandonmentWorkflow cartAbandonment) : ISubjectChangesHandler
{
    public async Task HandleAsync(SubjectChanges subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject.CartTouched)
        {
            await cartAbandonment.OnCartChangedAsync(subject.Profile, subject.CheckedOut, cancellationToken).ConfigureAwait(false);
        }
    }
}
