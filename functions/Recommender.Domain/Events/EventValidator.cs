using System.Text;
using System.Text.Json;

namespace Recommender.Domain.Events;

/// <summary>
/// Turns one raw event body into a <see cref="ClickstreamEvent"/> or a precise reason naming the
/// field. It never throws on bad input: truncated JSON, duplicate keys, wrong types, unknown types,
/// oversized bodies or arrays, control characters and out-of-range numbers all come back as an
/// error string. Private data is handled here, so nothing downstream sees the raw values: IP
/// addresses are truncated (an unparsable one is dropped), referrers keep their host, precise
/// location and free text (but the search query) are dropped, and every field outside the schema is
/// dropped and reported in <see cref="EventValidation.DroppedFields"/>.
/// </summary>
public sealed partial class EventValidator(TimeProvider timeProvider)
{
    /// <summary>Largest accepted event body in UTF-8 bytes.</summary>
    public const int MaxEventBytes = 16 * 1024;
    public const int MaxIdLength = 128;
    public const int MaxOrderLines = 100;
    public const int MaxQuantity = 1000;
    /// <summary>Largest unit price.</summary>
    public const decimal MaxPrice = 1_000_000m;
    /// <summary>Largest order-level amount (subtotal, tax, shipping, discount, total, cart value, refund).</summary>
    public const decimal MaxAmount = 100_000_000m;
    /// <summary>Labels: category, brand, filter name and value, utm_*, attribute keys and values.</summary>
    public const int MaxLabelLength = 64;
    /// <summary>Account events: at most this many stated categories, and as many brands.</summary>
    public const int MaxStatedPreferences = 20;
    /// <summary>Recommendation placement and variant.</summary>
    public const int MaxPlacementLength = 32;
    /// <summary>The search query, the only free text kept.</summary>
    public const int MaxQueryLength = 200;
    /// <summary>A product's name in a catalog_change.</summary>
    public const int MaxProductNameLength = 200;
    public const int MaxUserAgentLength = 512;
    public const int MaxLocaleLength = 16;
    public const int MaxTimeZoneLength = 64;
    /// <summary>Referrer URLs longer than this are refused (only the host is kept anyway).</summary>
    public const int MaxReferrerLength = 2048;
    public const int MaxFilterKeys = 20;
    public const int MaxFilterValues = 20;
    public const int MaxAttributes = 20;
    public const int MaxResultIds = 100;
    public const int MinComparedProducts = 2;
    public const int MaxComparedProducts = 10;
    public const int MaxImpressionProducts = 50;
    public const int MaxPosition = 100;
    public const int MaxImageIndex = 100;
    /// <summary>Ten hours of video.</summary>
    public const int MaxVideoSeconds = 36_000;
    public const int MinBirthYear = 1900;
    /// <summary>Longest consent <c>relayedBy</c> (<c>storefront:{client}</c>, <c>operator:{object id}</c>).</summary>
    public const int MaxRelayLength = 128;
    /// <summary>Nesting depth of an event body (the deepest schema use is search.filters arrays, depth 3).</summary>
    public const int MaxDepth = 8;
    /// <summary>Events stamped further ahead than this (clock skew) are refused.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);
    /// <summary>Events older than this are refused: too late to be worth applying.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(30);

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };
    private static readonly HashSet<string> ConsentChannels = new(StringComparer.Ordinal)
    {
        "email", "sms", "push", "analytics", "personalization", "ad_audiences", "email_tracking", "push_tracking",
    };

    public EventValidation Validate(string body)
    {
        // A UTF-16 string never has fewer UTF-8 bytes than chars: a long one is refused without counting.
        if (body.Length > MaxEventBytes || Encoding.UTF8.GetByteCount(body) > MaxEventBytes)
        {
            return EventValidation.Invalid(null, $"event is larger than {MaxEventBytes} bytes");
        }

        try
        {
            using var document = JsonDocument.Parse(body, DocumentOptions);
            return Validate(document.RootElement);
        }
        catch (JsonException ex)
        {
            return EventValidation.Invalid(null, $"malformed JSON: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            // Escaped lone UTF-16 surrogates are caught when property names are compared for duplicates.
            return EventValidation.Invalid(null, $"malformed JSON: {ex.Message}");
        }
    }

    /// <summary>Validates a parsed event. Its size is not checked here: <see cref="Validate(string)"/> does that.</summary>
    public EventValidation Validate(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return EventValidation.Invalid(null, "event must be a JSON object");
        }

        try
        {
            return Validate(new FieldReader(root));
        }
        catch (InvalidOperationException)
        {
            // Text that cannot be read (an escaped lone surrogate) in a name the reader had to compare.
            return EventValidation.Invalid(null, "event contains text that is not valid UTF-16");
        }
    }

    private EventValidation Validate(FieldReader reader)
    {
        var id = reader.Id("id");
        if (reader.Error is { } idError)
        {
            return EventValidation.Invalid(null, idError);
        }

        var result = Build(reader, id!);
        if (reader.Error is { } error)
        {
            return EventValidation.Invalid(id, error);
        }

        reader.DropUnread();
        return EventValidation.Valid(result!, [.. reader.Dropped]);
    }

    private ClickstreamEvent? Build(FieldReader reader, string id)
    {
        var typeName = reader.String("type", required: true, maxLength: 32);
        var customerId = reader.Id("customerId", required: false);
        var anonymousId = reader.Id("anonymousId", required: false);
        var sessionId = reader.Id("sessionId", required: false);
        var occurredAt = reader.Timestamp("occurredAt");
        if (reader.Error is not null)
        {
            return null;
        }

        if (!WireNames<EventType>.TryParse(typeName!, out var type))
        {
            return reader.Fail($"unknown event type '{typeName}'");
        }

        var now = timeProvider.GetUtcNow();
        if (occurredAt > now + MaxClockSkew)
        {
            return reader.Fail("occurredAt is in the future");
        }

        if (occurredAt < now - MaxAge)
        {
            return reader.Fail($"occurredAt is older than {MaxAge.TotalDays} days");
        }

        if (CheckSubject(type, customerId, anonymousId) is { } subjectError)
        {
            return reader.Fail(subjectError);
        }

        var e = new ClickstreamEvent
        {
            Id = id,
            Type = type,
            CustomerId = customerId,
            AnonymousId = anonymousId,
            SessionId = sessionId,
            OccurredAt = occurredAt!.Value,
            Context = Context(reader),
        };
        return reader.Error is not null ? null : BuildType(reader, e, now);
    }

    /// <summary>
    /// Who an event may be about: a customer, an anonymous visitor or both (identify needs both,
    /// account and delivery a customer); catalog_change is about products, so no person may be named on it.
    /// </summary>
    private static string? CheckSubject(EventType type, string? customerId, string? anonymousId)
    {
        if (customerId?.StartsWith(ClickstreamEvent.ErasedSubjectPrefix, StringComparison.Ordinal) == true)
        {
            return $"customerId must not start with '{ClickstreamEvent.ErasedSubjectPrefix}' (reserved for erased customers' retained records)";
        }

        if (customerId?.StartsWith(ClickstreamEvent.PseudonymSubjectPrefix, StringComparison.Ordinal) == true)
        {
            return $"customerId must not start with '{ClickstreamEvent.PseudonymSubjectPrefix}' (reserved for pseudonymized order records)";
        }

        if (customerId?.StartsWith(ClickstreamEvent.AnonymousSubjectPrefix, StringComparison.Ordinal) == true)
        {
            return $"customerId must not start with '{ClickstreamEvent.AnonymousSubjectPrefix}' (reserved for anonymous visitors)";
        }

        return type switch
        {
            EventType.CatalogChange when customerId is not null => "customerId must be absent from catalog_change: catalog events are about products, not people",
            EventType.CatalogChange when anonymousId is not null => "anonymousId must be absent from catalog_change: catalog events are about products, not people",
            EventType.CatalogChange => null,
            EventType.Identify when customerId is null => "customerId is required for identify",
            EventType.Identify when anonymousId is null => "anonymousId is required for identify (the visitor being linked to the customer)",
            EventType.Account when customerId is null => "customerId is required for account",
            EventType.Delivery when customerId is null => "customerId is required for delivery",
            _ when customerId is null && anonymousId is null => "customerId is required (or anonymousId for an anonymous visitor)",
            _ => null,
        };
    }

    /// <summary>
    /// <c>context</c>: the IP address truncated (unparsable: dropped), user agent, device, country,
    /// locale. Latitude, longitude and anything else are dropped and reported.
    /// </summary>
    private static EventContext? Context(FieldReader reader)
    {
        if (reader.Object("context") is not { } context)
        {
            return null;
        }

        string? ip = null;
        if (context.Text("ip", required: false) is { } rawIp)
        {
            ip = PrivacyFilters.TruncateIp(rawIp);
            if (ip is null)
            {
                context.Drop("ip");
            }
        }

        var result = new EventContext
        {
            Ip = ip,
            UserAgent = context.String("userAgent", false, MaxUserAgentLength),
            Device = context.Choice<DeviceType>("device", false),
            Country = context.Formatted("country", 2, s => s.All(char.IsAsciiLetter), "an ISO 3166-1 alpha-2 country code")?.ToUpperInvariant(),
            Locale = context.Formatted("locale", MaxLocaleLength, IsLanguageTag, "a language tag such as en-GB"),
        };
        context.DropUnread();
        return result.IsEmpty ? null : result;
    }

    private static bool IsLanguageTag(string s) =>
        char.IsAsciiLetter(s[0]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>IANA names: <c>UTC</c>, <c>Europe/Paris</c>, <c>America/Argentina/Buenos_Aires</c>, <c>Etc/GMT+5</c>.</summary>
    private static bool IsTimeZoneName(string s) =>
        char.IsAsciiLetter(s[0]) && s[^1] != '/' && !s.Contains("//", StringComparison.Ordinal)
        && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '+');

    private static bool IsCurrencyCode(string s) => s.Length == 3 && s.All(char.IsAsciiLetterUpper);

    public static bool IsValidId(string s) =>
        s.Length is > 0 and <= MaxIdLength && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@');
}
