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
    /// <summary>The customer's watch list and their entries in the products' watcher shards (catalog alerts).</summary>
    ProductWatchers,
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
    /// <summary>Records kept under legal obligation, pseudonymized (the event archive's orders and consent decisions).</summary>
    public int Retained { get; set; }
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
    /// <summary>Set when every task is done: what was deleted, and what is retained, why and how.</summary>
    public ErasureReceipt? Receipt { get; set; }

    public bool AllDone => Tasks.Values.All(t => t.State == ErasureState.Done);
}

/// <summary>A fan-out task message.</summary>
public sealed record ErasureTaskMessage(string RequestId, ErasureTarget Target);

/// <summary>A category of data kept after an erasure, and the legal ground for keeping it.</summary>
public sealed record RetainedRecord(string What, int Count, string Why, string How);

/// <summary>The receipt of a completed erasure: per store what was deleted, and what is retained under legal obligation.</summary>
public sealed record ErasureReceipt(DateTimeOffset CompletedAt, string SubjectHash, IReadOnlyDictionary<ErasureTarget, int> Deleted, IReadOnlyList<RetainedRecord> Retained)
{
    public static ErasureReceipt Of(ErasureRequest request) => new(
        request.CompletedAt ?? default,
        request.SubjectHash,
        request.Tasks.ToDictionary(t => t.Key, t => t.Value.Removed),
        [
            new RetainedRecord("orders and returns, and consent decisions, in the event archive", request.Tasks.GetValueOrDefault(ErasureTarget.EventArchive)?.Retained ?? 0,
                "accounting obligation (orders: 7 years) and proof of consent",
                "pseudonymized: the customer id replaced by its SHA-256, anonymous id, session and request context removed; never used for features or training"),
            new RetainedRecord("privacy audit log entries", 0,
                "accountability for privacy actions",
                "the customer id is recorded only as its SHA-256"),
            new RetainedRecord("this erasure request", 1, "proof of erasure", "keeps only the SHA-256 of the customer id"),
        ]);
}
