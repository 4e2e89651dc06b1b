using System.Globalization;
using System.Text.Json;

namespace Recommender.Domain.Events;

/// <summary>
/// Reads typed fields of one JSON object, keeping the first error, and remembers which fields it
/// read so the rest can be dropped and reported (<see cref="DropUnread"/>). Nested objects get a
/// reader of their own that shares the error and the dropped-field list. Never throws on bad input.
/// </summary>
internal sealed class FieldReader
{
    /// <summary>Longest dropped-field name reported; longer names are cut.</summary>
    public const int MaxReportedNameLength = 64;

    private readonly JsonElement _root;
    private readonly Shared _shared;
    private readonly string _path;
    private readonly string _messagePrefix;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public FieldReader(JsonElement root)
        : this(root, new Shared(), "", "")
    {
    }

    private FieldReader(JsonElement root, Shared shared, string path, string messagePrefix)
    {
        _root = root;
        _shared = shared;
        _path = path;
        _messagePrefix = messagePrefix;
    }

    public string? Error => _shared.Error;

    public IReadOnlyList<string> Dropped => _shared.Dropped;

    public ClickstreamEvent? Fail(string error)
    {
        _shared.Error ??= error;
        return null;
    }

    /// <summary>How a field is named in error messages (<c>context.ip</c>, <c>lines[0]: price</c>).</summary>
    public string Label(string name) => _messagePrefix + name;

    /// <summary>Reports a field that was read but is not kept (an unparsable IP address).</summary>
    public void Drop(string name)
    {
        _read.Add(name);
        _shared.Dropped.Add(Report(_path + name));
    }

    /// <summary>Drops and reports every field of this object that no read asked for.</summary>
    public void DropUnread()
    {
        foreach (var property in _root.EnumerateObject())
        {
            var name = SafeName(property) ?? "?";
            if (_read.Add(name))
            {
                _shared.Dropped.Add(Report(_path + name));
            }
        }
    }

    private bool TryGet(string name, bool required, out JsonElement value)
    {
        _read.Add(name);
        if (_root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required)
        {
            Fail($"{Label(name)} is required");
        }

        return false;
    }

    public string? String(string name, bool required, int maxLength)
    {
        var s = Text(name, required);
        if (s is not null && (s.Length == 0 || s.Length > maxLength))
        {
            Fail($"{Label(name)} must be 1 to {maxLength} characters");
            return null;
        }

        return s;
    }

    /// <summary>A string of any length (the event's size bounds it), without control characters.</summary>
    public string? Text(string name, bool required)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        return AsText(value, Label(name));
    }

    private string? AsText(JsonElement value, string label)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            Fail($"{label} must be a string");
            return null;
        }

        string s;
        try
        {
            s = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            Fail($"{label} is not valid text");
            return null;
        }

        if (s.Any(char.IsControl))
        {
            Fail($"{label} contains control characters");
            return null;
        }

        return s;
    }

    /// <summary>Identifiers: 1-128 of letters, digits and <c>- _ . : @</c> (safe as store keys).</summary>
    public string? Id(string name, bool required = true)
    {
        var s = String(name, required, EventValidator.MaxIdLength);
        if (s is not null && !EventValidator.IsValidId(s))
        {
            Fail($"{Label(name)} may contain only letters, digits and - _ . : @");
            return null;
        }

        return s;
    }

    public DateTimeOffset? Timestamp(string name, bool required = true)
    {
        var s = String(name, required, 40);
        if (s is null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            Fail($"{Label(name)} must be an ISO 8601 timestamp");
            return null;
        }

        return at;
    }

    public bool? Boolean(string name, bool required = true)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Fail($"{Label(name)} must be true or false");
            return null;
        }

        return value.GetBoolean();
    }

    public int? Integer(string name, bool required, int min, int max)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n) || n < min || n > max)
        {
            Fail($"{Label(name)} must be a whole number from {min} to {max}");
            return null;
        }

        return n;
    }

    public int? Quantity(string name) => Integer(name, false, 1, EventValidator.MaxQuantity);

    /// <summary>A non-negative amount of money up to <paramref name="max"/>.</summary>
    public decimal? Money(string name, bool required, decimal max)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var amount) || amount < 0 || amount > max)
        {
            Fail($"{Label(name)} must be a number from 0 to {max.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        return amount;
    }

    public decimal? Price(string name, bool required) => Money(name, required, EventValidator.MaxPrice);

    /// <summary>One of the snake_case names of <typeparamref name="T"/>.</summary>
    public T? Choice<T>(string name, bool required)
        where T : struct, Enum
    {
        var s = String(name, required, 32);
        if (s is null)
        {
            return null;
        }

        if (!WireNames<T>.TryParse(s, out var value))
        {
            Fail($"{Label(name)} must be one of {WireNames<T>.All}");
            return null;
        }

        return value;
    }

    /// <summary>A string that must pass <paramref name="isValid"/>; <paramref name="expected"/> ends the error message.</summary>
    public string? Formatted(string name, int maxLength, Func<string, bool> isValid, string expected)
    {
        var s = Text(name, false);
        if (s is not null && (s.Length == 0 || s.Length > maxLength || !isValid(s)))
        {
            Fail($"{Label(name)} must be {expected}");
            return null;
        }

        return s;
    }

    /// <summary>An array of <paramref name="min"/> to <paramref name="max"/> ids (its length is checked before any element is read).</summary>
    public IReadOnlyList<string>? IdList(string name, bool required, int min, int max, bool distinct = false)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() < min || value.GetArrayLength() > max)
        {
            Fail($"{Label(name)} must be an array of {min} to {max} ids");
            return null;
        }

        var ids = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            var s = item.ValueKind == JsonValueKind.String ? AsText(item, Label(name)) : null;
            if (s is null || !EventValidator.IsValidId(s))
            {
                Fail($"{Label(name)}[{ids.Count}] must be an id of 1 to {EventValidator.MaxIdLength} letters, digits and - _ . : @");
                return null;
            }

            ids.Add(s);
        }

        if (distinct && ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
        {
            Fail($"{Label(name)} must not repeat an id");
            return null;
        }

        return ids;
    }

    /// <summary>
    /// An array of at most <paramref name="max"/> distinct labels (1 to <paramref name="maxLength"/> characters, no
    /// control characters); an empty array is valid (it states "none"). Its length is checked before any element is read.
    /// </summary>
    public IReadOnlyList<string>? Labels(string name, int max, int maxLength)
    {
        if (!TryGet(name, false, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > max)
        {
            Fail($"{Label(name)} must be an array of at most {max} names");
            return null;
        }

        var labels = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            var s = AsText(item, $"{Label(name)}[{labels.Count}]");
            if (s is null)
            {
                return null;
            }

            if (s.Length == 0 || s.Length > maxLength)
            {
                Fail($"{Label(name)}[{labels.Count}] must be 1 to {maxLength} characters");
                return null;
            }

            if (labels.Contains(s, StringComparer.Ordinal))
            {
                Fail($"{Label(name)} must not repeat '{s}'");
                return null;
            }

            labels.Add(s);
        }

        return labels;
    }

    /// <summary>
    /// An object of at most <paramref name="maxKeys"/> keys to strings or, when
    /// <paramref name="maxValues"/> is above 0, also to arrays of 1 to <paramref name="maxValues"/>
    /// strings (a single string becomes a one-element list). Keys and values are 1 to
    /// <paramref name="maxLength"/> characters without control characters.
    /// </summary>
    public Dictionary<string, IReadOnlyList<string>>? StringMap(string name, int maxKeys, int maxLength, int maxValues)
    {
        if (!TryGet(name, false, out var value))
        {
            return null;
        }

        var shape = maxValues > 0 ? "a string or an array of strings" : "a string";
        if (value.ValueKind != JsonValueKind.Object)
        {
            Fail($"{Label(name)} must be an object whose values are each {shape}");
            return null;
        }

        var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (map.Count == maxKeys)
            {
                Fail($"{Label(name)} may have at most {maxKeys} keys");
                return null;
            }

            var key = SafeName(property);
            if (key is null || key.Length == 0 || key.Length > maxLength || key.Any(char.IsControl))
            {
                Fail($"{Label(name)} keys must be 1 to {maxLength} characters without control characters");
                return null;
            }

            var label = $"{Label(name)}.{key}";
            var item = property.Value;
            var isList = item.ValueKind == JsonValueKind.Array && maxValues > 0;
            if (!isList && item.ValueKind != JsonValueKind.String)
            {
                Fail($"{label} must be {shape}");
                return null;
            }

            if (isList && (item.GetArrayLength() == 0 || item.GetArrayLength() > maxValues))
            {
                Fail($"{label} must have 1 to {maxValues} values");
                return null;
            }

            var values = new List<string>();
            IEnumerable<JsonElement> elements = isList ? item.EnumerateArray() : [item];
            foreach (var element in elements)
            {
                var s = AsText(element, label);
                if (s is null)
                {
                    return null;
                }

                if (s.Length == 0 || s.Length > maxLength)
                {
                    Fail($"{label} values must be 1 to {maxLength} characters");
                    return null;
                }

                values.Add(s);
            }

            map[key] = values;
        }

        return map;
    }

    /// <summary>Order lines: <c>productId</c>, <c>quantity</c> (default 1) and a unit <c>price</c>.</summary>
    public IReadOnlyList<OrderLine>? Lines(string name, bool priceRequired)
    {
        if (!TryGet(name, true, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > EventValidator.MaxOrderLines)
        {
            Fail($"{Label(name)} must be an array of 1 to {EventValidator.MaxOrderLines} order lines");
            return null;
        }

        var lines = new List<OrderLine>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                Fail($"{Label(name)} must contain objects");
                return null;
            }

            var index = $"{name}[{lines.Count}]";
            var line = new FieldReader(item, _shared, $"{_path}{index}.", $"{_messagePrefix}{index}: ");
            var productId = line.Id("productId");
            var quantity = line.Quantity("quantity") ?? 1;
            var price = line.Price("price", priceRequired);
            var recommendationId = line.Id("recommendationId", required: false);
            if (Error is not null)
            {
                return null;
            }

            line.DropUnread();
            lines.Add(new OrderLine(productId!, quantity, price) { RecommendationId = recommendationId });
        }

        return lines;
    }

    /// <summary>A nested object read by its own reader (errors read <c>name.field</c>), or null when absent or not an object.</summary>
    public FieldReader? Object(string name)
    {
        if (!TryGet(name, false, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Fail($"{Label(name)} must be an object");
            return null;
        }

        return new FieldReader(value, _shared, $"{_path}{name}.", $"{_messagePrefix}{name}.");
    }

    private static string? SafeName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Report(string path)
    {
        var chars = path.Select(c => char.IsControl(c) ? '?' : c);
        var clean = string.Concat(chars);
        return clean.Length > MaxReportedNameLength ? string.Concat(clean.AsSpan(0, MaxReportedNameLength), "…") : clean;
    }

    /// <summary>What every reader of one event shares: the first error and the dropped fields.</summary>
    private sealed class Shared
    {
        public string? Error { get; set; }

        public List<string> Dropped { get; } = [];
    }
}
