using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recommender.Domain.Events;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// What a refused event leaves in the dead letters: enough for a person to fix the sender — the
/// reason, the field it is about, the event id and type — and never personal data the validator
/// would not have kept from an accepted event. An event refused as automated traffic was valid, so
/// its letter holds the validated event (IP truncated, email and phone hashed, free text and
/// precise location gone). An event refused by the validator keeps only its identifiers that are
/// well formed (id, type, customer, visitor, session) and its timestamp; every other value of the
/// body is dropped, since the body failed the checks that make it safe to keep. The customer and
/// visitor ids stay so that access and erasure requests still find the letter — except on a refused
/// consent: a consent decision that did not stand (maybe forged, for someone else) is attributed to no
/// one, so its letter keeps the event id, type and time only.
/// </summary>
public static partial class DeadLetterForms
{
    private static readonly string[] KeptIds = ["id", "customerId", "anonymousId", "sessionId"];

    /// <summary>A letter for an event the validator (or the transport) refused.</summary>
    public static DeadLetter Refused(string reason, string body, string source, DateTimeOffset now, string? eventId)
    {
        var kept = new JsonObject();
        string? type = null;
        if (TryParseObject(body) is { } root)
        {
            var isConsent = root.TryGetPropertyValue("type", out var kind) && kind?.GetValueKind() == JsonValueKind.String && kind.GetValue<string>() == "consent";
            foreach (var name in isConsent ? ["id"] : KeptIds)
            {
                if (root.TryGetPropertyValue(name, out var value) && value?.GetValueKind() == JsonValueKind.String
                    && value.GetValue<string>() is var id && EventValidator.IsValidId(id))
                {
                    kept[name] = id;
                }
            }

            if (root.TryGetPropertyValue("type", out var typeNode) && typeNode?.GetValueKind() == JsonValueKind.String
                && typeNode.GetValue<string>() is var typeName && TypeName().IsMatch(typeName))
            {
                kept["type"] = type = typeName;
            }

            if (root.TryGetPropertyValue("occurredAt", out var at) && at?.GetValueKind() == JsonValueKind.String
                && DateTimeOffset.TryParse(at.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var occurredAt))
            {
                kept["occurredAt"] = occurredAt;
            }
        }

        return new DeadLetter(reason, kept.ToJsonString(), source, now, eventId, FieldOf(reason), type);
    }

    /// <summary>A letter for a valid event refused as automated traffic: the event as validated.</summary>
    public static DeadLetter Automated(string reason, ClickstreamEvent e, string source, DateTimeOffset now) =>
        new(reason, JsonSerializer.Serialize(e, Json.Options), source, now, e.Id,
            reason.Contains("user agent", StringComparison.Ordinal) ? "context.userAgent" : null, JsonNamingPolicy.SnakeCaseLower.ConvertName(e.Type.ToString()));

    /// <summary>Identifiers of a queue message that name no person: kept as they are when well formed.</summary>
    private static readonly string[] QueueClearIds = ["runId", "requestId", "shard", "modelVersion", "step", "target"];

    /// <summary>Identifiers of a queue message that name a person (or are built from their id), by the kind of their keyed reference.</summary>
    private static readonly (string Name, string Kind, string Kept)[] QueueKeyedIds = [("customerId", "t", "subjectRef"), ("messageId", "m", "messageRef"), ("orderId", "o", "orderRef")];

    /// <summary>
    /// A letter for a queue message that can never do anything (malformed, or naming what does not exist).
    /// It holds what a person needs to fix the sender — the reason, the field, the message type, the queue (as
    /// the source) and the queue message id — and of the body only what names no one: run, request, shard,
    /// model version, step and target ids, generation and stage numbers, an alert's kind, subject (a product)
    /// and occurrence, the number of customers a page lists. Ids that name a person (customer, outgoing message,
    /// order) are kept as keyed references (<paramref name="keyedRef"/>: the references the logs use, so a
    /// letter and its log lines meet, and erasure and access find the letter), never in clear; every other
    /// value — emails, phones, addresses, free text, prices — is dropped.
    /// </summary>
    /// <param name="keyedRef">The keyed reference of an id of a kind (<c>t</c> customer, <c>m</c> message, <c>o</c> order).</param>
    public static DeadLetter Queued(string reason, string queue, string body, DateTimeOffset now, string? messageId, string? type, string? field, Func<string, string, string> keyedRef)
    {
        ArgumentNullException.ThrowIfNull(keyedRef);
        var kept = new JsonObject();
        if (TryParseObject(body, caseInsensitive: true, maxChars: 64 * 1024) is { } root)
        {
            foreach (var name in QueueClearIds)
            {
                if (IdOf(root, name) is { } id)
                {
                    kept[name] = id;
                }
            }

            foreach (var name in (string[])["generation", "stage"])
            {
                if (root.TryGetPropertyValue(name, out var value) && value?.GetValueKind() == JsonValueKind.Number && value.GetValue<JsonElement>().TryGetInt32(out var number))
                {
                    kept[name] = number;
                }
            }

            foreach (var (name, kind, keptAs) in QueueKeyedIds)
            {
                if (IdOf(root, name) is { } id)
                {
                    kept[keptAs] = keyedRef(kind, id);
                }
            }

            if (root.TryGetPropertyValue("alert", out var alertNode) && alertNode is JsonObject alert)
            {
                var keptAlert = new JsonObject();
                foreach (var name in (string[])["kind", "subject", "occurrence"])
                {
                    if (IdOf(alert, name) is { } id)
                    {
                        keptAlert[name] = id;
                    }
                }

                kept["alert"] = keptAlert;
            }

            if (root.TryGetPropertyValue("customers", out var customers) && customers is JsonArray list)
            {
                kept["customerCount"] = list.Count;
            }
        }

        return new DeadLetter(reason, kept.ToJsonString(), $"queue:{queue}", now, messageId is { } m && EventValidator.IsValidId(m) ? m : null, field, type);

        static string? IdOf(JsonObject node, string name) =>
            node.TryGetPropertyValue(name, out var value) && value?.GetValueKind() == JsonValueKind.String
            && value.GetValue<string>() is var id && EventValidator.IsValidId(id) ? id : null;
    }

    /// <summary>The field a validator reason starts with (<c>birthYear</c>, <c>context.ip</c>, <c>lines[2].price</c>); null for reasons about the whole event.</summary>
    public static string? FieldOf(string reason)
    {
        var match = LeadingField().Match(reason);
        return match.Success && match.Groups[1].Value is var field && field is not ("event" or "malformed" or "unknown" or "automated") ? field : null;
    }

    private static JsonObject? TryParseObject(string body, bool caseInsensitive = false, int maxChars = EventValidator.MaxEventBytes)
    {
        try
        {
            return body.Length <= maxChars
                ? JsonNode.Parse(body, new JsonNodeOptions { PropertyNameCaseInsensitive = caseInsensitive }, new JsonDocumentOptions { MaxDepth = EventValidator.MaxDepth }) as JsonObject
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^([a-z][A-Za-z0-9_]*(?:\[\d+\])?(?:\.[a-z][A-Za-z0-9_]*(?:\[\d+\])?)*)\s")]
    private static partial Regex LeadingField();

    [GeneratedRegex("^[a-z][a-z_]{0,31}$")]
    private static partial Regex TypeName();
}
