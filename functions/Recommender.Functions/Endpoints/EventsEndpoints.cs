using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Functions.Security;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// The per-event answer of the batch collector. <see cref="Duplicates"/> counts the accepted events that
/// were applied before and changed nothing (each says <c>"duplicate": true</c>); in Azure the collector
/// answers before ingestion, so it is 0 there and duplicates are told in the ingestion function's log.
/// </summary>
public sealed record CollectResponse(int Accepted, int Rejected, IReadOnlyList<EventOutcome> Results, int Duplicates = 0);

/// <summary>
/// <c>POST /api/events</c> when the app runs on its own: validates and ingests the batch at once.
/// In Azure the same route is the <c>CollectEvents</c> function, which validates and forwards the
/// accepted events to Event Hubs (see <see cref="InvocationEndpoints"/>).
/// </summary>
public static class EventsEndpoints
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(ApiRoutes.Events, CollectAsync).WithName("api-events").WithTags(ApiRoutes.EventsTag)
            .WithJsonBody<IReadOnlyList<System.Text.Json.JsonElement>>("The events (docs/events.md).")
            .Produces<CollectResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Collect a batch of clickstream events")
            .WithDescription($"A JSON array of 1 to {EventBatch.MaxEvents} events (or {{\"events\": [...]}}), at most {EventBatch.MaxBodyBytes} bytes of UTF-8 "
                + "(docs/events.md). Each event is judged on its own: the answer says per event whether it was accepted, and why not.");
        return app;
    }

    private static async Task<IResult> CollectAsync(HttpRequest request, IngestionService ingestion, ConsentRelay consentRelay, EventValidator validator,
        CancellationToken cancellationToken)
    {
        if (!EventBatch.IsJsonContentType(request.ContentType))
        {
            return TypedResults.Problem(EventBatch.UnsupportedMediaType(request.ContentType), statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var (body, tooLarge) = await EventBatch.ReadAsync(request, EventBatch.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        var parsed = tooLarge ? EventBatch.Parsed.Fail(413, $"the request body is larger than {EventBatch.MaxBodyBytes} bytes") : EventBatch.Parse(body);
        if (parsed.Events is null)
        {
            return TypedResults.Problem(parsed.Error, statusCode: parsed.StatusCode);
        }

        // Consent only from clients allowed to relay it, for the customer the session asserts (ConsentRelay).
        var events = await consentRelay.ScreenAsync(parsed.Events, validator, request.HttpContext.Features.Get<StorefrontClient>()?.Name,
            request.Headers[ConsentRelay.SessionAssertionHeader].FirstOrDefault(), cancellationToken).ConfigureAwait(false);
        var result = await ingestion.IngestAsync(events, "http", cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted((string?)null, new CollectResponse(result.Accepted, result.Rejected, result.Outcomes, result.Outcomes.Count(o => o.Duplicate == true)));
    }
}
