namespace Recommender.Domain.Profiles;

/// <summary>A product and when the customer last touched it.</summary>
public sealed record RecentItem(string ProductId, DateTimeOffset At);

/// <summary>A search the customer ran (the query is the only free text ever kept; 90-day retention).</summary>
public sealed record RecentSearch(string Query, DateTimeOffset At, int? ResultCount);

/// <summary>A line of the customer's current cart.</summary>
public sealed record CartLine(string ProductId, int Quantity, decimal? Price, DateTimeOffset AddedAt);

/// <summary>
/// The latest recorded consent decision for one channel or purpose, kept with its proof: <see cref="RelayedBy"/>
/// is who relayed it (<c>storefront:{client}</c>, an operator), absent for decisions recorded before it was kept.
/// </summary>
public sealed record ConsentRecord(bool Granted, DateTimeOffset At, string PolicyVersion, string Source, string EventId, string? RelayedBy = null);

/// <summary>One recorded consent decision for a channel or purpose, with who relayed it.</summary>
public sealed record ConsentHistoryEntry(string Channel, bool Granted, DateTimeOffset At, string PolicyVersion, string Source, string EventId, string? RelayedBy = null);

/// <summary>The customer's current (latest) session.</summary>
public sealed class SessionFeatures
{
    /// <summary>A visit without a session id ends after this much inactivity.</summary>
    public static readonly TimeSpan InactivityTimeout = TimeSpan.FromMinutes(30);

    public string? Id { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastEventAt { get; set; }
    public int Events { get; set; }
    public int ProductViews { get; set; }
    public int Searches { get; set; }
    public int CartAdds { get; set; }
    public string? Device { get; set; }
}

/// <summary>
/// A customer's purchase propensity as the latest training run computed it: the probability of a
/// purchase within <see cref="WindowDays"/> days after <see cref="ComputedAt"/>. Derived data: only
/// while the customer may be profiled, exported with the profile, gone with it or with the consent.
/// </summary>
public sealed record PropensityScore(double Probability, DateTimeOffset ComputedAt, double WindowDays, string RunId);

/// <summary>Recency, frequency and monetary value of a customer's orders at a given instant.</summary>
public sealed record Rfm(double? RecencyDays, int Frequency, decimal Monetary);

/// <summary>
/// Everything the system keeps about one customer (or one anonymous visitor, id <c>anon:...</c>):
/// behaviour features — only while profiling is allowed — plus consent records and the ids of the
/// last events applied. One document per subject (partition = subject id).
/// </summary>
public sealed class CustomerProfile
{
    public const int MaxRecentViews = 20;
    public const int MaxRecentSearches = 10;
    public const int MaxAffinities = 50;
    /// <summary>At most this many dislikes are kept (the oldest go first).</summary>
    public const int MaxDislikes = 200;
    public const int MaxProcessedEventIds = 500;
    /// <summary>Customers younger than this are never profiled.</summary>
    public const int MinimumProfilingAge = 16;
    public static readonly TimeSpan AffinityHalfLife = TimeSpan.FromDays(30);
    public static readonly TimeSpan SearchRetention = TimeSpan.FromDays(90);

    public required string CustomerId { get; init; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Latest event time applied; affinities are decayed to this instant.</summary>
    public DateTimeOffset LastEventAt { get; set; }

    // Behaviour features (empty unless profiling is allowed)
    public List<RecentItem> RecentViews { get; set; } = [];
    public List<RecentSearch> RecentSearches { get; set; } = [];
    public Dictionary<string, double> CategoryAffinities { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, double> BrandAffinities { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, double> PriceBandAffinities { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Keys are <c>attribute:value</c>, e.g. <c>size:M</c>, <c>colour:navy</c>.</summary>
    public Dictionary<string, double> AttributeAffinities { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, CartLine> Cart { get; set; } = new(StringComparer.Ordinal);
    public DateTimeOffset? CartChangedAt { get; set; }
    public Dictionary<string, DateTimeOffset> Wishlist { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Product id → time of the latest purchase.</summary>
    public Dictionary<string, DateTimeOffset> Purchased { get; set; } = new(StringComparer.Ordinal);
    /// <summary>
    /// Product id → when the customer last disliked it: an event the weights table weighs negative
    /// (<c>not_interested</c>, a low rating, a return). Never shown to them, its neighbours down-weighted,
    /// never cited in an explanation; a later cart add, wishlist add, purchase or good review lifts it.
    /// </summary>
    public Dictionary<string, DateTimeOffset> Dislikes { get; set; } = new(StringComparer.Ordinal);
    public int OrderCount { get; set; }
    public decimal TotalSpent { get; set; }
    public DateTimeOffset? FirstOrderAt { get; set; }
    public DateTimeOffset? LastOrderAt { get; set; }
    public int ReturnCount { get; set; }
    public decimal RefundTotal { get; set; }
    public SessionFeatures? Session { get; set; }
    public int SessionCount { get; set; }
    /// <summary>
    /// The purchase-propensity score of the latest training run (<see cref="Training.PurchasePropensity"/>);
    /// null unless the customer may be profiled. Removed with the behaviour, on an objection and by the next run.
    /// </summary>
    public PropensityScore? PurchasePropensity { get; set; }

    // Not behaviour: what the customer told us and what we must honour
    public Dictionary<string, ConsentRecord> Consents { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Every consent decision ever recorded, oldest first: the proof of what was agreed, when, how and under which policy.</summary>
    public List<ConsentHistoryEntry> ConsentHistory { get; set; } = [];
    public int? BirthYear { get; set; }
    public bool? AgeVerifiedAdult { get; set; }
    public string? TimeZone { get; set; }
    /// <summary>SHA-256 of the normalized email (for ad audiences, with consent); the address itself is never kept.</summary>
    public string? EmailSha256 { get; set; }
    /// <summary>SHA-256 of the E.164 phone number (for ad audiences, with consent).</summary>
    public string? PhoneSha256 { get; set; }
    /// <summary>
    /// Categories the customer told us they like (an account record or a rectification): what they said, never
    /// inferred; used to personalize only when personalization is allowed (<see cref="PersonalizationAllowed"/>).
    /// </summary>
    public List<string> StatedCategories { get; set; } = [];
    /// <summary>Brands the customer told us they like (as <see cref="StatedCategories"/>).</summary>
    public List<string> StatedBrands { get; set; } = [];
    /// <summary>Anonymous visitor ids merged into this customer at login (for erasure and attribution).</summary>
    public List<string> AnonymousIds { get; set; } = [];
    /// <summary>Anonymous ids whose profile has been merged into this one (each merge happens once).</summary>
    public List<string> MergedVisitors { get; set; } = [];
    /// <summary>Set on an anonymous visitor's record once merged: later events go to this customer.</summary>
    public string? MergedInto { get; set; }

    /// <summary>Ids of the latest events applied, oldest first (bounded by <see cref="MaxProcessedEventIds"/>).</summary>
    public List<string> ProcessedEventIds { get; set; } = [];
    public long EventCount { get; set; }

    /// <summary>The customer objected to profiling (right to object): features may be kept, never used to personalize.</summary>
    public bool ObjectedToProfiling { get; set; }

    public bool HasConsent(string channel) => Consents.TryGetValue(channel, out var c) && c.Granted;

    /// <summary>
    /// Lists may be built from this customer's behaviour: profiling is allowed, personalization was not
    /// withdrawn, and the customer has not objected. Otherwise only popular, trending and
    /// similar-to-context lists are served.
    /// </summary>
    public bool PersonalizationAllowed(DateTimeOffset now) =>
        ProfilingAllowed(now) && !ObjectedToProfiling
        && !(Consents.TryGetValue(ConsentChannels.Personalization, out var personalization) && !personalization.Granted);

    /// <summary>Could be under <see cref="MinimumProfilingAge"/> (birth year known; the birthday may not have come yet).</summary>
    public bool IsPossiblyMinor(DateTimeOffset now) => BirthYear is { } year && now.Year - year <= MinimumProfilingAge;

    /// <summary>Behaviour may be turned into features: analytics consent, and not a minor.</summary>
    public bool ProfilingAllowed(DateTimeOffset now) => HasConsent(ConsentChannels.Analytics) && !IsPossiblyMinor(now);

    /// <summary>
    /// Something new may be derived from this subject's behaviour — features, workflows, the raw event
    /// archive: <see cref="ProfilingAllowed"/> and no objection. An objection restricts (the features
    /// already derived are kept, unused) but stops every new derivation at once.
    /// </summary>
    public bool MayBeProfiled(DateTimeOffset now) => ProfilingAllowed(now) && !ObjectedToProfiling;

    /// <summary>
    /// Why this subject's behaviour may not be archived or profiled now (null when it may), as the
    /// archive gate counts it. An anonymous visitor (<c>anon:</c>) needs no consent of their own to be
    /// archived under the anonymous id, but an explicit refusal on their cookie banner is honoured.
    /// </summary>
    public string? ArchiveRefusal(DateTimeOffset now)
    {
        if (CustomerId.StartsWith(Events.ClickstreamEvent.AnonymousSubjectPrefix, StringComparison.Ordinal))
        {
            return Consents.TryGetValue(ConsentChannels.Analytics, out var visitor) && !visitor.Granted ? ArchiveReasons.NoAnalyticsConsent : null;
        }

        return !HasConsent(ConsentChannels.Analytics) ? ArchiveReasons.NoAnalyticsConsent
            : IsPossiblyMinor(now) ? ArchiveReasons.PossiblyMinor
            : ObjectedToProfiling ? ArchiveReasons.Objection
            : null;
    }

    public decimal CartValue => Cart.Values.Sum(l => (l.Price ?? 0) * l.Quantity);

    public Rfm RfmAt(DateTimeOffset now) =>
        new(LastOrderAt is { } last ? Math.Round((now - last).TotalDays, 2) : null, OrderCount, TotalSpent);

    /// <summary>Forgets every behaviour feature (consent withdrawn, or a minor): keeps consent and ids.</summary>
    public void ClearBehaviour()
    {
        RecentViews.Clear();
        RecentSearches.Clear();
        CategoryAffinities.Clear();
        BrandAffinities.Clear();
        PriceBandAffinities.Clear();
        AttributeAffinities.Clear();
        Cart.Clear();
        CartChangedAt = null;
        Wishlist.Clear();
        Purchased.Clear();
        Dislikes.Clear();
        OrderCount = 0;
        TotalSpent = 0;
        FirstOrderAt = null;
        LastOrderAt = null;
        ReturnCount = 0;
        RefundTotal = 0;
        Session = null;
        SessionCount = 0;
        PurchasePropensity = null;
    }
}

/// <summary>Consent purposes and channels.</summary>
public static class ConsentChannels
{
    public const string Analytics = "analytics";
    public const string Personalization = "personalization";
    public const string Email = "email";
    /// <summary>Counting opens and clicks of our emails (tracking pixels, tracked links): a purpose of its own.</summary>
    public const string EmailTracking = "email_tracking";
    /// <summary>Counting opens and clicks of our push notifications.</summary>
    public const string PushTracking = "push_tracking";

    /// <summary>The tracking purpose an engagement event needs (email or push open and click); null for other events.</summary>
    public static string? TrackingOf(Events.EventType type) => type switch
    {
        Events.EventType.EmailOpen or Events.EventType.EmailClick => EmailTracking,
        Events.EventType.PushOpen or Events.EventType.PushClick => PushTracking,
        _ => null,
    };
}

/// <summary>Why an accepted event was not archived raw (the ingestion result counts each).</summary>
public static class ArchiveReasons
{
    public const string NoAnalyticsConsent = "not archived: no analytics consent";
    public const string PossiblyMinor = "not archived: possibly under 16";
    public const string Objection = "not archived: objection to profiling";
    public const string Erased = "refused: subject erased";
    public const string Pseudonymized = "archived pseudonymized: order record of a subject who may not be profiled";
    /// <summary>An email open or click of a customer who did not consent to email tracking: applied nowhere, kept nowhere.</summary>
    public const string NoEmailTracking = "dropped: no email tracking consent";
    /// <summary>A push open or click of a customer who did not consent to push tracking: applied nowhere, kept nowhere.</summary>
    public const string NoPushTracking = "dropped: no push tracking consent";
}
