using System.Globalization;
using nietras.SeparatedValues;
using Recommender.Models;

namespace Recommender.Cli;

/// <summary>
/// Reads interaction files. <c>csv</c>: <c>user,item,timestamp[,weight]</c>, with or without a header
/// (a first line whose timestamp does not parse is a header). <c>tsv</c>: <c>user item weight timestamp</c>
/// separated by tabs (MovieLens <c>u.data</c>), header optional likewise. Parsed by Sep (RFC 4180 quoting for csv). Blank lines are skipped; any
/// other malformed line stops the read with the file name and line number.
/// </summary>
public static class InteractionFileReader
{
    private static readonly string[] SlashFormats =
    [
        "yyyy/MM/dd'T'HH:mm:ss",
        "yyyy/MM/dd'T'HH:mm:ss.FFFFFFF",
        "yyyy/MM/dd'T'HH:mm:ssK",
        "yyyy/MM/dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy/MM/dd HH:mm:ss",
        "yyyy/MM/dd",
    ];

    public static List<Interaction> Read(string path, string format)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path, format);
    }

    public static List<Interaction> Read(TextReader reader, string fileName, string format)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var tsv = format switch
        {
            "csv" => false,
            "tsv" => true,
            _ => throw new ArgumentException($"unknown format '{format}'", nameof(format)),
        };

        // csv: RFC 4180 quoting; tsv (MovieLens): no quoting. Rows may differ in column count; the check is ours, per line.
        using var sep = (tsv ? Sep.New('\t') : Sep.New(',')).Reader(o => o with
        {
            HasHeader = false,
            DisableColCountCheck = true,
            DisableQuotesParsing = tsv,
            Unescape = !tsv,
            Trim = SepTrim.All,
        }).From(reader);

        var interactions = new List<Interaction>();
        var first = true;
        foreach (var row in sep)
        {
            var lineNumber = SepLines.LineOf(row);
            var fields = new string[row.ColCount];
            for (var n = 0; n < fields.Length; n++)
            {
                fields[n] = row[n].ToString().Trim();
            }

            if (fields.Length == 1 && fields[0].TrimStart('\uFEFF').Length == 0)
            {
                continue; // blank line
            }

            if (first && fields[0].StartsWith('\uFEFF'))
            {
                fields[0] = fields[0][1..];
            }

            var (timestampField, weightField) = tsv
                ? (fields.Length == 4 ? fields[3] : null, fields.Length == 4 ? fields[2] : null)
                : (fields.Length is 3 or 4 ? fields[2] : null, fields.Length == 4 ? fields[3] : null);

            if (first)
            {
                first = false;
                if (timestampField is not null && !TryParseTimestamp(timestampField, out _))
                {
                    continue; // header
                }
            }

            if (timestampField is null)
            {
                throw Bad(fileName, lineNumber, tsv
                    ? $"expected 4 tab-separated fields (user, item, weight, timestamp), found {fields.Length}"
                    : $"expected 3 or 4 comma-separated fields (user,item,timestamp[,weight]), found {fields.Length}");
            }

            if (fields[0].Length == 0 || fields[1].Length == 0)
            {
                throw Bad(fileName, lineNumber, "empty user or item id");
            }

            if (!TryParseTimestamp(timestampField, out var at))
            {
                throw Bad(fileName, lineNumber, $"timestamp '{timestampField}' is neither Unix seconds nor ISO 8601 (nor yyyy/MM/ddTHH:mm:ss)");
            }

            var weight = 1.0;
            if (weightField is not null
                && (!double.TryParse(weightField, NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || !double.IsFinite(weight)))
            {
                throw Bad(fileName, lineNumber, $"weight '{weightField}' is not a number");
            }

            interactions.Add(new Interaction(fields[0], fields[1], at, weight));
        }

        return interactions;
    }

    /// <summary>Unix seconds (integer or decimal), ISO 8601, or the slash form <c>2015/06/09T19:39:37</c>; no zone means UTC.</summary>
    public static bool TryParseTimestamp(string value, out DateTimeOffset at)
    {
        at = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        if (value.All(c => char.IsAsciiDigit(c) || c is '.' or '-') && value.Any(char.IsAsciiDigit) && value.LastIndexOf('-') <= 0)
        {
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || Math.Abs(seconds) > 253_402_300_799)
            {
                return false;
            }

            at = DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
            return true;
        }

        const DateTimeStyles Styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (value.Contains('/', StringComparison.Ordinal))
        {
            return DateTimeOffset.TryParseExact(value, SlashFormats, CultureInfo.InvariantCulture, Styles, out at);
        }

        return value.Length >= 10 && char.IsAsciiDigit(value[0]) && value[4] == '-'
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, Styles, out at);
    }

    private static InputFormatException Bad(string fileName, int line, string message) => new($"{fileName}:{line}: {message}");
}
