using Recommender.Domain.Workflows;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// Catalog alerts, step 1 (<see cref="CatalogAlertsWorkflow.OnCustomerEventsAsync"/>): record what the
/// subject watches now (views, wishlist), or forget it all once profiling is not allowed.
/// </summary>
public sealed class CatalogWatchersHandler(CatalogAlertsWorkflow catalogAlerts) : ISubjectChangesHandler
{
    public async Task HandleAsync(SubjectChanges subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await catalogAlerts.OnCustomerEventsAsync(subject.Profile, subject.Changes, subject.Products, cancellationToken).ConfigureAwait(false);
    }
}
