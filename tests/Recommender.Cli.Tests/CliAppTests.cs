using System.Text.Json;
using Recommender.Models;
using Recommender.Models.Evaluation;

namespace Recommender.Cli.Tests;

public sealed class CliAppTests : IDisposable
{
    private readonly CliTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Evaluate_Json_OneObjectPerAlgorithm_WithEveryMetric()
    {
        var input = _files.WriteSynthetic();

        var (code, output, progress) = Run("evaluate", "--input", input, "--format", "csv", "--protocol", "random", "--algorithms", "popularity,sar", "--json", "--k", "5");

        Assert.Equal(0, code);
        Assert.Contains("sar", progress, StringComparison.Ordinal); // progress goes to stderr
        using var json = JsonDocument.Parse(output);
        var rows = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["popularity", "sar"], rows.Select(r => r.GetProperty("algorithm").GetString() ?? string.Empty).ToArray());
        foreach (var row in rows)
        {
            foreach (var metric in new[] { "map", "mapAtK", "ndcg", "precision", "recall", "hitRate", "coverage", "diversity", "novelty", "trainMilliseconds", "scoreMilliseconds" })
            {
                Assert.Equal(JsonValueKind.Number, row.GetProperty(metric).ValueKind);
            }

            Assert.Equal("random", row.GetProperty("protocol").GetString());
            Assert.Equal(5, row.GetProperty("k").GetInt32());
            Assert.True(row.GetProperty("users").GetInt32() > 0);
        }
    }

    [Fact]
    public void Evaluate_Tune_ChoosesSettingsOnValidation_AndLabelsTheRowWithThem()
    {
        var input = _files.WriteSynthetic();

        var (code, output, progress) = Run("evaluate", "--input", input, "--protocol", "random", "--algorithms", "popularity,sar", "--tune", "--budget", "600", "--k", "5");

        Assert.Equal(0, code);
        Assert.Contains("sar: chose halfLifeDays=", progress, StringComparison.Ordinal);
        Assert.Contains("| sar (halfLifeDays=", output, StringComparison.Ordinal);
        Assert.Contains("| popularity |", output, StringComparison.Ordinal); // nothing to tune: one trial, the plain row
        Assert.Equal(2, Run("evaluate", "--input", input, "--protocol", "random", "--tune", "--budget", "0").Code);
    }

    [Fact]
    public void Evaluate_EaseSettings_AcceptTheRelaxedDiagonalAndThePopularityNormalisation()
    {
        var input = _files.WriteSynthetic();

        var (code, output, _) = Run("evaluate", "--input", input, "--protocol", "random", "--algorithms", "ease", "--settings", "ease:relax=1,normalize=0.3", "--k", "5");

        Assert.Equal(0, code);
        Assert.Contains("| ease (relax=1 normalize=0.3) |", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Settings_TrainsWithThem_AndRefusesNamesTheAlgorithmDoesNotHave()
    {
        var input = _files.WriteSynthetic();

        var (code, output, _) = Run("evaluate", "--input", input, "--protocol", "random", "--algorithms", "popularity,sar", "--settings", "sar:halfLifeDays=7", "--k", "5");
        var (_, defaults, _) = Run("evaluate", "--input", input, "--protocol", "random", "--algorithms", "sar", "--k", "5");

        Assert.Equal(0, code);
        Assert.Contains("| sar (halfLifeDays=7) |", output, StringComparison.Ordinal);
        Assert.Contains("| popularity |", output, StringComparison.Ordinal);
        Assert.DoesNotContain("halfLifeDays", defaults, StringComparison.Ordinal);
        Assert.Equal(2, Run("evaluate", "--input", input, "--protocol", "random", "--algorithms", "sar", "--settings", "sar:lambda=3").Code);
        Assert.Equal(2, Run("evaluate", "--input", input, "--protocol", "random", "--algorithms", "sar", "--settings", "ease:lambda=3").Code);
        Assert.Equal(2, Run("evaluate", "--input", input, "--protocol", "random", "--algorithms", "sar", "--settings", "sar:halfLifeDays=x").Code);
        Assert.Equal(2, Run("evaluate", "--input", input, "--protocol", "random", "--algorithms", "sar", "--settings", "sar:halfLifeDays=7", "--tune").Code);
    }

    [Fact]
    public void Evaluate_Latest_HoldsOutEachUsersLatestQuarter_AsTheServedBenchmarkDoes()
    {
        var input = _files.WriteSynthetic();
        var data = InteractionFileReader.Read(input, "csv");
        var latest = new LatestFractionSplitter(0.25).Split(data);

        var (code, output, _) = Run("evaluate", "--input", input, "--protocol", "latest", "--algorithms", "sar", "--json");

        Assert.Equal(0, code);
        var row = System.Text.Json.JsonDocument.Parse(output).RootElement[0];
        Assert.Equal("latest", row.GetProperty("protocol").GetString());
        Assert.Equal(latest.Test.Count, row.GetProperty("testInteractions").GetInt32());
        Assert.NotEqual(new TemporalSplitter().Split(data).Test.Count, latest.Test.Count);
    }

    [Theory]
    [InlineData("random", "remove")]
    [InlineData("leave-last", "keep")]
    [InlineData("latest", "remove")]
    [InlineData("temporal", "remove")]
    public void Evaluate_Table_OneRowPerAlgorithm(string protocol, string seen)
    {
        var input = _files.WriteSynthetic();

        var (code, output, _) = Run("evaluate", "--input", input, "--protocol", protocol, "--seen", seen);

        Assert.Equal(0, code);
        foreach (var name in AlgorithmRegistry.Default.Names)
        {
            Assert.Contains($"| {name} |", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Evaluate_MalformedLine_ExitsNonZero_NamingFileAndLine()
    {
        var input = _files.Write("bad.csv", "u1,i1,1700000000\nu2,i2,1700000001\nu3 i3 1700000002\n");

        var (code, _, error) = Run("evaluate", "--input", input, "--protocol", "random");

        Assert.NotEqual(0, code);
        Assert.Contains($"{input}:3:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnknownAlgorithm_ListsKnownNames()
    {
        var input = _files.WriteSynthetic();

        var (code, _, error) = Run("evaluate", "--input", input, "--protocol", "random", "--algorithms", "sar,nope");

        Assert.NotEqual(0, code);
        Assert.Contains("unknown algorithm 'nope'", error, StringComparison.Ordinal);
        Assert.Contains("itemknn-cosine", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MissingProtocol_IsAUsageError()
    {
        var (code, _, error) = Run("evaluate", "--input", "x.csv");

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("--protocol", error, StringComparison.Ordinal);
    }
}
