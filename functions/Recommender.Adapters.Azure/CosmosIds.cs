using System.Globalization;
using System.Text;

namespace Recommender.Adapters.Azure;

/// <summary>
/// Maps domain ids to Cosmos DB ids and back. Cosmos DB forbids '/', '\', '?' and '#' in ids, and
/// '%' does not survive the resource URL (the id travels in the request path). Domain ids may
/// contain any of them (they come from storefronts), so each is escaped as '~' plus two hex digits
/// (<c>~2F</c>, <c>~5C</c>, <c>~3F</c>, <c>~23</c>, <c>~25</c>), and '~' itself as <c>~7E</c> so the
/// mapping is reversible. '~' is an unreserved URL character. Every other character is stored as is.
/// </summary>
internal static class CosmosIds
{
    private const char Escape = '~';
    private const string Escaped = "~/\\?#%";

    public static string Encode(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (id.AsSpan().IndexOfAny(Escaped) < 0)
        {
            return id;
        }

        var builder = new StringBuilder(id.Length + 8);
        foreach (var c in id)
        {
            if (Escaped.Contains(c, StringComparison.Ordinal))
            {
                builder.Append(Escape).Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Reverses <see cref="Encode"/>: in a stored id, '~' always starts a two-digit escape.</summary>
    public static string Decode(string storedId)
    {
        ArgumentNullException.ThrowIfNull(storedId);
        var next = storedId.IndexOf(Escape, StringComparison.Ordinal);
        if (next < 0)
        {
            return storedId;
        }

        var builder = new StringBuilder(storedId.Length);
        var start = 0;
        while (next >= 0)
        {
            if (next + 3 > storedId.Length)
            {
                throw new FormatException($"Stored id '{storedId}' has a truncated escape.");
            }

            builder.Append(storedId, start, next - start);
            builder.Append((char)int.Parse(storedId.AsSpan(next + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
            start = next + 3;
            next = storedId.IndexOf(Escape, start);
        }

        return builder.Append(storedId, start, storedId.Length - start).ToString();
    }
}
