using System.Text.Json;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Azure;

/// <summary>
/// The stored shape of a document: <c>{"id": ..., "pk": ..., "body": &lt;the domain JSON&gt;}</c>, plus
/// <c>"ttl"</c> (seconds, <c>-1</c> never) when the document overrides its container's default time-to-live.
/// Written and read with System.Text.Json over the SDK's stream APIs, so the SDK's own
/// serializer never rewrites the domain JSON (dates, numbers and property names stay exact).
/// </summary>
internal static class CosmosDocumentJson
{
    public const string PartitionKeyPath = "/pk";

    /// <summary>The item property holding the id of the create or replace that wrote it (see <see cref="CosmosDocumentStore"/>).</summary>
    public const string WriteIdProperty = "w";

    public static MemoryStream Write(string storedId, string partitionKey, JsonElement body, DocumentTimeToLive timeToLive = default, string? writeId = null)
    {
        if (body.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The document body is an undefined JsonElement.", nameof(body));
        }

        var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("id", storedId);
            writer.WriteString("pk", partitionKey);
            if (timeToLive.Seconds is { } seconds)
            {
                // Cosmos DB's item TTL; absent (never null) means the container's default.
                writer.WriteNumber("ttl", seconds);
            }

            if (writeId is not null)
            {
                writer.WriteString(WriteIdProperty, writeId);
            }

            writer.WritePropertyName("body");
            body.WriteTo(writer);
            writer.WriteEndObject();
        }

        stream.Position = 0;
        return stream;
    }

    /// <summary>Reads a stored item (with its system properties such as <c>_etag</c>).</summary>
    public static StoredDocument Read(JsonElement item, string partitionKey, string? etagHeader = null)
    {
        var id = CosmosIds.Decode(item.GetProperty("id").GetString()!);
        var body = item.TryGetProperty("body", out var b) ? b.Clone() : default;
        var etag = etagHeader ?? item.GetProperty("_etag").GetString()!;
        return new StoredDocument(id, partitionKey, body, etag);
    }
}
