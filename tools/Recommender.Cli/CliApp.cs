using System.CommandLine;
using System.CommandLine.Help;
using Recommender.Models;

namespace Recommender.Cli;

/// <summary>
/// The CLI, on System.CommandLine: <c>evaluate</c> (read, split, train and measure each algorithm,
/// print a table or JSON), <c>generate</c> (a synthetic data set for timing runs), <c>token</c> (a
/// development bearer token), <c>models</c> (the admin API's model verbs) and <c>audit verify</c>. Every command answers
/// <c>--help</c>; a parse error prints <c>error: …</c> and the command's usage line on stderr and exits 2.
/// </summary>
public static class CliApp
{
    public const int Success = 0;
    public const int InputError = 1;
    public const int UsageError = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, AlgorithmRegistry? registry = null) =>
        RunAsync(args, stdout, stderr, registry).GetAwaiter().GetResult();

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, AlgorithmRegistry? registry = null, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        return InvokeAsync(CreateRootCommand(stdout, stderr, registry ?? AlgorithmRegistry.Default, handler), args, stdout, stderr, cancellationToken);
    }

    /// <summary>The command tree; actions write to <paramref name="stdout"/> and <paramref name="stderr"/>.</summary>
    public static RootCommand CreateRootCommand(TextWriter stdout, TextWriter stderr, AlgorithmRegistry registry, HttpMessageHandler? handler = null)
    {
        var root = new RootCommand("Recommender tools: offline evaluation, synthetic data, development tokens, the model admin API and the audit log.")
        {
            EvaluateCommand.Create(registry, stdout, stderr),
            GenerateCommand.Create(stdout, stderr),
            TokenCommand.Create(stdout, stderr),
            ModelsCommand.Create(stdout, stderr, handler),
            AuditCommand.Create(stdout, stderr, handler),
        };
        return root;
    }

    internal static async Task<int> InvokeAsync(RootCommand root, string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var result = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        if (result.Errors.Count > 0 && result.Action is not HelpAction)
        {
            foreach (var error in result.Errors)
            {
                stderr.WriteLine($"error: {error.Message}");
            }

            if (result.CommandResult.Command is CliCommand { Usage: var usage })
            {
                stderr.WriteLine(usage);
                stderr.WriteLine($"Run '{string.Join(' ', [root.Name, .. CommandPath(result)])} --help' for every option.");
            }
            else
            {
                var help = new InvocationConfiguration { Output = stderr, Error = stderr };
                await root.Parse([.. CommandPath(result), "--help"]).InvokeAsync(help, cancellationToken).ConfigureAwait(false);
            }

            return UsageError;
        }

        return await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs work that reads input files: a malformed or unreadable file is exit code 1 with one line.</summary>
    internal static int ReadingInput(TextWriter stderr, Func<int> work)
    {
        try
        {
            return work();
        }
        catch (InputFormatException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return InputError;
        }
        catch (IOException ex)
        {
            stderr.WriteLine($"error: cannot read input: {ex.Message}");
            return InputError;
        }
        catch (UnauthorizedAccessException ex)
        {
            stderr.WriteLine($"error: cannot read input: {ex.Message}");
            return InputError;
        }
    }

    private static List<string> CommandPath(ParseResult result)
    {
        var path = new List<string>();
        for (var node = result.CommandResult; node is not null && node.Parent is not null; node = node.Parent as System.CommandLine.Parsing.CommandResult)
        {
            path.Insert(0, node.Command.Name);
        }

        return path;
    }
}
