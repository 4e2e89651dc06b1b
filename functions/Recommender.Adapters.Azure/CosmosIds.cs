using System.Text;

namespace Recommender.Adapters.Azure;

/// <summary>
/// Cosmos DB forbids '/', '\', '?' and '#' in document ids. Domain ids may contain them (they come
/// from storefronts), so they are escaped as <c>%2F</c>, <c>%5C</c>, <c>%3F</c>, <c>%23</c>, and
/// '%' itself as <c>%25</c> to keep the mapping reversible. Every other character is stored as is.
/// </summary>
internal static class CosmosIds
{
    public static string Encode(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (id.AsSpan().IndexOfAny("%/\\?#") < 0)
        {
            return id;
        }

        var builder = new StringBuilder(id.Length + 8);
        foreach (var c in id)
        {
            _ = c switch
            {
                '%' => builder.Append("%25"),
                '/' => builder.Append("%2F"),
                '\\' => builder.Append("%5C"),
                '?' => builder.Append("%3F"),
                '#' => builder.Append("%23"),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }

    /// <summary>Reverses <see cref="Encode"/>: encoded ids contain '%' only as the start of an escape.</summary>
    public static string Decode(string storedId) =>
        storedId.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(storedId) : storedId;
}
