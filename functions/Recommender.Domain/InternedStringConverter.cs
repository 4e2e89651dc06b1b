using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recommender.Domain;

/// <summary>
/// Reads strings that repeat across many documents — product ids, reason texts and codes of cached
/// lists — as one shared instance per distinct text, so the lists an in-process cache holds share
/// their strings instead of each holding copies (and reading one allocates less). At most
/// <see cref="MaxEntries"/> distinct texts of up to <see cref="MaxLength"/> characters are pooled;
/// past that, strings are read as usual. Writes are plain strings.
/// </summary>
public sealed class InternedStringConverter : JsonConverter<string>
{
    public const int MaxEntries = 262_144;
    public const int MaxLength = 256;

    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Pool.GetAlternateLookup<ReadOnlySpan<char>>();
    private static int s_count;

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var byteLength = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (reader.TokenType != JsonTokenType.String || byteLength > MaxLength)
        {
            return reader.GetString()!; // throws for a token that is not a string
        }

        // A UTF-8 string never has more characters than bytes (escaped or not).
        Span<char> buffer = stackalloc char[MaxLength];
        var text = buffer[..reader.CopyString(buffer)];
        if (Lookup.TryGetValue(text, out var shared))
        {
            return shared;
        }

        var value = text.ToString();
        if (Volatile.Read(ref s_count) >= MaxEntries)
        {
            return value;
        }

        shared = Pool.GetOrAdd(value, value);
        if (ReferenceEquals(shared, value))
        {
            Interlocked.Increment(ref s_count);
        }

        return shared;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
