using Microsoft.ML;
using Microsoft.ML.Trainers.LightGbm;

namespace Recommender.Models.Propensity;

/// <summary>
/// Purchase propensity: the probability that a user purchases within
/// <see cref="PropensityOptions.Window"/> after a cut-off, from their behaviour before it (recency,
/// frequency, total weight, distinct items, sessions, tenure, purchases and their recency, recent
/// activity; see <see cref="PropensityFeatures"/>). A LightGBM binary classifier (ML.NET) learns
/// from the window two windows before the cut-off and is evaluated — AUC — on the window just
/// before it, so the reported quality is measured on a time period the model never saw.
/// <see cref="Score"/> then describes each user as of the cut-off. Deterministic for
/// <see cref="PropensityOptions.Seed"/> (single-threaded LightGBM). Not a recommender: it answers
/// "who?", not "what?".
/// </summary>
public sealed class PropensityModel
{
    private readonly Dictionary<string, Interaction[]> _histories;
    private readonly PropensityOptions _options;
    private readonly Func<Interaction, bool> _isPurchase;
    private readonly PredictionEngine<PropensityRow, PropensityPrediction> _engine;
    private readonly Lock _lock = new();

    private PropensityModel(
        Dictionary<string, Interaction[]> histories,
        PropensityOptions options,
        Func<Interaction, bool> isPurchase,
        PredictionEngine<PropensityRow, PropensityPrediction> engine,
        DateTimeOffset cutoff)
    {
        _histories = histories;
        _options = options;
        _isPurchase = isPurchase;
        _engine = engine;
        Cutoff = cutoff;
    }

    /// <summary>The time scores refer to: <see cref="Score"/> predicts a purchase in the window after it.</summary>
    public DateTimeOffset Cutoff { get; }

    /// <summary>The users the model knows (had an interaction before <see cref="Cutoff"/>), ordinal order.</summary>
    public IEnumerable<string> Users => _histories.Keys.Order(StringComparer.Ordinal);

    /// <summary>Trains on the window before last, evaluates on the last window before the cut-off.</summary>
    /// <exception cref="InvalidOperationException">A window has no buyer or no non-buyer, so neither training nor AUC is possible.</exception>
    public static PropensityTrainingResult Train(IReadOnlyList<Interaction> interactions, PropensityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        options ??= new PropensityOptions();
        if (interactions.Count == 0)
        {
            throw new InvalidOperationException("No interactions to learn purchase propensity from.");
        }

        var threshold = options.PurchaseMinimumWeight;
        var isPurchase = options.IsPurchase ?? (i => i.Weight >= threshold);
        var cutoff = options.Cutoff ?? interactions.Max(i => i.At);
        var histories = interactions
            .Select((interaction, n) => (interaction, n))
            .GroupBy(p => p.interaction.User, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.OrderBy(p => p.interaction.At).ThenBy(p => p.n).Select(p => p.interaction).ToArray(),
                StringComparer.Ordinal);

        var evaluationCutoff = cutoff - options.Window;
        var trainingCutoff = evaluationCutoff - options.Window;
        var training = Examples(histories, trainingCutoff, options, isPurchase);
        var evaluation = Examples(histories, evaluationCutoff, options, isPurchase);
        RequireBothClasses(training, "training", trainingCutoff, options.Window);
        RequireBothClasses(evaluation, "evaluation", evaluationCutoff, options.Window);

        var ml = new MLContext(options.Seed);
        var trainer = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            LabelColumnName = nameof(PropensityRow.Label),
            FeatureColumnName = nameof(PropensityRow.Features),
            NumberOfIterations = options.Iterations,
            NumberOfLeaves = options.Leaves,
            LearningRate = options.LearningRate,
            MinimumExampleCountPerLeaf = options.MinimumRowsPerLeaf,
            NumberOfThreads = 1,
            Seed = options.Seed,
            Deterministic = true,
            Silent = true,
        });
        var model = trainer.Fit(ml.Data.LoadFromEnumerable(training));
        var metrics = ml.BinaryClassification.Evaluate(
            model.Transform(ml.Data.LoadFromEnumerable(evaluation)),
            labelColumnName: nameof(PropensityRow.Label));

        var known = histories
            .Where(p => p.Value[0].At < cutoff)
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var engine = ml.Model.CreatePredictionEngine<PropensityRow, PropensityPrediction>(model);
        var result = new PropensityModel(known, options, isPurchase, engine, cutoff);
        var report = new PropensityEvaluation(
            metrics.AreaUnderRocCurve,
            metrics.AreaUnderPrecisionRecallCurve,
            metrics.LogLoss,
            trainingCutoff,
            evaluationCutoff,
            options.Window,
            training.Count,
            training.Count(r => r.Label),
            evaluation.Count,
            evaluation.Count(r => r.Label));
        return new PropensityTrainingResult(result, report);
    }

    /// <summary>
    /// The probability that <paramref name="user"/> purchases within the window after
    /// <see cref="Cutoff"/>; a user without history is scored as a newcomer (no interactions).
    /// </summary>
    public double Score(string user)
    {
        var history = _histories.GetValueOrDefault(user, []);
        var row = new PropensityRow { Features = PropensityFeatures.Compute(history, Cutoff, _options, _isPurchase) };
        lock (_lock)
        {
            return _engine.Predict(row).Probability;
        }
    }

    /// <summary>Every known user with their score, highest first (ties by id).</summary>
    public IReadOnlyList<(string User, double Score)> ScoreAll() =>
        Users.Select(u => (u, Score(u))).OrderByDescending(p => p.Item2).ThenBy(p => p.u, StringComparer.Ordinal).ToList();

    /// <summary>One example per user seen before <paramref name="reference"/>, labelled by a purchase in the window after it.</summary>
    private static List<PropensityRow> Examples(
        Dictionary<string, Interaction[]> histories, DateTimeOffset reference, PropensityOptions options, Func<Interaction, bool> isPurchase)
    {
        var end = reference + options.Window;
        var rows = new List<PropensityRow>();
        foreach (var user in histories.Keys.Order(StringComparer.Ordinal))
        {
            var history = histories[user];
            if (history[0].At >= reference)
            {
                continue;
            }

            var label = history.Any(i => i.At >= reference && i.At < end && isPurchase(i));
            rows.Add(new PropensityRow { Label = label, Features = PropensityFeatures.Compute(history, reference, options, isPurchase) });
        }

        return rows;
    }

    private static void RequireBothClasses(List<PropensityRow> rows, string what, DateTimeOffset reference, TimeSpan window)
    {
        var positives = rows.Count(r => r.Label);
        if (positives == 0 || positives == rows.Count)
        {
            throw new InvalidOperationException(
                $"The {what} window ({reference:u} + {window.TotalDays:0.#} days) has {positives} buyers among {rows.Count} users: propensity needs both buyers and non-buyers. Use a longer history or another window.");
        }
    }
}
