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
    /// <summary>Dead-letter records (refused events, undeliverable messages) that name the customer.</summary>
    DeadLetters,
    /// <summary>Attribution: the customer's touchpoint journey and their counted orders' records (the daily counters are anonymous aggregates and stay).</summary>
    AttributionJourneys,
    /// <summary>The email provider, through a signed deletion webhook (<see cref="ProviderErasure"/>).</summary>
    EmailProvider,
    /// <summary>The push-notification provider, through a signed deletion webhook.</summary>
    PushProvider,
    /// <summary>The SMS provider, through a signed deletion webhook.</summary>
    SmsProvider,
}

public enum ErasureState
{
    /// <summary>Not done yet (a provider task waiting for its next attempt shows <see cref="ErasureTaskStatus.NextAttemptAt"/> and the last error).</summary>
    Pending,
    Done,
    /// <summary>The last attempt failed. A store task is retried by the queue; a provider task is failed for good (refused, or out of attempts).</summary>
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
    /// <summary>A provider task: when its next attempt is due (after a 5xx, a timeout or a 429).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
    /// <summary>What happened, in words (a provider task: what the provider answered, or that none is configured).</summary>
    public string? Outcome { get; set; }
}

/// <summary>
/// An erasure request (collection <c>erasures</c>, partition = request id). While it runs it holds
/// the customer id (and the hashed contacts the providers are told); once every task is done they
/// are dropped and only the SHA-256 hash of the id stays in the receipt, which is kept as proof of
/// erasure. A provider that refuses the deletion fails the request (<c>failed</c>): it keeps the id
/// until retried (<c>POST /api/privacy/erasure/{requestId}/retry</c>).
/// </summary>
public sealed class ErasureRequest
{
    public required string RequestId { get; init; }
    public string? CustomerId { get; set; }
    /// <summary>While running: the customer and every anonymous visitor id merged into them (<c>anon:...</c>).</summary>
    public List<string> Subjects { get; set; } = [];
    public required string SubjectHash { get; init; }
    /// <summary>While running: SHA-256 of the customer's normalized email, for the email provider's deletion request.</summary>
    public string? EmailSha256 { get; set; }
    /// <summary>While running: SHA-256 of the customer's E.164 phone number, for the SMS provider's deletion request.</summary>
    public string? PhoneSha256 { get; set; }
    public required DateTimeOffset RequestedAt { get; init; }
    public string Status { get; set; } = "in_progress";
    /// <summary>
    /// False when nothing was known about the customer when the request was made (no profile): the
    /// request is still carried out — every store is searched and every provider asked — and
    /// <see cref="Note"/> says so.
    /// </summary>
    public bool KnownCustomer { get; init; } = true;
    /// <summary>A word for the privacy team about the request (e.g. that nothing was known about the customer).</summary>
    public string? Note { get; init; }
    public DateTimeOffset? CompletedAt { get; set; }
    public Dictionary<ErasureTarget, ErasureTaskStatus> Tasks { get; set; } = [];
    /// <summary>Set when every task is done: what was deleted, and what is retained, why and how.</summary>
    public ErasureReceipt? Receipt { get; set; }

    public bool AllDone => Tasks.Values.All(t => t.State == ErasureState.Done);

    /// <summary>Drops every identifier once the request is finished: only <see cref="SubjectHash"/> remains.</summary>
    public void ForgetSubject()
    {
        CustomerId = null;
        Subjects = [];
        EmailSha256 = null;
        PhoneSha256 = null;
    }
}

/// <summary>A fan-out task message.</summary>
public sealed record ErasureTaskMessage(string RequestId, ErasureTarget Target);

/// <summary>A category of data kept after an erasure, and the ground for keeping it (<paramref name="Count"/>: null when not counted).</summary>
public sealed record RetainedRecord(string What, int? Count, string Why, string How);

/// <summary>How a downstream provider took the deletion request.</summary>
public sealed record ProviderOutcome(string Provider, string Outcome, int Attempts, DateTimeOffset? At);

/// <summary>
/// The receipt of a completed erasure: per store what was deleted, what each downstream provider
/// answered, and what is retained under legal obligation.
/// </summary>
public sealed record ErasureReceipt(DateTimeOffset CompletedAt, string SubjectHash, IReadOnlyDictionary<ErasureTarget, int> Deleted,
    IReadOnlyList<ProviderOutcome> Providers, IReadOnlyList<RetainedRecord> Retained)
{
    public static ErasureReceipt Of(ErasureRequest request) => new(
        request.CompletedAt ?? default,
        request.SubjectHash,
        request.Tasks.Where(t => ProviderErasure.ChannelOf(t.Key) is null).ToDictionary(t => t.Key, t => t.Value.Removed),
        request.Tasks.Where(t => ProviderErasure.ChannelOf(t.Key) is not null)
            .Select(t => new ProviderOutcome(ProviderErasure.ChannelOf(t.Key)!, t.Value.Outcome ?? "", t.Value.Attempts, t.Value.CompletedAt)).ToList(),
        [
            new RetainedRecord("orders and returns, and consent decisions, in the event archive", request.Tasks.GetValueOrDefault(ErasureTarget.EventArchive)?.Retained ?? 0,
                "accounting obligation (orders: 7 years) and proof of consent",
                "pseudonymized: the customer id replaced by its SHA-256, anonymous id, session and request context removed; never used for features or training"),
            new RetainedRecord("privacy audit log entries", null,
                "accountability for privacy actions (consent recorded through the API, access, rectification, objection, erasure)",
                "append-only; the customer id is recorded only as its SHA-256, never a personal value"),
            new RetainedRecord("this erasure request", 1, "proof of erasure", "keeps only the SHA-256 of the customer id"),
            new RetainedRecord("workflow timer messages queued before the erasure", null,
                "a queued message cannot be removed before it is due (Storage queues)",
                "each holds only the customer id and a step number; when due — within 7 days, one queue hop — it finds no workflow state and is discarded"),
        ]);
}
