using Recommender.Domain.Events;
using Recommender.Models.Tuning;

namespace Recommender.Domain.Training;

/// <summary>
/// Searches a candidate's hyper-parameters for the training workflow on a validation split carved
/// from the gate's TRAINING part only (each customer's latest interactions of that part held out,
/// the same rule as the gate's own split), each trial trained as the workflow trains and scored by
/// the same <see cref="IHoldoutScorer"/> as the gate. The test part is never passed in.
/// </summary>
public static class CandidateTuner
{
    public static (IReadOnlyDictionary<string, double>? Settings, TuningRecord? Record) Tune(
        IModelTrainer trainer, IReadOnlyList<ClickstreamEvent> training, IHoldoutScorer scorer, TrainingOptions options, DateTimeOffset now, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (!options.Tune || trainer.Space is not { } space)
        {
            return (null, null);
        }

        var validation = HoldoutEvaluator.Split(training, options.HoldoutFraction);
        if (validation.Customers.Count == 0)
        {
            return (null, null);
        }

        var started = timeProvider.GetUtcNow();
        var result = HyperparameterSearch.Search(space, settings =>
        {
            var evaluation = HoldoutEvaluator.Evaluate(trainer.TrainWith(validation.Train, "validation", now, settings), validation, scorer);
            return new TrialScore(evaluation.Metrics["ndcg@10"], evaluation.Metrics["map@10"]);
        }, options.TuningBudget, timeProvider);
        var record = new TuningRecord(
            result.Trials.Select(t => new TuningTrialRecord(t.Settings, t.Ndcg)).ToList(),
            result.BudgetExhausted,
            validation.Customers.Count,
            Math.Round((timeProvider.GetUtcNow() - started).TotalMilliseconds));
        return (result.Settings, record);
    }
}
