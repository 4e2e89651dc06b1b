using nietras.SeparatedValues;

namespace Recommender.Cli;

/// <summary>The 1-based line a row starts on, for error messages.</summary>
internal static class SepLines
{
    /// <summary>
    /// Sep 0.18 reports <see cref="SepReader.Row.LineNumberFrom"/> of the first row as 2 when the reader
    /// has no header; every later row is right.
    /// </summary>
    public static int LineOf(SepReader.Row row) => row.RowIndex == 0 ? 1 : row.LineNumberFrom;
}
