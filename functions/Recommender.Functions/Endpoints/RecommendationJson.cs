using System.Text.Json;
using Recommender.Domain.Recommendations;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// Writes a <see cref="RecommendationResponse"/> as JSON by hand, byte for byte what
/// <see cref="JsonSerializer"/> writes with the app's HTTP JSON options (camelCase names in the
/// serializer's order — a record's positional parameters, then its init properties as declared —
/// nulls left out, numbers and strings through the same <see cref="Utf8JsonWriter"/> calls and the
/// options' encoder). It exists because the reflection-based serializer cost about 15% of the CPU
/// of a recommendation request for this ~2 KB answer, the hottest response of the app. The tests
/// compare it with the serializer on the app's configured options and check that the property
/// lists here match the serializer's contract, so a change to the records or the options that is
/// not made here too fails there. Items are written from what answers repeat, written once
/// (<see cref="RecommendationItemFragments"/>: products' fields, reason texts), which generated code
/// cannot do; property by property, the System.Text.Json source generator is as fast
/// (<c>serve --writers</c>, docs/benchmarks.md).
/// </summary>
public static class RecommendationJson
{
    private static readonly JsonEncodedText RecommendationId = JsonEncodedText.Encode("recommendationId");
    private static readonly JsonEncodedText CustomerId = JsonEncodedText.Encode("customerId");
    private static readonly JsonEncodedText Placement = JsonEncodedText.Encode("placement");
    private static readonly JsonEncodedText ModelVersion = JsonEncodedText.Encode("modelVersion");
    private static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText Items = JsonEncodedText.Encode("items");
    private static readonly JsonEncodedText Personalized = JsonEncodedText.Encode("personalized");
    private static readonly JsonEncodedText Variant = JsonEncodedText.Encode("variant");
    private static readonly JsonEncodedText Strategy = JsonEncodedText.Encode("strategy");
    private static readonly JsonEncodedText Explored = JsonEncodedText.Encode("explored");

    private static readonly JsonEncodedText ProductId = JsonEncodedText.Encode("productId");
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText Category = JsonEncodedText.Encode("category");
    private static readonly JsonEncodedText Price = JsonEncodedText.Encode("price");
    private static readonly JsonEncodedText ImageUrl = JsonEncodedText.Encode("imageUrl");
    private static readonly JsonEncodedText Score = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText ReasonCode = JsonEncodedText.Encode("reasonCode");
    private static readonly JsonEncodedText Brand = JsonEncodedText.Encode("brand");
    private static readonly JsonEncodedText Url = JsonEncodedText.Encode("url");

    /// <summary>The JSON names of <see cref="RecommendationResponse"/>, in the order they are written (checked against the serializer by the tests).</summary>
    public static IReadOnlyList<string> ResponseProperties { get; } =
        [.. new[] { RecommendationId, CustomerId, Placement, ModelVersion, Source, Items, Personalized, Variant, Strategy, Explored }.Select(n => n.Value)];

    /// <summary>The JSON names of <see cref="RecommendationView"/>, in the order they are written (checked against the serializer by the tests).</summary>
    public static IReadOnlyList<string> ItemProperties { get; } =
        [.. new[] { ProductId, Name, Category, Price, ImageUrl, Score, Reason, ReasonCode, Brand, Url }.Select(n => n.Value)];

    /// <summary>The writer options the serializer derives from <paramref name="options"/> (its encoder and layout; no validation, as the serializer).</summary>
    public static JsonWriterOptions WriterOptions(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new JsonWriterOptions
        {
            Encoder = options.Encoder,
            Indented = options.WriteIndented,
            IndentCharacter = options.IndentCharacter,
            IndentSize = options.IndentSize,
            NewLine = options.NewLine,
            MaxDepth = options.MaxDepth,
            SkipValidation = true,
        };
    }

    /// <summary>The response as UTF-8 JSON in a new array (tests and benchmarks; the endpoint writes through <see cref="RecommendationJsonResult"/>).</summary>
    public static byte[] SerializeToUtf8Bytes(RecommendationResponse response, JsonSerializerOptions options)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions(options)))
        {
            Write(writer, response);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <paramref name="response"/> as one JSON object (the caller flushes the writer).</summary>
    public static void Write(Utf8JsonWriter writer, RecommendationResponse response) => Write(writer, response, fromFragments: true);

    /// <summary>Writes <paramref name="response"/>; its items property by property unless <paramref name="fromFragments"/> (the benchmark compares the two).</summary>
    internal static void Write(Utf8JsonWriter writer, RecommendationResponse response, bool fromFragments) => Write(writer, response, fromFragments, output: null, renderedItems: null);

    /// <summary>
    /// Writes <paramref name="response"/> into <paramref name="output"/> (what <paramref name="writer"/> writes to, nothing
    /// written yet): a kept answer's items are copied from what was written for it before (<see cref="RenderedItems"/>), and
    /// written there the first time.
    /// </summary>
    internal static void Write(Utf8JsonWriter writer, RecommendationResponse response, System.Buffers.ArrayBufferWriter<byte> output, RenderedItems? renderedItems) =>
        Write(writer, response, fromFragments: true, output, renderedItems);

    private static void Write(Utf8JsonWriter writer, RecommendationResponse response, bool fromFragments, System.Buffers.ArrayBufferWriter<byte>? output = null,
        RenderedItems? renderedItems = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        writer.WriteStartObject();
        // Non-nullable strings are still checked: the HTTP options do not respect nullable
        // annotations, so the serializer leaves a null out wherever it is.
        String(writer, RecommendationId, response.RecommendationId);
        String(writer, CustomerId, response.CustomerId);
        String(writer, Placement, response.Placement);
        String(writer, ModelVersion, response.ModelVersion);
        String(writer, Source, response.Source);
        if (response.Items is { } items)
        {
            // A kept answer's items are copied as written the first time it was served, and kept when written now.
            var answer = response.KeptAnswer.GetValueOrDefault();
            var rendered = output is not null && response.KeptAnswer is not null && renderedItems is not null && !writer.Options.Indented
                && renderedItems.WritesWith(writer.Options.Encoder) ? renderedItems : null;
            if (rendered is null || !TryWriteRendered(writer, rendered, answer))
            {
                writer.WritePropertyName(Items);
                if (rendered is null)
                {
                    WriteItems(writer, items, fromFragments);
                }
                else
                {
                    writer.Flush();
                    var start = output!.WrittenCount;
                    WriteItems(writer, items, fromFragments);
                    writer.Flush();
                    rendered.Add(answer, output.WrittenSpan[start..]);
                }
            }
        }

        writer.WriteBoolean(Personalized, response.Personalized);
        String(writer, Variant, response.Variant);
        String(writer, Strategy, response.Strategy);
        writer.WriteBoolean(Explored, response.Explored);
        writer.WriteEndObject();
    }

    /// <summary>
    /// What items repeat across answers (products' fields, reason texts), written once (<see cref="RecommendationItemFragments"/>):
    /// one set for the encoder in use (the app's options have one).
    /// </summary>
    private static RecommendationItemFragments? _fragments;

    private static RecommendationItemFragments FragmentsFor(System.Text.Encodings.Web.JavaScriptEncoder? encoder)
    {
        var fragments = Volatile.Read(ref _fragments);
        if (fragments is null || !ReferenceEquals(fragments.Encoder, encoder))
        {
            Volatile.Write(ref _fragments, fragments = new RecommendationItemFragments(encoder));
        }

        return fragments;
    }

    /// <summary>The items array (after its property name).</summary>
    private static void WriteItems(Utf8JsonWriter writer, IReadOnlyList<RecommendationView> items, bool fromFragments)
    {
        writer.WriteStartArray();
        var fragments = writer.Options.Indented || !fromFragments ? null : FragmentsFor(writer.Options.Encoder);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is { } item)
            {
                if (fragments?.TryWrite(writer, item) != true)
                {
                    WriteItem(writer, item);
                }
            }
            else
            {
                writer.WriteNullValue(); // elements are written even when null
            }
        }

        writer.WriteEndArray();
    }

    /// <summary>Where a kept answer's items are copied before they are written (per thread).</summary>
    [ThreadStatic]
    private static byte[]? _renderedScratch;

    private static bool TryWriteRendered(Utf8JsonWriter writer, RenderedItems rendered, long answer)
    {
        var scratch = _renderedScratch ??= new byte[RenderedItems.MaxEntryBytes];
        var length = rendered.TryCopy(answer, scratch);
        if (length < 0)
        {
            return false;
        }

        writer.WritePropertyName(Items);
        writer.WriteRawValue(scratch.AsSpan(0, length), skipInputValidation: true);
        return true;
    }

    private static void WriteItem(Utf8JsonWriter writer, RecommendationView item)
    {
        writer.WriteStartObject();
        WriteProductHead(writer, item);
        writer.WriteNumber(Score, item.Score);
        String(writer, Reason, item.Reason);
        String(writer, ReasonCode, item.ReasonCode);
        WriteProductTail(writer, item);
        writer.WriteEndObject();
    }

    /// <summary>An item's properties before its score: the product's id and catalog fields.</summary>
    internal static void WriteProductHead(Utf8JsonWriter writer, RecommendationView item)
    {
        String(writer, ProductId, item.ProductId);
        String(writer, Name, item.Name);
        String(writer, Category, item.Category);
        if (item.Price is { } price)
        {
            writer.WriteNumber(Price, price);
        }

        String(writer, ImageUrl, item.ImageUrl);
    }

    /// <summary>An item's properties after its reasons: the product's brand and page.</summary>
    internal static void WriteProductTail(Utf8JsonWriter writer, RecommendationView item)
    {
        String(writer, Brand, item.Brand);
        String(writer, Url, item.Url);
    }

    private static void String(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
