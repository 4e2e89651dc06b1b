using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Recommender.Domain;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Retention;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Training;
using Recommender.Functions.Endpoints;
using Recommender.Functions.Messaging;

namespace Recommender.Functions.Invocations;

/// <summary>
/// The endpoints the Functions host invokes for triggers that are not proxied HTTP:
/// <c>POST /{FunctionName}</c> with the Data/Metadata payload, answered with Outputs/Logs/ReturnValue.
/// A non-2xx answer fails the invocation (the host then retries per the function's policy).
/// </summary>
public static partial class InvocationEndpoints
{
    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder app)
    {
        app.MapPost("/IngestClickstream", IngestClickstreamAsync).WithName("IngestClickstream").ExcludeFromDescription();
        app.MapPost("/CollectEvents", CollectEventsAsync).WithName("CollectEvents").ExcludeFromDescription();
        foreach (var (queue, function) in QueueRegistry.All.Select(q => (q.Name, q.Function)))
        {
            app.MapPost($"/{function}", (InvocationRequest request, QueueDispatcher dispatcher, CancellationToken ct) => QueueStepAsync(queue, request, dispatcher, ct))
                .WithName(function).ExcludeFromDescription();
        }

        app.MapPost("/Retrain", RetrainAsync).WithName("Retrain").ExcludeFromDescription();
        app.MapPost("/Segmentation", async (Domain.Segments.SegmentationWorkflow segmentation, CancellationToken ct) =>
        {
            var run = await segmentation.StartAsync("schedule", ct).ConfigureAwait(false);
            return HostJson.Reply(new InvocationResponse(new Dictionary<string, object?>(), [$"queued segmentation run {run.RunId}"], run.RunId));
        }).WithName("Segmentation").ExcludeFromDescription();
        app.MapPost("/EnforceRetention", EnforceRetentionAsync).WithName("EnforceRetention").ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Event Hubs trigger (cardinality many, dataType string): <c>Data.events</c> is a string holding a
    /// JSON array of event bodies. Bad events are dead-lettered inside ingestion and the answer is
    /// 200; only a store failure answers 500, so the function's retry policy holds the checkpoint.
    /// </summary>
    private static async Task<IResult> IngestClickstreamAsync(InvocationRequest request, IngestionService ingestion, CancellationToken cancellationToken)
    {
        var bodies = EventBodies(request.Binding("events"));
        var partition = request.Meta("PartitionContext") is { ValueKind: JsonValueKind.Object } context && context.TryGetProperty("PartitionId", out var id)
            ? id.ToString() : "?";
        var result = await ingestion.IngestAsync(bodies, $"eventhub:partition-{partition}", cancellationToken).ConfigureAwait(false);
        return HostJson.Reply(InvocationResponse.Empty(
            $"ingested {result.Applied} new events for {result.Customers} customers; {result.Duplicates} duplicates, {result.Rejected} dead-lettered, {result.StoreOperations} store operations"));
    }

    /// <summary>
    /// The storefront collector (<c>POST /api/events</c> in Azure): validates each event and forwards
    /// the accepted ones, normalized to the schema, to Event Hubs through the <c>outEvents</c> binding.
    /// Not proxied, so the guard middleware does not see the caller: the same <see cref="Security.StorefrontGate"/>
    /// (key, the client's rate limit in the same buckets, the caller's address) is passed the headers the host forwards.
    /// </summary>
    private static async Task<IResult> CollectEventsAsync(InvocationRequest request, HttpContext http, EventValidator validator, Security.StorefrontGate gate,
        Security.ConsentRelay consentRelay, CancellationToken cancellationToken)
    {
        var req = request.Binding("req");
        string? body = null;
        if (req is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("Body", out var b))
        {
            body = b.ValueKind == JsonValueKind.String ? b.GetString() : b.GetRawText();
        }

        // The host calls from this machine; the caller's address is in the headers it passes on.
        if (gate.Admit(HeaderValuesOf(req, Security.StorefrontRoutes.ApiKeyHeader), http.Connection.RemoteIpAddress,
                HeaderValuesOf(req, Security.StorefrontRateLimiter.ForwardedForHeader), out var client) is { } turnedAway)
        {
            var refused = HttpOutput.Json(turnedAway.StatusCode, new { title = turnedAway.Title, status = turnedAway.StatusCode, detail = turnedAway.Detail });
            return HostJson.Reply(new InvocationResponse(new Dictionary<string, object?>
            {
                ["res"] = refused with { Headers = new Dictionary<string, string>(refused.Headers.Concat(turnedAway.Headers)) },
                ["outEvents"] = Array.Empty<string>(),
            }, [turnedAway.StatusCode == StatusCodes.Status429TooManyRequests ? "refused batch: over the client's rate limit" : "refused batch: missing or unknown storefront key"]));
        }

        var contentType = HeaderOf(req, "Content-Type");
        var parsed = EventBatch.IsJsonContentType(contentType) ? EventBatch.Parse(body) : EventBatch.Parsed.Fail(415, EventBatch.UnsupportedMediaType(contentType));
        if (parsed.Events is null)
        {
            return HostJson.Reply(new InvocationResponse(new Dictionary<string, object?>
            {
                ["res"] = HttpOutput.Json(parsed.StatusCode, new { title = parsed.StatusCode == 415 ? "Unsupported media type" : "Bad request", status = parsed.StatusCode, detail = parsed.Error }),
                ["outEvents"] = Array.Empty<string>(),
            }, [$"refused batch: {parsed.Error}"]));
        }

        var outcomes = new List<EventOutcome>();
        var forwarded = new List<string>();
        var assertion = HeaderOf(req, Security.ConsentRelay.SessionAssertionHeader);
        var refusedConsents = new List<(ClickstreamEvent, string)>();
        for (var i = 0; i < parsed.Events.Count; i++)
        {
            var validation = parsed.Events[i].Refusal is { } refusal ? EventValidation.Invalid(null, refusal) : validator.Validate(parsed.Events[i].Body);
            var e = validation.Event;
            // Consent only from clients allowed to relay it, for the customer the session asserts (ConsentRelay).
            var consent = e is { Type: EventType.Consent } ? consentRelay.Check(e, client, assertion) : default;
            if (consent.Refusal is { } consentRefusal)
            {
                refusedConsents.Add((e!, consentRefusal));
                outcomes.Add(new EventOutcome(i, e!.Id, false, consentRefusal));
                continue;
            }

            var dropped = validation.IsValid ? validation.DroppedFields.Count : 0;
            outcomes.Add(new EventOutcome(i, validation.EventId, validation.IsValid, validation.Error, dropped > 0 ? dropped : null));
            if (e is not null)
            {
                forwarded.Add(JsonSerializer.Serialize(consent.RelayedBy is null ? e : e with { RelayedBy = consent.RelayedBy }, Json.Options));
            }
        }

        if (refusedConsents.Count > 0)
        {
            await consentRelay.AuditAsync(refusedConsents, client, cancellationToken).ConfigureAwait(false);
        }

        var response = new CollectResponse(forwarded.Count, parsed.Events.Count - forwarded.Count, outcomes);
        return HostJson.Reply(new InvocationResponse(new Dictionary<string, object?>
        {
            ["res"] = HttpOutput.Json(202, response),
            ["outEvents"] = forwarded,
        }, [$"forwarded {forwarded.Count} of {parsed.Events.Count} events"]));
    }

    private static async Task<IResult> QueueStepAsync(string queue, InvocationRequest request, QueueDispatcher dispatcher, CancellationToken cancellationToken)
    {
        var message = request.BindingText("msg");
        if (message is null)
        {
            return HostJson.Reply(InvocationResponse.Empty("no msg binding in the invocation; ignored"));
        }

        // The host's metadata names the queue message (its Id): the dead letter, if any, says which one.
        var id = request.Meta("Id") is { ValueKind: JsonValueKind.String } meta ? meta.GetString() : null;
        var outcome = await dispatcher.DispatchAsync(queue, message, id, cancellationToken).ConfigureAwait(false);
        return HostJson.Reply(InvocationResponse.Empty($"{queue}: {outcome}"));
    }

    /// <summary>The weekly timer: queues a training run (the <c>TrainingStep</c> queue function runs it).</summary>
    private static async Task<IResult> RetrainAsync(TrainingWorkflow training, CancellationToken cancellationToken)
    {
        var run = await training.StartAsync("schedule", cancellationToken).ConfigureAwait(false);
        return HostJson.Reply(new InvocationResponse(new Dictionary<string, object?>(), [$"queued training run {run.RunId}"], run.RunId));
    }

    private static async Task<IResult> EnforceRetentionAsync(RetentionService retention, CancellationToken cancellationToken)
    {
        var result = await retention.EnforceAsync(cancellationToken).ConfigureAwait(false);
        return HostJson.Reply(InvocationResponse.Empty($"retention: deleted {result.DeletedBlobs.Values.Sum()} blobs, {result.DeletedTrendingBuckets} trending buckets, {result.PurgedDocuments} expired documents"));
    }

    /// <summary>The first value of a header of the host's <c>req</c> payload, case-insensitively.</summary>
    internal static string? HeaderOf(JsonElement? req, string name) => HeaderValuesOf(req, name) is { Count: > 0 } values ? values[0] : null;

    /// <summary>
    /// The values of a header of the host's <c>req</c> payload (<c>Headers</c>: name → string[], or
    /// name → string), case-insensitively; values that are not strings are skipped.
    /// </summary>
    internal static StringValues HeaderValuesOf(JsonElement? req, string name)
    {
        if (req is not { ValueKind: JsonValueKind.Object } r || !r.TryGetProperty("Headers", out var headers) || headers.ValueKind != JsonValueKind.Object)
        {
            return StringValues.Empty;
        }

        foreach (var header in headers.EnumerateObject())
        {
            if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value.ValueKind switch
                {
                    JsonValueKind.Array => new StringValues([.. header.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]),
                    JsonValueKind.String => header.Value.GetString(),
                    _ => StringValues.Empty,
                };
            }
        }

        return StringValues.Empty;
    }

    /// <summary>Event bodies from the binding: strings as they are, objects as their JSON text.</summary>
    internal static List<string> EventBodies(JsonElement? events)
    {
        if (events is not { ValueKind: JsonValueKind.Array } array)
        {
            return events switch
            {
                { ValueKind: JsonValueKind.Object } single => [single.GetRawText()],
                { ValueKind: JsonValueKind.String } text => [text.GetString()!],
                _ => [],
            };
        }

        return array.EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText())
            .ToList();
    }
}
