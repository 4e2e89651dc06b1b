using Recommender.Domain.Workflows;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>Post-purchase cross-sell (<see cref="PostPurchaseWorkflow"/>): orders, deliveries and returns of a customer who may be profiled.</summary>
public sealed class PostPurchaseHandler(PostPurchaseWorkflow postPurchase) : ISubjectChangesHandler
{
    public async Task HandleAsync(SubjectChanges subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject.OrdersDriveWorkflows)
        {
            await postPurchase.OnOrderEventsAsync(subject.SubjectId, subject.OrderEvents, cancellationToken).ConfigureAwait(false);
        }
    }
}
