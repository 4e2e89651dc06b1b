using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Recommender.Domain.Training;

/// <summary>How one candidate algorithm, with the settings its search chose, scored on the held-out test data.</summary>
public sealed record CandidateResult(string Algorithm, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>The hyper-parameters it was evaluated (and would be trained) with; null when it has none.</summary>
    public IReadOnlyDictionary<string, double>? Settings { get; init; }

    /// <summary>The search on the validation split carved from the training part, when it ran.</summary>
    public TuningRecord? Tuning { get; init; }

    /// <summary>Why it was not evaluated (e.g. the LightGBM native library could not load); null when it was. A skipped candidate is never chosen.</summary>
    public string? Skipped { get; init; }

    /// <summary>Each evaluated customer's nDCG@k, for the paired interval (kept out of the stored run).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<double> PerCustomer { get; init; } = [];
}

/// <summary>One candidate's hyper-parameter search, as recorded in the run and the model manifest.</summary>
/// <param name="Trials">Every setting tried and its validation nDCG@10, in order.</param>
/// <param name="BudgetExhausted">The time budget ended the search early.</param>
/// <param name="ValidationUsers">Customers evaluated on the validation split.</param>
/// <param name="Milliseconds">Wall time of the search.</param>
public sealed record TuningRecord(IReadOnlyList<TuningTrialRecord> Trials, bool BudgetExhausted, int ValidationUsers, double Milliseconds);

/// <summary>One trial of a search.</summary>
public sealed record TuningTrialRecord(IReadOnlyDictionary<string, double> Settings, double Ndcg);

/// <summary>
/// The gate's comparison of the best candidate with the served algorithm: the paired bootstrap
/// interval over evaluated customers of the difference in nDCG@k (candidate − served).
/// </summary>
public sealed record GateRecord(string Candidate, string Served, double Difference, double Lower, double Upper, double Level, int Customers, bool BetterBeyondNoise);

/// <summary>
/// One training run (collection <c>workflows</c>, partition <c>_training</c>): queued → running →
/// promoted | rejected | skipped, or failed with the error while the queue retries it.
/// </summary>
public sealed class TrainingRun
{
    public const string PartitionKey = "_training";

    public required string RunId { get; init; }
    public required string Trigger { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public string Status { get; set; } = "queued";
    public int Attempts { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public List<CandidateResult> Candidates { get; set; } = [];
    /// <summary>The served model's algorithm, retrained on the same data, on the same holdout.</summary>
    public CandidateResult? Baseline { get; set; }
    public string? Chosen { get; set; }
    public string? ModelVersion { get; set; }
    /// <summary>Algorithm → version trained for the placements that name it (<c>Recommender:Serving:PlacementAlgorithms</c>).</summary>
    public Dictionary<string, string>? PlacementModels { get; set; }
    public string? Decision { get; set; }
    /// <summary>The interval the gate decided on, when a served algorithm was compared.</summary>
    public GateRecord? Gate { get; set; }
    /// <summary>Interaction events held out (a share of each evaluated customer's, chosen by <see cref="Holdout"/>).</summary>
    public int HeldOutEvents { get; set; }
    /// <summary>Which interactions the gate and the tuner held out: each customer's latest ones, or ones drawn at random.</summary>
    public HoldoutOrder Holdout { get; set; }
    /// <summary>The purchase-propensity step: its AUC on the next window and the customers scored (null when disabled).</summary>
    public PropensityRecord? Propensity { get; set; }
    public string? Error { get; set; }

    public bool IsFinished => Status is "promoted" or "rejected" or "skipped";
}

/// <summary>The queue message of a training run.</summary>
public sealed record TrainingMessage(string RunId);

/// <summary>Configuration section <c>Recommender:Training</c>.</summary>
public sealed class TrainingOptions
{
    public const string Section = "Recommender:Training";
    /// <value>The metric candidates are ranked and gated by.</value>
    public string PrimaryMetric { get; set; } = "ndcg@10";
    /// <value>A retraining of the served algorithm is promoted unless it scores below the served one by more than this fraction.</value>
    [Range(0.0, 1.0)]
    public double Tolerance { get; set; } = 0.02;
    /// <value>The share of each customer's latest interaction events held out for the gate (at least one per customer with two or more).</value>
    [Range(0.0, 1.0)]
    public double HoldoutFraction { get; set; } = HoldoutEvaluator.DefaultFraction;
    /// <value>
    /// Which interactions of each customer the gate and each candidate's search hold out, and so what the home and
    /// email lists are chosen to predict: <c>Latest</c> (the default: what the customer does next) or <c>Random</c>
    /// (drawn from the whole history: the customer's whole taste). No one list is best at both (docs/training-and-quality.md).
    /// </value>
    [EnumDataType(typeof(HoldoutOrder))]
    public HoldoutOrder Holdout { get; set; } = HoldoutOrder.Latest;
    /// <value>Fewer evaluated customers than this and the gate cannot judge: the run promotes the best candidate and says so.</value>
    [Range(0, int.MaxValue)]
    public int MinimumHoldoutCustomers { get; set; } = 20;
    /// <value>The confidence level of the paired bootstrap interval a different algorithm must clear (its lower bound above zero) to replace the served one.</value>
    [Range(0.0, 1.0)]
    public double ConfidenceLevel { get; set; } = 0.95;
    /// <value>Bootstrap resamples of the interval.</value>
    [Range(1, 1_000_000)]
    public int BootstrapResamples { get; set; } = 2000;
    /// <value>Whether each candidate's hyper-parameters are searched on a validation split of the training part.</value>
    public bool Tune { get; set; } = true;
    /// <value>The time budget of each candidate's search (up to a day).</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan TuningBudget { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>Checks <see cref="TrainingOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class TrainingOptionsValidator : IValidateOptions<TrainingOptions>;
