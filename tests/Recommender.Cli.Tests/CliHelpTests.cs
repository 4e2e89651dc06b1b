using System.CommandLine;
using Recommender.Models;

namespace Recommender.Cli.Tests;

/// <summary>Every command of the tree answers <c>--help</c> with its description, options and subcommands.</summary>
public sealed class CliHelpTests
{
    public static TheoryData<string> CommandPaths() => new(Paths());

    private static List<string> Paths()
    {
        var paths = new List<string> { string.Empty };
        void Walk(Command command, string prefix)
        {
            foreach (var sub in command.Subcommands)
            {
                var path = (prefix + " " + sub.Name).Trim();
                paths.Add(path);
                Walk(sub, path);
            }
        }

        Walk(CliApp.CreateRootCommand(TextWriter.Null, TextWriter.Null, AlgorithmRegistry.Default), string.Empty);
        return paths;
    }

    [Fact]
    public void TheTree_HasEveryCommandTheDocsName()
    {
        var paths = Paths().ToHashSet(StringComparer.Ordinal);

        foreach (var path in new[] { "evaluate", "generate", "token", "models", "models list", "models show", "models rollback", "models pin", "models unpin", "models train", "models run", "audit", "audit verify" })
        {
            Assert.Contains(path, paths);
        }
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void Help_ExitsZero_AndDescribesTheCommandsOptionsAndSubcommands(string path)
    {
        var words = path.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = CliApp.Run([.. words, "--help"], stdout, stderr);

        Assert.Equal(CliApp.Success, code);
        Assert.Equal(string.Empty, stderr.ToString());
        var help = stdout.ToString();
        Assert.Contains("Usage:", help, StringComparison.Ordinal);
        var command = Find(words);
        Assert.Contains(command.Description!, help, StringComparison.Ordinal);
        foreach (var option in Options(words))
        {
            Assert.Contains(option.Name, help, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{path} {option.Name} has no description");
        }

        foreach (var sub in command.Subcommands)
        {
            Assert.Contains(sub.Name, help, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("-?")]
    public void ShortHelp_Works_OnACommand(string flag)
    {
        var stdout = new StringWriter();

        Assert.Equal(CliApp.Success, CliApp.Run(["evaluate", flag], stdout, TextWriter.Null));
        Assert.Contains("--protocol", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void NoCommand_IsAUsageError_WithTheCommandListOnStderr()
    {
        var stderr = new StringWriter();

        Assert.Equal(CliApp.UsageError, CliApp.Run([], TextWriter.Null, stderr));
        Assert.Contains("evaluate", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("models", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCommand_IsAUsageError()
    {
        var stderr = new StringWriter();

        Assert.Equal(CliApp.UsageError, CliApp.Run(["train-everything"], TextWriter.Null, stderr));
        Assert.Contains("train-everything", stderr.ToString(), StringComparison.Ordinal);
    }

    private static Command Find(string[] words)
    {
        Command command = CliApp.CreateRootCommand(TextWriter.Null, TextWriter.Null, AlgorithmRegistry.Default);
        foreach (var word in words)
        {
            command = command.Subcommands.Single(c => c.Name == word);
        }

        return command;
    }

    /// <summary>The command's own options and the recursive options of its ancestors, without the built-in help and version.</summary>
    private static IEnumerable<Option> Options(string[] words)
    {
        Command command = CliApp.CreateRootCommand(TextWriter.Null, TextWriter.Null, AlgorithmRegistry.Default);
        var inherited = new List<Option>();
        foreach (var word in words)
        {
            inherited.AddRange(command.Options.Where(o => o.Recursive && o.Name is not ("--help" or "--version")));
            command = command.Subcommands.Single(c => c.Name == word);
        }

        return inherited.Concat(command.Options.Where(o => o.Name is not ("--help" or "--version") && !o.Hidden));
    }
}
