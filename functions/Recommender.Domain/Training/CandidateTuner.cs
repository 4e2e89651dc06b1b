using Recommender.Domain.Events;
using Recommender.Models.Tuning;

namespace Recommender.Domain.Training;

/// <summary>
/// Searches a candidate's hyper-parameters for the training workflow on a validation split carved
/// from the gate's TRAINING part only (each customer's latest interactions of that part held out, or
/// ones drawn at random with <see cref="HoldoutOrder.Random"/>: the same rule as the gate's own split), each trial trained as the workflow trains and scored by
/// the same <see cref="IHoldoutScorer"/> as the gate. The test part is never passed in.
/// </summary>
public static class CandidateTuner
{
    /// <param name="fixedSettings">
    /// Settings every trial trains with besides the searched ones and that the result keeps (a re-ranker's
    /// trees are searched over its base candidate's tuned settings); returned as they are when nothing is searched.
    /// </param>
    public static (IReadOnlyDictionary<string, double>? Settings, TuningRecord? Record) Tune(
        IModelTrainer trainer, IReadOnlyList<ClickstreamEvent> training, IHoldoutScorer scorer, TrainingOptions options, DateTimeOffset now, TimeProvider timeProvider,
        IReadOnlyDictionary<string, double>? fixedSettings = null)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (!options.Tune || trainer.Space is not { } space)
        {
            return (fixedSettings, null);
        }

        var validation = HoldoutEvaluator.Split(training, options.HoldoutFraction, options.Holdout);
        if (validation.Customers.Count == 0)
        {
            return (fixedSettings, null);
        }

        IReadOnlyDictionary<string, double> With(IReadOnlyDictionary<string, double> settings)
        {
            var all = new Dictionary<string, double>(fixedSettings ?? new Dictionary<string, double>(), StringComparer.Ordinal);
            foreach (var (name, value) in settings)
            {
                all[name] = value;
            }

            return all;
        }

        var started = timeProvider.GetUtcNow();
        var result = HyperparameterSearch.Search(space, settings =>
        {
            var evaluation = HoldoutEvaluator.Evaluate(trainer.TrainWith(validation.Train, "validation", now, With(settings)), validation, scorer);
            return new TrialScore(evaluation.Metrics["ndcg@10"], evaluation.Metrics["map@10"]);
        }, options.TuningBudget, timeProvider);
        var record = new TuningRecord(
            result.Trials.Select(t => new TuningTrialRecord(With(t.Settings), t.Ndcg)).ToList(),
            result.BudgetExhausted,
            validation.Customers.Count,
            Math.Round((timeProvider.GetUtcNow() - started).TotalMilliseconds));
        return (With(result.Settings), record);
    }
}
