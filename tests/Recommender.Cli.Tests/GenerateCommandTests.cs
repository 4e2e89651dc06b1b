namespace Recommender.Cli.Tests;

public class GenerateCommandTests
{
    [Fact]
    public void Generate_WritesTheRequestedTsv_Deterministically_AndEvaluateReadsIt()
    {
        var first = Path.GetTempFileName();
        var second = Path.GetTempFileName();
        try
        {
            var output = new StringWriter();
            Assert.Equal(0, CliApp.Run(["generate", "--output", first, "--users", "50", "--items", "40", "--interactions", "2000", "--clusters", "4"], output, TextWriter.Null));
            Assert.Equal(0, CliApp.Run(["generate", "--output", second, "--users", "50", "--items", "40", "--interactions", "2000", "--clusters", "4"], TextWriter.Null, TextWriter.Null));

            var lines = File.ReadAllLines(first);
            Assert.Equal(2000, lines.Length);
            Assert.All(lines, l => Assert.Equal(4, l.Split('\t').Length));
            Assert.Equal(lines, File.ReadAllLines(second));
            Assert.Contains("2,000 interactions", output.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, CliApp.Run(["evaluate", "--input", first, "--format", "tsv", "--protocol", "random", "--algorithms", "sar"], TextWriter.Null, TextWriter.Null));
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    [Theory]
    [InlineData("--users", "0")]
    [InlineData("--nope", "1")]
    public void Generate_BadOptions_AreAUsageError(string option, string value)
    {
        var error = new StringWriter();

        Assert.Equal(CliApp.UsageError, CliApp.Run(["generate", "--output", "x.tsv", option, value], TextWriter.Null, error));
        Assert.Contains("usage: generate", error.ToString(), StringComparison.Ordinal);
    }
}
