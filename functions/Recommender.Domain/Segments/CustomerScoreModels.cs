using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using Recommender.Domain.Events;

namespace Recommender.Domain.Segments;

/// <summary>
/// What is known of a customer's orders and activity at one instant: from the archive (training, as
/// of a past cut-off) or from the profile (scoring, as of now). Both give the same numbers for the
/// same history, so the models see the same features in training and in scoring.
/// </summary>
public readonly record struct CustomerActivity(int Orders, decimal Spent, DateTimeOffset? FirstOrderAt, DateTimeOffset? LastOrderAt, DateTimeOffset? LastSeenAt, long Events)
{
    public const int FeatureCount = 7;

    /// <summary>recency, frequency, monetary, tenure (days since the first order), average order value, days since last seen, log events; -1 for "never".</summary>
    public float[] Features(DateTimeOffset at) =>
    [
        LastOrderAt is { } last ? (float)(at - last).TotalDays : -1f,
        Orders,
        (float)Spent,
        FirstOrderAt is { } first ? (float)(at - first).TotalDays : -1f,
        Orders > 0 ? (float)(Spent / Orders) : 0f,
        LastSeenAt is { } seen ? (float)(at - seen).TotalDays : -1f,
        (float)Math.Log(1 + Events),
    ];
}

/// <summary>One customer's archived history, reduced to what the features need.</summary>
public sealed class CustomerHistory
{
    public List<(DateTimeOffset At, decimal Amount)> Orders { get; } = [];
    public List<DateTimeOffset> Seen { get; } = [];

    public void Add(ClickstreamEvent e)
    {
        Seen.Add(e.OccurredAt);
        if (e.Type == EventType.Purchase)
        {
            Orders.Add((e.OccurredAt, e.Total ?? (e.Lines ?? []).Sum(l => (l.Price ?? 0) * l.Quantity)));
        }
    }

    /// <summary>The activity as of <paramref name="at"/> (events strictly before it); null when the customer had not appeared yet.</summary>
    public CustomerActivity? At(DateTimeOffset at)
    {
        long events = 0;
        DateTimeOffset? lastSeen = null;
        foreach (var seen in Seen)
        {
            if (seen < at)
            {
                events++;
                lastSeen = lastSeen is { } l && l > seen ? l : seen;
            }
        }

        if (events == 0)
        {
            return null;
        }

        var orders = 0;
        decimal spent = 0;
        DateTimeOffset? first = null, last = null;
        foreach (var (orderAt, amount) in Orders)
        {
            if (orderAt < at)
            {
                orders++;
                spent += amount;
                first = first is { } f && f < orderAt ? f : orderAt;
                last = last is { } l && l > orderAt ? l : orderAt;
            }
        }

        return new CustomerActivity(orders, spent, first, last, lastSeen, events);
    }

    public bool PurchasedBetween(DateTimeOffset from, DateTimeOffset to) => Orders.Any(o => o.At >= from && o.At < to);

    public decimal SpentBetween(DateTimeOffset from, DateTimeOffset to) => Orders.Where(o => o.At >= from && o.At < to).Sum(o => o.Amount);
}

/// <summary>How the models did on the window they never saw.</summary>
public sealed record ScoreModelReport(
    double ChurnWindowDays,
    double? ChurnAuc,
    int ChurnTrainingCustomers,
    int ChurnEvaluationCustomers,
    double LifetimeHorizonDays,
    double LifetimeWindowDays,
    string LifetimeMethod,
    double? LifetimeMaeModel,
    double? LifetimeMaeRunRate,
    int LifetimeEvaluationCustomers,
    string? Note);

/// <summary>
/// The churn classifier and the lifetime-value regression (LightGBM gradient-boosted trees through
/// ML.NET, single-threaded and seeded, so deterministic), trained on the archive:
/// <list type="bullet">
/// <item>Churn: features at a cut-off T → did the customer buy in the next N days. Trained at
/// T = now − 2N, its AUC measured at T = now − N (a window it never saw), then refitted at now − N
/// for scoring. The churn probability is 1 − P(purchase).</item>
/// <item>Lifetime value: features at T → spend in the next h days (h = the 12-month horizon, or a
/// third of the archive's span when it is shorter; predictions are scaled to 12 months). Trained at
/// now − 2h, its mean absolute error measured at now − h against the run-rate baseline (spend per day
/// so far × h); the method with the lower error is the one used — and recorded.</item>
/// </list>
/// </summary>
public sealed class CustomerScoreModels
{
    /// <summary>Below this the lifetime-value regression would extrapolate too far: the run rate is used.</summary>
    public static readonly TimeSpan MinimumLifetimeWindow = TimeSpan.FromDays(30);

    private readonly MLContext _ml = new(seed: 17);
    private readonly PredictionEngine<ChurnRow, ChurnPrediction>? _churn;
    private readonly PredictionEngine<LtvRow, LtvPrediction>? _ltv;
    private readonly Lock _lock = new();

    private CustomerScoreModels(ITransformer? churn, ITransformer? ltv, double churnWindowDays, double lifetimeScale)
    {
        ChurnWindowDays = churnWindowDays;
        LifetimeScale = lifetimeScale;
        _churn = churn is null ? null : _ml.Model.CreatePredictionEngine<ChurnRow, ChurnPrediction>(churn);
        _ltv = ltv is null ? null : _ml.Model.CreatePredictionEngine<LtvRow, LtvPrediction>(ltv);
        ChurnModel = churn;
        LifetimeModel = ltv;
    }

    public double ChurnWindowDays { get; }
    /// <summary>12 months over the lifetime window the model learned (1 when it learned 12 months).</summary>
    public double LifetimeScale { get; }
    public ITransformer? ChurnModel { get; }
    public ITransformer? LifetimeModel { get; }

    /// <summary>The probability of no purchase in the next <see cref="ChurnWindowDays"/>; null without a churn model.</summary>
    public double? Churn(CustomerActivity activity, DateTimeOffset now)
    {
        if (_churn is null)
        {
            return null;
        }

        lock (_lock)
        {
            var p = _churn.Predict(new ChurnRow { Features = activity.Features(now) }).Probability;
            return Math.Round(Math.Clamp(1 - p, 0, 1), 4);
        }
    }

    /// <summary>Expected spend over the 12-month horizon.</summary>
    public decimal Lifetime(CustomerActivity activity, DateTimeOffset now, double horizonDays)
    {
        double value;
        if (_ltv is null)
        {
            value = RunRate(activity, now, horizonDays);
        }
        else
        {
            lock (_lock)
            {
                value = _ltv.Predict(new LtvRow { Features = activity.Features(now) }).Score * LifetimeScale;
            }
        }

        return Math.Round((decimal)Math.Max(0, value), 2);
    }

    /// <summary>Spend per day since the first order (at least 30 days) times the horizon: the baseline the regression must beat.</summary>
    public static double RunRate(CustomerActivity activity, DateTimeOffset at, double horizonDays) =>
        activity.FirstOrderAt is { } first ? (double)activity.Spent / Math.Max(30, (at - first).TotalDays) * horizonDays : 0;

    /// <summary>
    /// The expected date of the next purchase: a purchase rate λ matching the churn probability
    /// (P(no purchase in N days) = e^(−λN)), so the expected wait is N / −ln(churn), from 1 day to 2 years.
    /// </summary>
    public static DateTimeOffset? NextPurchase(double? churn, double churnWindowDays, DateTimeOffset now)
    {
        if (churn is not { } c)
        {
            return null;
        }

        var wait = c <= 0 ? 1 : c >= 1 ? 730 : churnWindowDays / -Math.Log(c);
        return now + TimeSpan.FromDays(Math.Clamp(wait, 1, 730));
    }

    public void Save(Stream churn, Stream ltv)
    {
        var schema = _ml.Data.LoadFromEnumerable(Array.Empty<ChurnRow>()).Schema;
        if (ChurnModel is not null)
        {
            _ml.Model.Save(ChurnModel, schema, churn);
        }

        if (LifetimeModel is not null)
        {
            _ml.Model.Save(LifetimeModel, _ml.Data.LoadFromEnumerable(Array.Empty<LtvRow>()).Schema, ltv);
        }
    }

    public static CustomerScoreModels Load(Stream? churn, Stream? ltv, double churnWindowDays, double lifetimeScale)
    {
        var ml = new MLContext(seed: 17);
        return new CustomerScoreModels(churn is null ? null : ml.Model.Load(churn, out _), ltv is null ? null : ml.Model.Load(ltv, out _), churnWindowDays, lifetimeScale);
    }

    /// <summary>Trains both models on the histories, as of <paramref name="now"/>; see the class summary.</summary>
    public static (CustomerScoreModels Models, ScoreModelReport Report) Train(IReadOnlyCollection<CustomerHistory> histories, DateTimeOffset now,
        SegmentationOptions options)
    {
        var ml = new MLContext(seed: 17);
        var earliest = histories.SelectMany(h => h.Seen).DefaultIfEmpty(now).Min();
        var span = now - earliest;
        var notes = new List<string>();

        // Churn: a window of N days, shrunk to a third of the archive's span when the archive is shorter than 3N.
        var window = options.ChurnWindow;
        if (span < 3 * window)
        {
            window = span / 3;
            notes.Add($"archive spans {span.TotalDays:0.#} days: churn window shrunk to {window.TotalDays:0.#} days");
        }

        ITransformer? churn = null;
        double? auc = null;
        int churnTrain = 0, churnEval = 0;
        if (window >= TimeSpan.FromHours(12))
        {
            var training = ChurnRows(histories, now - 2 * window, window);
            var evaluation = ChurnRows(histories, now - window, window);
            churnTrain = training.Count;
            churnEval = evaluation.Count;
            if (Usable(training, options) && Usable(evaluation, options))
            {
                var first = FitChurn(ml, training);
                var engine = ml.Model.CreatePredictionEngine<ChurnRow, ChurnPrediction>(first);
                auc = Math.Round(Auc(evaluation.Select(r => ((double)engine.Predict(r).Probability, r.Label)).ToList()), 4);
                if (auc >= options.MinimumChurnAuc)
                {
                    churn = FitChurn(ml, evaluation);
                }
                else
                {
                    notes.Add($"churn: AUC {auc} on the latest window is below {options.MinimumChurnAuc}; no churn model");
                }
            }
            else
            {
                notes.Add($"churn: too few customers or a single class ({churnTrain} training, {churnEval} evaluation customers); no churn model");
            }
        }

        // Lifetime value: horizon h, or a third of the span; scaled to the horizon.
        var horizon = options.LifetimeHorizon;
        var ltvWindow = span < 3 * horizon ? span / 3 : horizon;
        ITransformer? ltv = null;
        double? maeModel = null, maeRunRate = null;
        var method = "run-rate";
        var ltvEvalCount = 0;
        if (ltvWindow < MinimumLifetimeWindow)
        {
            notes.Add($"lifetime value: a {ltvWindow.TotalDays:0.#}-day window is too short to extrapolate to {horizon.TotalDays:0} days; run rate used");
        }
        else
        {
            var training = LtvRows(histories, now - 2 * ltvWindow, ltvWindow);
            var evaluationCutoff = now - ltvWindow;
            var evaluation = histories.Select(h => (Activity: h.At(evaluationCutoff), History: h)).Where(p => p.Activity is not null).ToList();
            ltvEvalCount = evaluation.Count;
            if (training.Count >= options.MinimumTrainingCustomers && evaluation.Count >= options.MinimumTrainingCustomers)
            {
                var first = FitLtv(ml, training);
                var engine = ml.Model.CreatePredictionEngine<LtvRow, LtvPrediction>(first);
                double modelError = 0, runRateError = 0;
                foreach (var (activity, history) in evaluation)
                {
                    var actual = (double)history.SpentBetween(evaluationCutoff, now);
                    modelError += Math.Abs(Math.Max(0, engine.Predict(new LtvRow { Features = activity!.Value.Features(evaluationCutoff) }).Score) - actual);
                    runRateError += Math.Abs(RunRate(activity!.Value, evaluationCutoff, ltvWindow.TotalDays) - actual);
                }

                maeModel = Math.Round(modelError / evaluation.Count, 2);
                maeRunRate = Math.Round(runRateError / evaluation.Count, 2);
                if (maeModel <= maeRunRate)
                {
                    method = "gradient-boosted-trees";
                    ltv = FitLtv(ml, LtvRows(histories, evaluationCutoff, ltvWindow));
                }
            }
            else
            {
                notes.Add($"lifetime value: too few customers ({training.Count} training, {evaluation.Count} evaluation); run rate used");
            }
        }

        var scale = ltvWindow > TimeSpan.Zero ? horizon / ltvWindow : 1;
        var models = new CustomerScoreModels(churn, ltv, window.TotalDays, ltv is null ? 1 : scale);
        var report = new ScoreModelReport(Math.Round(window.TotalDays, 2), auc, churnTrain, churnEval, horizon.TotalDays, Math.Round(ltvWindow.TotalDays, 2), method,
            maeModel, maeRunRate, ltvEvalCount, notes.Count == 0 ? null : string.Join("; ", notes));
        return (models, report);
    }

    /// <summary>Area under the ROC curve (ties count half): the probability a random positive outranks a random negative.</summary>
    public static double Auc(IReadOnlyList<(double Score, bool Label)> scored)
    {
        var ordered = scored.OrderBy(s => s.Score).ToList();
        long positives = ordered.Count(s => s.Label), negatives = ordered.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        double rankSum = 0;
        for (var i = 0; i < ordered.Count;)
        {
            var j = i;
            while (j < ordered.Count && ordered[j].Score == ordered[i].Score)
            {
                j++;
            }

            var averageRank = (i + 1 + j) / 2.0;
            for (; i < j; i++)
            {
                rankSum += ordered[i].Label ? averageRank : 0;
            }
        }

        return (rankSum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }

    private static bool Usable(List<ChurnRow> rows, SegmentationOptions options) =>
        rows.Count >= options.MinimumTrainingCustomers && rows.Any(r => r.Label) && rows.Any(r => !r.Label);

    private static List<ChurnRow> ChurnRows(IEnumerable<CustomerHistory> histories, DateTimeOffset cutoff, TimeSpan window) =>
        histories.Select(h => (h, a: h.At(cutoff))).Where(p => p.a is not null)
            .Select(p => new ChurnRow { Features = p.a!.Value.Features(cutoff), Label = p.h.PurchasedBetween(cutoff, cutoff + window) }).ToList();

    private static List<LtvRow> LtvRows(IEnumerable<CustomerHistory> histories, DateTimeOffset cutoff, TimeSpan window) =>
        histories.Select(h => (h, a: h.At(cutoff))).Where(p => p.a is not null)
            .Select(p => new LtvRow { Features = p.a!.Value.Features(cutoff), Label = (float)p.h.SpentBetween(cutoff, cutoff + window) }).ToList();

    private static ITransformer FitChurn(MLContext ml, List<ChurnRow> rows) =>
        ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            LabelColumnName = nameof(ChurnRow.Label),
            FeatureColumnName = nameof(ChurnRow.Features),
            NumberOfIterations = 100,
            NumberOfLeaves = 15,
            LearningRate = 0.1,
            MinimumExampleCountPerLeaf = Math.Max(5, rows.Count / 200),
            NumberOfThreads = 1,
            Seed = 17,
            Deterministic = true,
            Silent = true,
        }).Fit(ml.Data.LoadFromEnumerable(rows));

    private static ITransformer FitLtv(MLContext ml, List<LtvRow> rows) =>
        ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
        {
            LabelColumnName = nameof(LtvRow.Label),
            FeatureColumnName = nameof(LtvRow.Features),
            NumberOfIterations = 100,
            NumberOfLeaves = 15,
            LearningRate = 0.1,
            MinimumExampleCountPerLeaf = Math.Max(5, rows.Count / 200),
            NumberOfThreads = 1,
            Seed = 17,
            Deterministic = true,
            Silent = true,
        }).Fit(ml.Data.LoadFromEnumerable(rows));

    public sealed class ChurnRow
    {
        public bool Label { get; set; }

        [VectorType(CustomerActivity.FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    public sealed class ChurnPrediction
    {
        public float Probability { get; set; }
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
    }

    public sealed class LtvRow
    {
        public float Label { get; set; }

        [VectorType(CustomerActivity.FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    public sealed class LtvPrediction
    {
        public float Score { get; set; }
    }
}
