namespace Recommender.Models.Propensity;

/// <summary>
/// How well the purchase-propensity model ranks buyers above non-buyers on a time window it did not
/// learn from: trained on features as of <see cref="TrainingCutoff"/> with purchases in the window
/// after it, evaluated on features as of <see cref="EvaluationCutoff"/> with purchases in the next window.
/// </summary>
/// <param name="Auc">Area under the ROC curve on the evaluation window (0.5 is chance).</param>
/// <param name="AreaUnderPrecisionRecallCurve">Area under the precision-recall curve on the evaluation window.</param>
/// <param name="LogLoss">Log-loss of the predicted probabilities on the evaluation window.</param>
/// <param name="TrainingCutoff">The reference time of the training examples.</param>
/// <param name="EvaluationCutoff">The reference time of the evaluation examples.</param>
/// <param name="Window">The prediction window length.</param>
/// <param name="TrainingExamples">Users known before the training cut-off.</param>
/// <param name="TrainingPositives">Of those, users who purchased in the training window.</param>
/// <param name="EvaluationExamples">Users known before the evaluation cut-off.</param>
/// <param name="EvaluationPositives">Of those, users who purchased in the evaluation window.</param>
public sealed record PropensityEvaluation(
    double Auc,
    double AreaUnderPrecisionRecallCurve,
    double LogLoss,
    DateTimeOffset TrainingCutoff,
    DateTimeOffset EvaluationCutoff,
    TimeSpan Window,
    int TrainingExamples,
    int TrainingPositives,
    int EvaluationExamples,
    int EvaluationPositives);

/// <summary>A trained propensity model and its held-out evaluation.</summary>
public sealed record PropensityTrainingResult(PropensityModel Model, PropensityEvaluation Evaluation);
