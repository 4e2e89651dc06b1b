using Recommender.Domain.Events;
using Recommender.Domain.Workflows;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// Catalog alerts, step 2 (<see cref="CatalogAlertsWorkflow.OnCatalogChangesAsync"/>): price drops and
/// restocks detected against the catalog as it was, each occurrence queued, before the catalog takes the changes.
/// </summary>
public sealed class CatalogAlertsHandler(CatalogAlertsWorkflow catalogAlerts) : ICatalogChangesHandler
{
    public async Task HandleAsync(IReadOnlyList<ClickstreamEvent> catalogChanges, CancellationToken cancellationToken = default) =>
        await catalogAlerts.OnCatalogChangesAsync(catalogChanges, cancellationToken).ConfigureAwait(false);
}
