using System.CommandLine;
using Recommender.Models;
using Recommender.Models.Evaluation;
using Recommender.Models.Tuning;

namespace Recommender.Cli;

/// <summary>
/// <c>evaluate</c>: read an interaction file, split it by a protocol, train and measure each
/// algorithm, print a table (or JSON); progress on stderr.
/// </summary>
public static class EvaluateCommand
{
    internal static CliCommand Create(AlgorithmRegistry registry, TextWriter stdout, TextWriter stderr)
    {
        var input = new Option<string>("--input") { Description = "The interactions file.", Required = true, HelpName = "FILE" };
        var format = new Option<string>("--format")
        {
            Description = "csv: user,item,timestamp[,weight] (header optional); tsv: user<TAB>item<TAB>weight<TAB>timestamp (MovieLens u.data). "
                + "Timestamps: Unix seconds, ISO 8601 or yyyy/MM/ddTHH:mm:ss (UTC unless a zone is given).",
            DefaultValueFactory = _ => "csv",
        }.OneOf(EvaluateOptions.Formats);
        var protocol = new Option<string>("--protocol")
        {
            Description = "random (75/25 per user, seeded), latest (each user's latest 25%), leave-last (each user's latest interaction), temporal (the last 20% of the time span is test).",
            Required = true,
        }.OneOf(EvaluateOptions.Protocols);
        var k = new Option<int>("--k") { Description = "List length.", DefaultValueFactory = _ => 10, HelpName = "N" }.Positive();
        var algorithms = new Option<string>("--algorithms") { Description = $"Registered names, comma-separated (default: all of {string.Join(", ", registry.Names)}).", HelpName = "a,b,..." };
        var seen = new Option<string>("--seen")
        {
            Description = "Exclude the user's training items from the lists (remove), or allow them (keep).",
            DefaultValueFactory = _ => "remove",
        }.OneOf(EvaluateOptions.SeenPolicies);
        var catalog = new Option<string>("--catalog") { Description = "Optional item attributes: item,attr1,attr2,... (for content-based algorithms).", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "One JSON object per algorithm on stdout instead of the table." };
        var seed = new Option<int>("--seed") { Description = "Split and training seed.", DefaultValueFactory = _ => 42, HelpName = "N" };
        var tune = new Option<bool>("--tune")
        {
            Description = "Search each algorithm's hyper-parameters on a validation split carved from the training part (same protocol; the test part is never seen), then measure the chosen settings on the test part.",
        };
        var budget = new Option<int>("--budget") { Description = "Time budget of each algorithm's search, in seconds.", DefaultValueFactory = _ => (int)EvaluateOptions.DefaultTuneBudget.TotalSeconds, HelpName = "SECONDS" }.Positive();

        var settings = new Option<string[]>("--settings")
        {
            Description = "Train an algorithm with these hyper-parameters instead of its defaults (names of its search space), e.g. ease:lambda=250,dropout=0.5; repeat for several algorithms.",
            HelpName = "ALGORITHM:name=value,...",
        };
        var command = new CliCommand("evaluate", "Train and measure algorithms on an interaction file by an offline protocol.", EvaluateOptions.Usage)
        {
            input, format, protocol, k, algorithms, seen, catalog, json, seed, tune, budget, settings,
        };
        command.SetAction(parse =>
        {
            EvaluateOptions options;
            try
            {
                options = EvaluateOptions.Create(
                    registry,
                    parse.GetRequiredValue(input),
                    parse.GetRequiredValue(protocol),
                    parse.GetValue(format) ?? "csv",
                    parse.GetValue(k),
                    parse.GetValue(algorithms),
                    parse.GetValue(seen) ?? "remove",
                    parse.GetValue(catalog),
                    parse.GetValue(json),
                    parse.GetValue(seed),
                    parse.GetValue(tune),
                    parse.GetValue(budget),
                    parse.GetValue(settings));
            }
            catch (UnknownAlgorithmException ex)
            {
                stderr.WriteLine($"error: {ex.Message}");
                return CliApp.UsageError;
            }
            catch (ArgumentException ex)
            {
                stderr.WriteLine($"error: {ex.Message}");
                stderr.WriteLine(EvaluateOptions.Usage);
                return CliApp.UsageError;
            }

            return CliApp.ReadingInput(stderr, () => Evaluate(options, registry, stdout, ProgressDisplay.For(stderr)));
        });
        return command;
    }

    /// <summary>Reads, splits, trains and measures; the report goes to <paramref name="stdout"/>.</summary>
    public static int Evaluate(EvaluateOptions options, AlgorithmRegistry registry, TextWriter stdout, ProgressDisplay display)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(display);
        return display.Run("evaluate", options.Algorithms.Count + 1, progress =>
        {
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
                "latest" => new LatestFractionSplitter(0.25),
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
            progress.Advance();

            // The random protocol judges which unseen items belong to a user, the others what comes next;
            // algorithms that learn from an internal split (the re-ranker) pick their labels to match.
            var task = options.Protocol == "random" ? PredictionTask.HeldOutItems : PredictionTask.Next;
            var context = new TrainingContext(options.Seed, catalog, progress, task);
            var results = new List<AlgorithmEvaluation>();
            for (var n = 0; n < options.Algorithms.Count; n++)
            {
                progress.Step($"[{n + 1}/{options.Algorithms.Count}] {options.Algorithms[n]}");
                if (options.Settings?.GetValueOrDefault(options.Algorithms[n]) is { } fixedSettings)
                {
                    var space = SearchSpace.For(options.Algorithms[n], registry);
                    var own = Evaluator.Evaluate(space.Create(fixedSettings), set, options.K, context, progress);
                    results.Add(own with { Algorithm = $"{own.Algorithm} ({SearchSpace.Describe(fixedSettings)})" });
                    progress.Advance();
                    continue;
                }

                if (!options.Tune)
                {
                    results.Add(Evaluator.Evaluate(registry.Create(options.Algorithms[n]), set, options.K, context, progress));
                    progress.Advance();
                    continue;
                }

                // Settings are chosen on a validation split of the training part only, then measured on the test part.
                var tuned = HyperparameterSearch.Search(options.Algorithms[n], split.Train, HyperparameterSearch.ValidationSplitter(options.Protocol, options.Seed),
                    options.K, options.ExcludeSeen, context, options.TuneBudget ?? EvaluateOptions.DefaultTuneBudget, registry: registry);
                progress.Report($"{tuned.Algorithm}: chose {SearchSpace.Describe(tuned.Settings)} (validation nDCG@{options.K} {tuned.Ndcg:F4}, {tuned.Trials.Count} trials{(tuned.BudgetExhausted ? ", budget exhausted" : string.Empty)})");
                var evaluation = Evaluator.Evaluate(SearchSpace.For(options.Algorithms[n], registry).Create(tuned.Settings), set, options.K, context, progress);
                results.Add(tuned.Settings.Count == 0 ? evaluation : evaluation with { Algorithm = $"{evaluation.Algorithm} ({SearchSpace.Describe(tuned.Settings)})" });
                progress.Advance();
            }

            stdout.Write(options.Json ? ReportFormatter.ToJson(summary, results) : ReportFormatter.ToTable(summary, results));
            progress.Report("done");
            return CliApp.Success;
        });
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
