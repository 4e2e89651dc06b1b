using Recommender.Domain.Events;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// A reaction to a batch's catalog changes (<see cref="EventType.CatalogChange"/>), called before the
/// catalog takes them — against the catalog as it was — so that a crash after this still finds the
/// reaction recorded when the batch is delivered again. Called in registration order; a handler that
/// throws fails the batch before the catalog changes.
/// </summary>
/// <remarks>Register one with <see cref="IngestionHandlers.AddCatalogChangesHandler{THandler}"/>.</remarks>
public interface ICatalogChangesHandler
{
    Task HandleAsync(IReadOnlyList<ClickstreamEvent> catalogChanges, CancellationToken cancellationToken = default);
}
