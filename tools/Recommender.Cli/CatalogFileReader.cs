using Recommender.Models;

namespace Recommender.Cli;

/// <summary>
/// Reads item attributes: <c>item,attr1,attr2,...</c> CSV. A first line whose first field is
/// <c>item</c>, <c>itemId</c>, <c>productId</c> or <c>id</c> is a header naming the attributes;
/// without one, three columns are <c>item,name,category</c> (the demo catalog) and others
/// <c>attr1</c>, <c>attr2</c>, ...
/// </summary>
public static class CatalogFileReader
{
    private static readonly string[] HeaderIds = ["item", "itemid", "productid", "id"];

    public static List<ItemAttributes> Read(string path)
    {
        var result = new List<ItemAttributes>();
        string[]? names = null;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = CsvFields.Split(line, ',') ?? throw new InputFormatException($"{path}:{lineNumber}: unterminated quoted field");
            if (names is null)
            {
                if (HeaderIds.Contains(fields[0].TrimStart('\uFEFF').ToLowerInvariant()))
                {
                    names = [.. fields.Skip(1)];
                    continue;
                }

                names = fields.Count == 3 ? ["name", "category"] : [.. Enumerable.Range(1, fields.Count - 1).Select(n => $"attr{n}")];
            }

            if (fields[0].Length == 0)
            {
                throw new InputFormatException($"{path}:{lineNumber}: empty item id");
            }

            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var n = 1; n < fields.Count && n - 1 < names.Length; n++)
            {
                attributes[names[n - 1]] = fields[n];
            }

            result.Add(new ItemAttributes(fields[0].TrimStart('\uFEFF'), attributes));
        }

        return result;
    }
}
