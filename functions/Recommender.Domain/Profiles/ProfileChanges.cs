using Recommender.Domain.Events;

namespace Recommender.Domain.Profiles;

/// <summary>What applying a subject's events changed: drives counters, workflows, cache and the write itself.</summary>
public sealed class ProfileChanges
{
    /// <summary>Events applied for the first time (duplicates excluded), in event-time order.</summary>
    public List<ClickstreamEvent> Applied { get; } = [];
    /// <summary>
    /// Events of this batch the profile had already applied: a batch delivered again, maybe after a crash
    /// between the profile write and the steps after it, which run again for them (each is idempotent).
    /// </summary>
    public List<ClickstreamEvent> Replayed { get; } = [];
    /// <summary>Pairs of products viewed close together, with when (anonymous aggregate: no identity leaves with them).</summary>
    public List<(string A, string B, DateTimeOffset At)> CoViewed { get; } = [];
    /// <summary>
    /// Behavioural and search events of this batch (applied or replayed) that may not be archived raw,
    /// with why: decided by the same profile state that decided their profiling, inside the same
    /// ETag-guarded write (<see cref="Ingestion.ArchiveGate"/>).
    /// </summary>
    public Dictionary<string, string> Withheld { get; } = new(StringComparer.Ordinal);
    /// <summary>
    /// Events of this batch dropped outright, with why: email and push opens and clicks of a subject
    /// without that channel's tracking consent. Not applied, not remembered, not archived (also in <see cref="Withheld"/>).
    /// </summary>
    public Dictionary<string, string> Dropped { get; } = new(StringComparer.Ordinal);
    public bool CartChanged { get; set; }
    public bool Purchased { get; set; }
    /// <summary>A product was disliked, or a dislike lifted: the customer's lists must change at once.</summary>
    public bool DislikesChanged { get; set; }
    public bool ConsentChanged { get; set; }
    public bool AccountChanged { get; set; }
    /// <summary>The customer's stated categories or brands changed: their lists must change at once.</summary>
    public bool PreferencesChanged { get; set; }
    /// <summary>Behaviour features were wiped (analytics consent withdrawn, or a minor).</summary>
    public bool BehaviourCleared { get; set; }
    /// <summary>At least one event changed behaviour features (a profile exists and may be profiled).</summary>
    public bool Profiled { get; set; }
    public bool IsNewProfile { get; set; }
    /// <summary>The subject these changes are about (the profile's id).</summary>
    public string? SubjectId { get; set; }
    /// <summary>
    /// The subject may be attributed individually (a touchpoint journey kept): analytics consent, not a
    /// possible minor, no objection — as the profile stands after these events (<see cref="Attribution.AttributionRecorder"/>).
    /// </summary>
    public bool MayBeAttributed { get; set; }
    /// <summary>Anonymous ids this customer identified as (login) in these events.</summary>
    public List<string> Identified { get; } = [];

    /// <summary>Changes that alter what the customer should be recommended.</summary>
    public bool Material => Profiled && (DislikesChanged || Applied.Any(e => e.Type is EventType.View or EventType.AddToCart or EventType.RemoveFromCart
        or EventType.Purchase or EventType.WishlistAdd or EventType.WishlistRemove or EventType.Search));

    /// <summary>Whether the profile document must be written: features changed, or a record the customer gave us did.</summary>
    public bool MustWrite => Profiled || ConsentChanged || AccountChanged || BehaviourCleared || Identified.Count > 0;
}
