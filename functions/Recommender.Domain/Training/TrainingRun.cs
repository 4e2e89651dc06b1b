namespace Recommender.Domain.Training;

/// <summary>How one candidate algorithm scored on the holdout window.</summary>
public sealed record CandidateResult(string Algorithm, IReadOnlyDictionary<string, double> Metrics);

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
    public DateTimeOffset? HoldoutFrom { get; set; }
    public List<CandidateResult> Candidates { get; set; } = [];
    /// <summary>The served model's algorithm, retrained on the same data, on the same holdout.</summary>
    public CandidateResult? Baseline { get; set; }
    public string? Chosen { get; set; }
    public string? ModelVersion { get; set; }
    /// <summary>Algorithm → version trained for the placements that name it (<c>Recommender:Serving:PlacementAlgorithms</c>).</summary>
    public Dictionary<string, string>? PlacementModels { get; set; }
    public string? Decision { get; set; }
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
    /// <value>A candidate is promoted unless it scores below the served algorithm by more than this fraction.</value>
    public double Tolerance { get; set; } = 0.02;
    /// <value>The most recent stretch of events held out for evaluation.</value>
    public TimeSpan HoldoutWindow { get; set; } = HoldoutEvaluator.DefaultWindow;
    /// <value>Fewer evaluated customers than this and the gate cannot judge: the run promotes the best candidate and says so.</value>
    public int MinimumHoldoutCustomers { get; set; } = 20;
}
