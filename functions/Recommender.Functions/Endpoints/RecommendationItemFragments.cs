using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using Recommender.Domain.Recommendations;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// What the answers' items repeat, written once per encoder: each product's part of an item (its id and catalog
/// fields: <c>{"productId":…,"name":…,"category":…,"price":…,"imageUrl":…</c> and <c>"brand":…,"url":…}</c>) and
/// each reason text, as <see cref="RecommendationJson"/> writes them. An item is then those bytes around its score,
/// written as one raw value: the same bytes as property by property, without escaping and transcoding the same
/// strings again for every answer (most of the writer's time). Only catalog data and reason texts are kept, never
/// anything of a customer's answer, so nothing here follows a customer; a product's part is used only when every
/// field it was written from equals the item's (a catalog change is seen at once). Bounded: emptied when it holds
/// more than <see cref="MaxBytes"/>.
/// </summary>
internal sealed class RecommendationItemFragments(JavaScriptEncoder? encoder)
{
    /// <summary>What the fragments may hold before they are emptied (10,000 products with their reasons take ~3 MB).</summary>
    public const int MaxBytes = 32 * 1024 * 1024;

    /// <summary>Longer strings are written as they come (they are rare, and would crowd the fragments out).</summary>
    private const int MaxKeptChars = 512;

    private static ReadOnlySpan<byte> ScoreName => ",\"score\":"u8;
    private static ReadOnlySpan<byte> ReasonName => ",\"reason\":"u8;
    private static ReadOnlySpan<byte> ReasonCodeName => ",\"reasonCode\":"u8;

    private const int ScratchBytes = 2048;

    /// <summary>Where an item is put together before it is written (per thread; a longer one rents).</summary>
    [ThreadStatic]
    private static byte[]? _scratch;

    private readonly ConcurrentDictionary<string, ProductPart> _products = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _texts = new(StringComparer.Ordinal);
    private long _bytes;

    public JavaScriptEncoder? Encoder { get; } = encoder;

    /// <summary>
    /// Writes <paramref name="item"/> as one value from its fragments; false (nothing written) when it cannot be
    /// (a missing product id, a long or invalid string, a score JSON cannot hold): the caller then writes it property by property.
    /// </summary>
    public bool TryWrite(Utf8JsonWriter writer, RecommendationView item)
    {
        if (item.ProductId is not { Length: <= MaxKeptChars } productId || !double.IsFinite(item.Score)
            || ProductOf(productId, item) is not { } product
            || (item.Reason is { } reason ? TextOf(reason) : []) is not { } reasonJson
            || (item.ReasonCode is { } code ? TextOf(code) : []) is not { } codeJson)
        {
            return false;
        }

        var length = product.Head.Length + ScoreName.Length + 32 + ReasonName.Length + reasonJson.Length + ReasonCodeName.Length + codeJson.Length + 1 + product.Tail.Length;
        byte[]? rented = null;
        Span<byte> buffer = length <= ScratchBytes ? _scratch ??= new byte[ScratchBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var at = Append(buffer, 0, product.Head);
            at = Append(buffer, at, product.Head.Length > 1 ? ScoreName : ScoreName[1..]); // "{" alone: the score comes first
            Utf8Formatter.TryFormat(item.Score, buffer[at..], out var written); // as Utf8JsonWriter.WriteNumber(double) formats it
            at += written;
            if (item.Reason is not null)
            {
                at = Append(buffer, Append(buffer, at, ReasonName), reasonJson);
            }

            if (item.ReasonCode is not null)
            {
                at = Append(buffer, Append(buffer, at, ReasonCodeName), codeJson);
            }

            if (product.Tail.Length > 1)
            {
                buffer[at++] = (byte)',';
            }

            at = Append(buffer, at, product.Tail);
            writer.WriteRawValue(buffer[..at], skipInputValidation: true);
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Append(Span<byte> buffer, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer[at..]);
        return at + bytes.Length;
    }

    private ProductPart? ProductOf(string productId, RecommendationView item)
    {
        return _products.TryGetValue(productId, out var part) && part.WrittenFrom(item) ? part : WriteProduct(productId, item);
    }

    /// <summary>Writes and keeps the product's part of <paramref name="item"/> (apart, so that a lookup allocates nothing).</summary>
    private ProductPart? WriteProduct(string productId, RecommendationView item)
    {
        if (Longer(item.Name) || Longer(item.Category) || Longer(item.ImageUrl) || Longer(item.Brand) || Longer(item.Url)
            || Written(w =>
            {
                w.WriteStartObject();
                RecommendationJson.WriteProductHead(w, item);
                w.WriteEndObject();
            }) is not { } head
            || Written(w =>
            {
                w.WriteStartObject();
                RecommendationJson.WriteProductTail(w, item);
                w.WriteEndObject();
            }) is not { } tail)
        {
            return null;
        }

        var part = new ProductPart(item, head[..^1], tail[1..]); // the object without its "}" / "{"
        Keep(part.Head.Length + part.Tail.Length + 128);
        _products[productId] = part;
        return part;
    }

    private byte[]? TextOf(string text)
    {
        return _texts.TryGetValue(text, out var json) ? json : WriteText(text);
    }

    private byte[]? WriteText(string text)
    {
        if (text.Length > MaxKeptChars || Written(w => w.WriteStringValue(text)) is not { } written)
        {
            return null;
        }

        Keep(written.Length + text.Length * 2 + 64);
        _texts[text] = written;
        return written;
    }

    private void Keep(int bytes)
    {
        if (Interlocked.Add(ref _bytes, bytes) > MaxBytes)
        {
            _products.Clear();
            _texts.Clear();
            Interlocked.Exchange(ref _bytes, bytes);
        }
    }

    private static bool Longer(string? value) => value is { Length: > MaxKeptChars };

    /// <summary>What <paramref name="write"/> writes with this encoder, as the answer's writer would; null when it throws (invalid UTF-16: the answer's writer throws the same then).</summary>
    private byte[]? Written(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder, SkipValidation = true }))
            {
                write(writer);
            }

            return buffer.WrittenSpan.ToArray();
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A product's part of an item, with the fields it was written from.</summary>
    private sealed class ProductPart(RecommendationView source, byte[] head, byte[] tail)
    {
        private readonly string? _name = source.Name;
        private readonly string? _category = source.Category;
        private readonly decimal? _price = source.Price;
        private readonly string? _imageUrl = source.ImageUrl;
        private readonly string? _brand = source.Brand;
        private readonly string? _url = source.Url;

        public byte[] Head { get; } = head;

        public byte[] Tail { get; } = tail;

        /// <summary>Every field equal (strings as ordinal text; the price as the decimal it is, scale included, as it is written).</summary>
        public bool WrittenFrom(RecommendationView item) =>
            string.Equals(_name, item.Name, StringComparison.Ordinal) && string.Equals(_category, item.Category, StringComparison.Ordinal)
            && SamePrice(_price, item.Price) && string.Equals(_imageUrl, item.ImageUrl, StringComparison.Ordinal)
            && string.Equals(_brand, item.Brand, StringComparison.Ordinal) && string.Equals(_url, item.Url, StringComparison.Ordinal);

        private static bool SamePrice(decimal? a, decimal? b) =>
            a is null ? b is null : b is { } other && a.Value == other && a.Value.Scale == other.Scale && decimal.IsNegative(a.Value) == decimal.IsNegative(other);
    }
}
