using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Recommender.Domain.Events;

/// <summary>The outcome of validating one raw event: the event, or why it was refused.</summary>
public sealed record EventValidation(ClickstreamEvent? Event, string? EventId, string? Error)
{
    public bool IsValid => Event is not null;
    public static EventValidation Valid(ClickstreamEvent e) => new(e, e.Id, null);
    public static EventValidation Invalid(string? eventId, string error) => new(null, eventId, error);
}

/// <summary>
/// Turns one raw event body into a <see cref="ClickstreamEvent"/> or a precise reason. It never
/// throws on bad input: truncated JSON, wrong types, unknown types, oversized bodies, control
/// characters and out-of-range numbers all come back as an error string.
/// </summary>
public sealed class EventValidator(TimeProvider timeProvider)
{
    /// <summary>Largest accepted event body in UTF-8 bytes.</summary>
    public const int MaxEventBytes = 16 * 1024;
    public const int MaxIdLength = 128;
    public const int MaxOrderLines = 100;
    public const int MaxQuantity = 1000;
    public const decimal MaxPrice = 1_000_000m;
    /// <summary>Events stamped further ahead than this (clock skew) are refused.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);
    /// <summary>Events older than this are refused: too late to be worth applying.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(30);

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 8 };
    private static readonly HashSet<string> ConsentChannels = new(StringComparer.Ordinal)
    {
        "email", "sms", "push", "analytics", "personalization", "ad_audiences",
    };

    public EventValidation Validate(string body)
    {
        if (Encoding.UTF8.GetByteCount(body) > MaxEventBytes)
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
    }

    public EventValidation Validate(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return EventValidation.Invalid(null, "event must be a JSON object");
        }

        var reader = new FieldReader(root);
        var id = reader.Id("id");
        if (reader.Error is { } idError)
        {
            return EventValidation.Invalid(null, idError);
        }

        var result = Build(reader, id!);
        return reader.Error is { } error ? EventValidation.Invalid(id, error) : EventValidation.Valid(result!);
    }

    private ClickstreamEvent? Build(FieldReader reader, string id)
    {
        var typeName = reader.String("type", required: true, maxLength: 32);
        var customerId = reader.Id("customerId");
        var occurredAt = reader.Timestamp("occurredAt");
        if (reader.Error is not null)
        {
            return null;
        }

        if (!TryParseType(typeName!, out var type))
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

        var e = new ClickstreamEvent { Id = id, Type = type, CustomerId = customerId!, OccurredAt = occurredAt!.Value };
        return type switch
        {
            EventType.View => e with { ProductId = reader.Id("productId"), Category = reader.String("category", false, 64), Price = reader.Price("price", false) },
            EventType.AddToCart or EventType.RemoveFromCart => e with
            {
                ProductId = reader.Id("productId"),
                Quantity = reader.Quantity("quantity") ?? 1,
                Price = reader.Price("price", false),
            },
            EventType.Purchase => e with { OrderId = reader.Id("orderId"), Lines = reader.Lines("lines") },
            EventType.Consent => ConsentEvent(reader, e),
            _ => reader.Fail($"unknown event type '{typeName}'"),
        };
    }

    private static ClickstreamEvent? ConsentEvent(FieldReader reader, ClickstreamEvent e)
    {
        var channel = reader.String("channel", true, 32);
        var granted = reader.Boolean("granted");
        var policy = reader.String("policyVersion", true, 32);
        var source = reader.String("source", true, 64);
        if (channel is not null && !ConsentChannels.Contains(channel))
        {
            return reader.Fail($"unknown consent channel '{channel}'");
        }

        return e with { Channel = channel, Granted = granted, PolicyVersion = policy, Source = source };
    }

    private static bool TryParseType(string name, out EventType type)
    {
        type = name switch
        {
            "view" => EventType.View,
            "add_to_cart" => EventType.AddToCart,
            "remove_from_cart" => EventType.RemoveFromCart,
            "purchase" => EventType.Purchase,
            "consent" => EventType.Consent,
            _ => (EventType)(-1),
        };
        return Enum.IsDefined(type);
    }

    /// <summary>Reads typed fields, keeping the first error.</summary>
    private sealed class FieldReader(JsonElement root)
    {
        public string? Error { get; private set; }

        public ClickstreamEvent? Fail(string error)
        {
            Error ??= error;
            return null;
        }

        private bool TryGet(string name, bool required, out JsonElement value)
        {
            if (root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
            {
                return true;
            }

            if (required)
            {
                Fail($"{name} is required");
            }

            return false;
        }

        public string? String(string name, bool required, int maxLength)
        {
            if (!TryGet(name, required, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                Fail($"{name} must be a string");
                return null;
            }

            var s = value.GetString()!;
            if (s.Length == 0 || s.Length > maxLength)
            {
                Fail($"{name} must be 1 to {maxLength} characters");
                return null;
            }

            if (s.Any(char.IsControl))
            {
                Fail($"{name} contains control characters");
                return null;
            }

            return s;
        }

        /// <summary>Identifiers: 1-128 of letters, digits and <c>- _ . : @</c> (safe as store keys).</summary>
        public string? Id(string name)
        {
            var s = String(name, true, MaxIdLength);
            if (s is not null && !IsValidId(s))
            {
                Fail($"{name} may contain only letters, digits and - _ . : @");
                return null;
            }

            return s;
        }

        public DateTimeOffset? Timestamp(string name)
        {
            var s = String(name, true, 40);
            if (s is null)
            {
                return null;
            }

            if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                Fail($"{name} must be an ISO 8601 timestamp");
                return null;
            }

            return at;
        }

        public bool? Boolean(string name)
        {
            if (!TryGet(name, true, out var value))
            {
                return null;
            }

            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Fail($"{name} must be true or false");
                return null;
            }

            return value.GetBoolean();
        }

        public int? Quantity(string name)
        {
            if (!TryGet(name, false, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var q) || q < 1 || q > MaxQuantity)
            {
                Fail($"{name} must be a whole number from 1 to {MaxQuantity}");
                return null;
            }

            return q;
        }

        public decimal? Price(string name, bool required)
        {
            if (!TryGet(name, required, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var p) || p < 0 || p > MaxPrice)
            {
                Fail($"{name} must be a number from 0 to {MaxPrice}");
                return null;
            }

            return p;
        }

        public IReadOnlyList<OrderLine>? Lines(string name)
        {
            if (!TryGet(name, true, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > MaxOrderLines)
            {
                Fail($"{name} must be an array of 1 to {MaxOrderLines} order lines");
                return null;
            }

            var lines = new List<OrderLine>();
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Fail($"{name} must contain objects");
                    return null;
                }

                var line = new FieldReader(item);
                var productId = line.Id("productId");
                var quantity = line.Quantity("quantity") ?? 1;
                var price = line.Price("price", true);
                if (line.Error is { } lineError)
                {
                    Fail($"{name}[{lines.Count}]: {lineError}");
                    return null;
                }

                lines.Add(new OrderLine(productId!, quantity, price!.Value));
            }

            return lines;
        }
    }

    public static bool IsValidId(string s) =>
        s.Length is > 0 and <= MaxIdLength && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@');
}
