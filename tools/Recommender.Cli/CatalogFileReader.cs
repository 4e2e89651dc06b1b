using nietras.SeparatedValues;
using Recommender.Models;

namespace Recommender.Cli;

/// <summary>
/// Reads item attributes: <c>item,attr1,attr2,...</c> CSV (parsed by Sep, RFC 4180 quoting). A first
/// line whose first field is <c>item</c>, <c>itemId</c>, <c>productId</c> or <c>id</c> is a header
/// naming the attributes; without one, three columns are <c>item,name,category</c> (the demo catalog)
/// and others <c>attr1</c>, <c>attr2</c>, ...
/// </summary>
public static class CatalogFileReader
{
    private static readonly string[] HeaderIds = ["item", "itemid", "productid", "id"];

    public static List<ItemAttributes> Read(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    public static List<ItemAttributes> Read(TextReader reader, string fileName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var sep = Sep.New(',').Reader(o => o with { HasHeader = false, DisableColCountCheck = true, Unescape = true, Trim = SepTrim.All }).From(reader);
        var result = new List<ItemAttributes>();
        string[]? names = null;
        foreach (var row in sep)
        {
            var fields = new string[row.ColCount];
            for (var n = 0; n < fields.Length; n++)
            {
                fields[n] = row[n].ToString().Trim();
            }

            fields[0] = fields[0].TrimStart('\uFEFF');
            if (fields.Length == 1 && fields[0].Length == 0)
            {
                continue; // blank line
            }

            if (names is null)
            {
                if (HeaderIds.Contains(fields[0].ToLowerInvariant()))
                {
                    names = [.. fields.Skip(1)];
                    continue;
                }

                names = fields.Length == 3 ? ["name", "category"] : [.. Enumerable.Range(1, fields.Length - 1).Select(n => $"attr{n}")];
            }

            if (fields[0].Length == 0)
            {
                throw new InputFormatException($"{fileName}:{SepLines.LineOf(row)}: empty item id");
            }

            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var n = 1; n < fields.Length && n - 1 < names.Length; n++)
            {
                attributes[names[n - 1]] = fields[n];
            }

            result.Add(new ItemAttributes(fields[0], attributes));
        }

        return result;
    }
}
