using System.Text;

namespace Recommender.Cli;

/// <summary>Splits one delimited line into fields; double quotes enclose a field and "" is a quote.</summary>
internal static class CsvFields
{
    public static List<string>? Split(string line, char separator)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var n = 0; n < line.Length; n++)
        {
            var c = line[n];
            if (quoted)
            {
                if (c == '"' && n + 1 < line.Length && line[n + 1] == '"')
                {
                    field.Append('"');
                    n++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            return null;
        }

        fields.Add(field.ToString().Trim());
        return fields;
    }
}
