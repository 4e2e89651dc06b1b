using Spectre.Console.Testing;

namespace Recommender.Cli.Tests;

/// <summary>Long work shows a Spectre.Console bar on a terminal, and plain timestamped lines when redirected.</summary>
public sealed class ProgressDisplayTests
{
    [Fact]
    public void OnATerminal_TheBarRunsToTheEnd_WithTheMessagesAboveIt()
    {
        using var console = new TestConsole().Interactive().EmitAnsiSequences().Width(120);

        var result = ProgressDisplay.On(console).Run("evaluate", 2, progress =>
        {
            progress.Step("[1/2] sar");
            progress.Advance();
            progress.Report("sar: trained");
            progress.Step("[2/2] ease");
            progress.Advance();
            return 42;
        });

        Assert.Equal(42, result);
        var output = console.Output;
        Assert.Contains("sar: trained", output, StringComparison.Ordinal);
        Assert.Contains("100%", output, StringComparison.Ordinal);
        Assert.Contains("[2/2] ease", output, StringComparison.Ordinal); // the task's label at the end
    }

    [Fact]
    public void Redirected_EachMessageIsOneLineWithTheElapsedTime()
    {
        var stderr = new StringWriter();

        ProgressDisplay.For(stderr).Run("evaluate", 2, progress =>
        {
            progress.Step("[1/2] sar");
            progress.Advance();
            progress.Report("sar: trained");
            return 0;
        });

        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\[\s*\d+\.\ds\] \[1/2\] sar$", lines[0].TrimEnd('\r'));
        Assert.EndsWith("s] sar: trained", lines[1].TrimEnd('\r'), StringComparison.Ordinal);
    }
}
