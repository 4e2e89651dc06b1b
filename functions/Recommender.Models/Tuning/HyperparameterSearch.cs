using Recommender.Models.Evaluation;

namespace Recommender.Models.Tuning;

/// <summary>One setting tried by the search and how it scored on the validation split.</summary>
/// <param name="Settings">The hyper-parameters of this trial.</param>
/// <param name="Ndcg">nDCG@k on the validation split (the search's objective).</param>
/// <param name="MapAtK">MAP@k on the validation split.</param>
/// <param name="Milliseconds">Training and scoring time of the trial.</param>
public sealed record TuningTrial(IReadOnlyDictionary<string, double> Settings, double Ndcg, double MapAtK, double Milliseconds);

/// <summary>What one trial scored on the validation split.</summary>
public readonly record struct TrialScore(double Ndcg, double MapAtK);

/// <summary>The outcome of a search for one algorithm.</summary>
/// <param name="Algorithm">The registered name.</param>
/// <param name="Settings">The chosen setting (the best trial's).</param>
/// <param name="Ndcg">The chosen setting's validation nDCG@k.</param>
/// <param name="Trials">Every trial, in the order they ran; the first is the defaults.</param>
/// <param name="BudgetExhausted">The time budget stopped the search before every planned trial ran.</param>
/// <param name="ValidationUsers">Users evaluated on the validation split.</param>
public sealed record TuningResult(
    string Algorithm,
    IReadOnlyDictionary<string, double> Settings,
    double Ndcg,
    IReadOnlyList<TuningTrial> Trials,
    bool BudgetExhausted,
    int ValidationUsers);

/// <summary>
/// Per-data-set hyper-parameter search. The caller passes the TRAINING part of its split only; the
/// search carves a validation split out of it with the same protocol (<see cref="ValidationSplitter"/>),
/// so the test part is never looked at. Coordinate search over <see cref="SearchSpace"/>: starting
/// from the defaults, each parameter in turn is set to the value of its grid that scores best with
/// the others held (parameters searched with another, <see cref="Hyperparameter.SearchedWith"/>, in
/// every combination with it), and passes repeat until a pass changes nothing; objective nDCG@k (ties keep the
/// earlier trial). A time budget (measured with the given <see cref="TimeProvider"/>) stops the
/// search between trials; the defaults always run. Deterministic for a fixed seed.
/// </summary>
public static class HyperparameterSearch
{
    public const int MaxPasses = 3;

    /// <summary>
    /// The validation protocol carved from training data that mirrors the evaluation protocol <paramref name="protocol"/>;
    /// random: four folds over users (<see cref="UserFoldSplitter"/>), each trial trained and scored once per fold.
    /// </summary>
    public static IDataSplitter ValidationSplitter(string protocol, int seed = 42) => protocol switch
    {
        "random" => new UserFoldSplitter(4, 0.75, seed + 1),
        "leave-last" => new LeaveLastSplitter(),
        "temporal" => new TemporalSplitter(),
        _ => new LatestFractionSplitter(),
    };

    public static TuningResult Search(
        string algorithm,
        IReadOnlyList<Interaction> training,
        IDataSplitter validation,
        int k,
        bool excludeSeen,
        TrainingContext context,
        TimeSpan budget,
        TimeProvider? timeProvider = null,
        AlgorithmRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(context);
        var space = SearchSpace.For(algorithm, registry);
        var splits = validation is UserFoldSplitter folds ? folds.FoldsOf(training) : [validation.Split(training)];
        var sets = splits.Select(split => EvaluationSet.Create(split, excludeSeen)).ToList();
        var users = sets.Sum(set => set.Users.Count);
        var trialContext = context with { Progress = null };
        var result = Search(space, settings =>
        {
            // Over folds: the mean over every validated user (each fold weighted by its users).
            var evaluations = sets.Select(set => Evaluator.Evaluate(space.Create(settings), set, k, trialContext)).ToList();
            return users == 0
                ? new TrialScore(0, 0)
                : new TrialScore(evaluations.Sum(e => e.Ndcg * e.Users) / users, evaluations.Sum(e => e.MapAtK * e.Users) / users);
        }, budget, timeProvider, context.Progress);
        return result with { ValidationUsers = users };
    }

    /// <summary>
    /// The search itself, with any objective: <paramref name="evaluate"/> trains the algorithm with a
    /// setting on the validation training part and scores it on the validation held-out part (the
    /// training workflow passes one that scores customers exactly as serving does).
    /// </summary>
    public static TuningResult Search(SearchSpace space, Func<IReadOnlyDictionary<string, double>, TrialScore> evaluate, TimeSpan budget, TimeProvider? timeProvider = null, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(evaluate);
        var time = timeProvider ?? TimeProvider.System;
        var started = time.GetUtcNow();
        var trials = new List<TuningTrial>();
        var tried = new Dictionary<string, TuningTrial>(StringComparer.Ordinal);
        var exhausted = false;

        TuningTrial? Try(IReadOnlyDictionary<string, double> settings)
        {
            var key = SearchSpace.Describe(settings);
            if (tried.TryGetValue(key, out var known))
            {
                return known;
            }

            if (trials.Count > 0 && time.GetUtcNow() - started >= budget)
            {
                exhausted = true;
                return null;
            }

            var at = time.GetUtcNow();
            var score = evaluate(settings);
            var trial = new TuningTrial(settings, Math.Round(score.Ndcg, 6), Math.Round(score.MapAtK, 6), Math.Round((time.GetUtcNow() - at).TotalMilliseconds));
            progress?.Report($"{space.Algorithm} tuning: {key} → nDCG {score.Ndcg:F4}");
            trials.Add(trial);
            tried[key] = trial;
            return trial;
        }

        var best = Try(space.Defaults)!;
        for (var pass = 0; pass < MaxPasses && !exhausted; pass++)
        {
            var changed = false;
            foreach (var group in space.Groups)
            {
                foreach (var values in Combinations(group))
                {
                    var settings = new Dictionary<string, double>(best.Settings, StringComparer.Ordinal);
                    for (var p = 0; p < group.Count; p++)
                    {
                        settings[group[p].Name] = values[p];
                    }

                    if (Try(settings) is not { } trial)
                    {
                        break;
                    }

                    if (trial.Ndcg > best.Ndcg)
                    {
                        best = trial;
                        changed = true;
                    }
                }

                if (exhausted)
                {
                    break;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        return new TuningResult(space.Algorithm, best.Settings, best.Ndcg, trials, exhausted, 0);
    }

    /// <summary>Every combination of the group's values, the first parameter's varying slowest (one parameter: its values in order).</summary>
    private static IEnumerable<double[]> Combinations(IReadOnlyList<Hyperparameter> group)
    {
        var index = new int[group.Count];
        while (true)
        {
            yield return group.Select((p, n) => p.Values[index[n]]).ToArray();
            var position = group.Count - 1;
            while (position >= 0 && ++index[position] == group[position].Values.Count)
            {
                index[position--] = 0;
            }

            if (position < 0)
            {
                yield break;
            }
        }
    }
}
