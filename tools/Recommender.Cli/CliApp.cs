using System.Diagnostics;
using Recommender.Models;
using Recommender.Models.Evaluation;
using Recommender.Models.Tuning;

namespace Recommender.Cli;

/// <summary>
/// The CLI: <c>evaluate</c> (read, split, train and measure each algorithm, print a table or JSON),
/// <c>generate</c> (a synthetic data set for timing runs) and <c>models</c> (the admin API's model verbs).
/// </summary>
public static class CliApp
{
    public const int Success = 0;
    public const int InputError = 1;
    public const int UsageError = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, AlgorithmRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        registry ??= AlgorithmRegistry.Default;

        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(EvaluateOptions.Usage);
            return args.Length == 0 ? UsageError : Success;
        }

        if (args[0] == "generate")
        {
            return GenerateCommand.Run(args.AsSpan(1), stdout, stderr);
        }

        if (args[0] == "token")
        {
            return TokenCommand.Run(args.AsSpan(1), stdout, stderr);
        }

        if (args[0] == "models")
        {
            return ModelsCommand.RunAsync(args[1..], stdout, stderr).GetAwaiter().GetResult();
        }

        if (args[0] != "evaluate")
        {
            stderr.WriteLine($"error: unknown command '{args[0]}'.");
            stderr.WriteLine(EvaluateOptions.Usage);
            return UsageError;
        }

        EvaluateOptions options;
        try
        {
            options = EvaluateOptions.Parse(args.AsSpan(1), registry);
        }
        catch (UnknownAlgorithmException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return UsageError;
        }
        catch (ArgumentException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            stderr.WriteLine(EvaluateOptions.Usage);
            return UsageError;
        }

        try
        {
            return Evaluate(options, registry, stdout, stderr);
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

    private static int Evaluate(EvaluateOptions options, AlgorithmRegistry registry, TextWriter stdout, TextWriter stderr)
    {
        var clock = Stopwatch.StartNew();
        var progress = new StderrProgress(stderr, clock);
        progress.Report($"reading {options.Input} ({options.Format})");
        var interactions = InteractionFileReader.Read(options.Input, options.Format);
        if (interactions.Count == 0)
        {
            throw new InputFormatException($"{options.Input}: no interactions");
        }

        var catalog = options.Catalog is null ? null : CatalogFileReader.Read(options.Catalog);
        IDataSplitter splitter = options.Protocol switch
        {
            "random" => new RandomSplitter(seed: options.Seed),
            "leave-last" => new LeaveLastSplitter(),
            _ => new TemporalSplitter(),
        };

        var split = splitter.Split(interactions);
        var set = EvaluationSet.Create(split, options.ExcludeSeen);
        var summary = new RunSummary(
            options.Input,
            interactions.Count,
            interactions.Select(i => i.User).Distinct(StringComparer.Ordinal).Count(),
            interactions.Select(i => i.Item).Distinct(StringComparer.Ordinal).Count(),
            options.Protocol,
            split.Train.Count,
            split.Test.Count,
            set.Users.Count,
            options.K,
            options.ExcludeSeen ? "remove" : "keep",
            options.Seed);
        progress.Report($"{summary.Protocol} split: {summary.TrainInteractions:N0} training interactions, {summary.TestInteractions:N0} held out, {summary.EvaluatedUsers:N0} users evaluated");

        // The random protocol judges which unseen items belong to a user, the others what comes next;
        // algorithms that learn from an internal split (the re-ranker) pick their labels to match.
        var task = options.Protocol == "random" ? PredictionTask.HeldOutItems : PredictionTask.Next;
        var context = new TrainingContext(options.Seed, catalog, progress, task);
        var results = new List<AlgorithmEvaluation>();
        for (var n = 0; n < options.Algorithms.Count; n++)
        {
            progress.Report($"[{n + 1}/{options.Algorithms.Count}] {options.Algorithms[n]}");
            if (!options.Tune)
            {
                results.Add(Evaluator.Evaluate(registry.Create(options.Algorithms[n]), set, options.K, context, progress));
                continue;
            }

            // Settings are chosen on a validation split of the training part only, then measured on the test part.
            var tuned = HyperparameterSearch.Search(options.Algorithms[n], split.Train, HyperparameterSearch.ValidationSplitter(options.Protocol, options.Seed),
                options.K, options.ExcludeSeen, context, options.TuneBudget ?? EvaluateOptions.DefaultTuneBudget, registry: registry);
            progress.Report($"{tuned.Algorithm}: chose {SearchSpace.Describe(tuned.Settings)} (validation nDCG@{options.K} {tuned.Ndcg:F4}, {tuned.Trials.Count} trials{(tuned.BudgetExhausted ? ", budget exhausted" : string.Empty)})");
            var evaluation = Evaluator.Evaluate(SearchSpace.For(options.Algorithms[n], registry).Create(tuned.Settings), set, options.K, context, progress);
            results.Add(tuned.Settings.Count == 0 ? evaluation : evaluation with { Algorithm = $"{evaluation.Algorithm} ({SearchSpace.Describe(tuned.Settings)})" });
        }

        stdout.Write(options.Json ? ReportFormatter.ToJson(summary, results) : ReportFormatter.ToTable(summary, results));
        progress.Report("done");
        return Success;
    }

    /// <summary>Progress lines on stderr, each with the elapsed time.</summary>
    private sealed class StderrProgress(TextWriter stderr, Stopwatch clock) : IProgress<string>
    {
        public void Report(string value) => stderr.WriteLine($"[{clock.Elapsed.TotalSeconds,7:F1}s] {value}");
    }
}

/// <summary>What was evaluated, printed above the table and repeated in every JSON object.</summary>
public sealed record RunSummary(
    string Input,
    int Interactions,
    int Users,
    int Items,
    string Protocol,
    int TrainInteractions,
    int TestInteractions,
    int EvaluatedUsers,
    int K,
    string Seen,
    int Seed);
