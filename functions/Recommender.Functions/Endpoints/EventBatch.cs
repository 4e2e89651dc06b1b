using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Recommender.Domain.Ingestion;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// The storefront's batch body: a JSON array of events, or <c>{"events": [...]}</c>, in UTF-8 (a
/// leading byte-order mark is skipped). Each element is cut out as its own bytes, whatever it holds,
/// so one bad event — nested too deep, not UTF-8, not an object — is judged on its own and never
/// spoils the others. Only a body that is not JSON as a whole (answered with where it breaks), is not
/// an array of 1 to <see cref="MaxEvents"/> events, or is over <see cref="MaxBodyBytes"/> is refused whole.
/// </summary>
public static class EventBatch
{
    /// <summary>Largest accepted request body.</summary>
    public const int MaxBodyBytes = 1024 * 1024;
    /// <summary>Most events accepted in one request.</summary>
    public const int MaxEvents = 500;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public sealed record Parsed(IReadOnlyList<RawEvent>? Events, int StatusCode, string? Error)
    {
        public static Parsed Ok(IReadOnlyList<RawEvent> events) => new(events, 200, null);
        public static Parsed Fail(int statusCode, string error) => new(null, statusCode, error);
    }

    /// <summary>
    /// True for <c>application/json</c> and <c>application/*+json</c>, with no charset or UTF-8: the
    /// only bodies the collector reads (anything else is answered 415).
    /// </summary>
    public static bool IsJsonContentType(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType is { } type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        && (media.CharSet is null || media.CharSet.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase) || media.CharSet.Trim('"').Equals("utf8", StringComparison.OrdinalIgnoreCase));

    /// <summary>The 415 detail for a body that is not declared as JSON.</summary>
    public static string UnsupportedMediaType(string? contentType) =>
        $"the request body must be sent as Content-Type: application/json (UTF-8); this one is {(string.IsNullOrWhiteSpace(contentType) ? "not declared" : $"'{contentType}'")}";

    /// <summary>A body the host already decoded to text (the Functions host's invocation payload).</summary>
    public static Parsed Parse(string? body) => Parse(body is null ? [] : Encoding.UTF8.GetBytes(body));

    public static Parsed Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith(Utf8Bom))
        {
            utf8 = utf8[Utf8Bom.Length..];
        }

        if (utf8.Length > MaxBodyBytes)
        {
            return Parsed.Fail(413, $"the request body is larger than {MaxBodyBytes} bytes");
        }

        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Parsed.Fail(400, "the request body must be a JSON array of events");
        }

        // No depth limit on the batch itself (a body cannot nest deeper than it has bytes): an event
        // nested too deep is refused by the validator, alone.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxBodyBytes });
        try
        {
            reader.Read();
            List<RawEvent>? events = null;
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                events = ReadEvents(ref reader, utf8);
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isEvents = reader.ValueTextEquals("events"u8);
                    reader.Read();
                    if (isEvents && events is null && reader.TokenType == JsonTokenType.StartArray)
                    {
                        events = ReadEvents(ref reader, utf8);
                    }
                    else if (isEvents)
                    {
                        return Parsed.Fail(400, "\"events\" must be a JSON array of events, given once");
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }

            // Anything after the root value is an error the reader reports.
            while (reader.Read())
            {
            }

            if (events is null)
            {
                return Parsed.Fail(400, "the request body must be a JSON array of events or {\"events\": [...]}");
            }

            return events.Count is 0 or > MaxEvents
                ? Parsed.Fail(400, $"a batch holds 1 to {MaxEvents} events; this one has {events.Count}")
                : Parsed.Ok(events);
        }
        catch (JsonException ex)
        {
            return Parsed.Fail(400, $"the request body is not valid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1} of that line: {FirstSentence(ex.Message)}");
        }
    }

    /// <summary>Cuts the elements of the array the reader is at (stopping at <see cref="MaxEvents"/> + 1) as raw events.</summary>
    private static List<RawEvent> ReadEvents(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
    {
        var events = new List<RawEvent>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var element = utf8[start..(int)reader.BytesConsumed];
            if (events.Count <= MaxEvents)
            {
                events.Add(ToRawEvent(element));
            }
        }

        return events;
    }

    /// <summary>An element's text; an element that is not UTF-8 is refused, naming the first bad byte (the text kept has it replaced).</summary>
    private static RawEvent ToRawEvent(ReadOnlySpan<byte> element)
    {
        var text = Encoding.UTF8.GetString(element);
        var chars = ArrayPool<char>.Shared.Rent(element.Length);
        try
        {
            return Utf8.ToUtf16(element, chars, out var read, out _, replaceInvalidSequences: false) == OperationStatus.Done
                ? new RawEvent(text)
                : new RawEvent(text, $"event is not valid UTF-8 text (invalid byte 0x{element[read]:X2} at byte {read} of the event)");
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>Reads the body's bytes, at most <paramref name="maxBytes"/>; TooLarge when it is larger.</summary>
    public static async Task<(byte[]? Bytes, bool TooLarge)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes + Utf8Bom.Length)
        {
            return (null, true);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes + Utf8Bom.Length)
            {
                return (null, true);
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), false);
    }
}
