using Recommender.Domain.Ingestion;

namespace Recommender.Functions.Endpoints;

/// <summary>The per-event answer of the batch collector.</summary>
public sealed record CollectResponse(int Accepted, int Rejected, IReadOnlyList<EventOutcome> Results);

/// <summary>
/// <c>POST /api/events</c> when the app runs on its own: validates and ingests the batch at once.
/// In Azure the same route is the <c>CollectEvents</c> function, which validates and forwards the
/// accepted events to Event Hubs (see <see cref="InvocationEndpoints"/>).
/// </summary>
public static class EventsEndpoints
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/events", CollectAsync).WithName("api-events");
        return app;
    }

    private static async Task<IResult> CollectAsync(HttpRequest request, IngestionService ingestion, CancellationToken cancellationToken)
    {
        var (body, tooLarge) = await RequestBody.ReadAsync(request, EventBatch.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        var parsed = tooLarge ? EventBatch.Parsed.Fail(413, $"the request body is larger than {EventBatch.MaxBodyBytes} bytes") : EventBatch.Parse(body);
        if (parsed.Events is null)
        {
            return TypedResults.Problem(parsed.Error, statusCode: parsed.StatusCode);
        }

        var result = await ingestion.IngestAsync(parsed.Events, "http", cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted((string?)null, new CollectResponse(result.Accepted, result.Rejected, result.Outcomes));
    }
}
