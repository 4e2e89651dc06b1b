using Recommender.Domain.Events;

namespace Recommender.Domain.Retention;

/// <summary>The classes of archived data, each with its own retention.</summary>
public enum DataClass
{
    /// <summary>Browsing, cart, wishlist, engagement and message events.</summary>
    Behavioural,
    /// <summary>Search events: the query is free text typed by a person.</summary>
    Search,
    /// <summary>Purchases, returns and deliveries (kept for accounting obligations).</summary>
    Orders,
    /// <summary>Consent, account and login records (proof of what the customer agreed to).</summary>
    Records,
}

/// <summary>Configuration section <c>Recommender:Retention</c>: how long each class of data is kept.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Recommender:Retention";

    /// <value>Behavioural events: 26 months by default.</value>
    public TimeSpan Behavioural { get; set; } = TimeSpan.FromDays(790);
    /// <value>Search events and recent searches: 90 days by default.</value>
    public TimeSpan Search { get; set; } = TimeSpan.FromDays(90);
    /// <value>Orders and returns: 7 years by default.</value>
    public TimeSpan Orders { get; set; } = TimeSpan.FromDays(2557);
    /// <value>Consent and account records: 7 years by default.</value>
    public TimeSpan Records { get; set; } = TimeSpan.FromDays(2557);
    /// <value>Dead-letter records: 30 days by default.</value>
    public TimeSpan DeadLetters { get; set; } = TimeSpan.FromDays(30);

    /// <value>
    /// Experiment exposures (who saw which variant, keyed by a hash of the subject) are deleted this long
    /// after their experiment ends: 30 days by default, from 1 to 365 days. The variant counters stay.
    /// </value>
    public TimeSpan ExperimentExposures { get; set; } = TimeSpan.FromDays(30);

    public bool IsValid => ExperimentExposures >= TimeSpan.FromDays(1) && ExperimentExposures <= TimeSpan.FromDays(365)
        && new[] { Behavioural, Search, Orders, Records, DeadLetters }.All(t => t > TimeSpan.Zero);

    public TimeSpan For(DataClass dataClass) => dataClass switch
    {
        DataClass.Behavioural => Behavioural,
        DataClass.Search => Search,
        DataClass.Orders => Orders,
        DataClass.Records => Records,
        _ => throw new ArgumentOutOfRangeException(nameof(dataClass), dataClass, null),
    };

    public static DataClass ClassOf(EventType type) => type switch
    {
        EventType.Search => DataClass.Search,
        EventType.Purchase or EventType.Return or EventType.Delivery => DataClass.Orders,
        EventType.Consent or EventType.Account or EventType.Identify => DataClass.Records,
        _ => DataClass.Behavioural,
    };

    public static string FolderOf(DataClass dataClass) => dataClass.ToString().ToLowerInvariant();
}
