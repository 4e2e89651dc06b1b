namespace Recommender.Domain.Privacy;

/// <summary>The stores an erasure sweeps, one fan-out task each.</summary>
public enum ErasureTarget
{
    Profile,
    Recommendations,
    EventArchive,
    Workflows,
    CustomerDirectory,
    /// <summary>Experiment exposure records (pseudonymous, still personal data).</summary>
    ExperimentAssignments,
    /// <summary>The served model, retrained without the customer once the archive is clean; older versions can no longer be served.</summary>
    Models,
}

public enum ErasureState
{
    Pending,
    Done,
    Failed,
}

/// <summary>Progress of one store's task.</summary>
public sealed class ErasureTaskStatus
{
    public ErasureState State { get; set; }
    public int Attempts { get; set; }
    /// <summary>How many records the task removed (0 when there was nothing to remove).</summary>
    public int Removed { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>
/// An erasure request (collection <c>erasures</c>, partition = request id). While it runs it holds
/// the customer id; once every task is done the id is dropped and only its SHA-256 hash stays in
/// the receipt, which is kept as proof of erasure.
/// </summary>
public sealed class ErasureRequest
{
    public required string RequestId { get; init; }
    public string? CustomerId { get; set; }
    /// <summary>While running: the customer and every anonymous visitor id merged into them (<c>anon:...</c>).</summary>
    public List<string> Subjects { get; set; } = [];
    public required string SubjectHash { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public string Status { get; set; } = "in_progress";
    public DateTimeOffset? CompletedAt { get; set; }
    public Dictionary<ErasureTarget, ErasureTaskStatus> Tasks { get; set; } = [];

    public bool AllDone => Tasks.Values.All(t => t.State == ErasureState.Done);
}

/// <summary>A fan-out task message.</summary>
public sealed record ErasureTaskMessage(string RequestId, ErasureTarget Target);
