namespace Recommender.Domain.Ports.Storage;

/// <summary>
/// Names of the document collections (Cosmos DB containers, partition key path <c>/pk</c>).
/// The infrastructure declares one container per name with the time-to-live noted here.
/// </summary>
public static class Collections
{
    /// <summary>Customer profiles and features; partition = customer id. TTL 26 months after last write.</summary>
    public const string Profiles = "profiles";
    /// <summary>Item counters, real-time co-occurrence and the popularity list; partition = product id (or "_global").</summary>
    public const string Items = "items";
    /// <summary>Cached ranked lists; partition = customer id. TTL 7 days.</summary>
    public const string Recommendations = "recommendations";
    /// <summary>
    /// Workflow instance state; partition = customer id. TTL 90 days, except documents that set their own
    /// (<see cref="Ports.DocumentTimeToLive"/>): the suppression list never expires, the replenishment
    /// purchase history lives 2 years.
    /// </summary>
    public const string Workflows = "workflows";
    /// <summary>Customer directory sharded for fan-out; partition = shard ("shard-07"). TTL 26 months.</summary>
    public const string Customers = "customers";
    /// <summary>Erasure requests, task status and receipts; partition = request id. No TTL (proof of erasure).</summary>
    public const string Erasures = "erasures";
    /// <summary>
    /// Who watches which product (catalog alerts): watcher shards in partition = product id, each
    /// customer's watch list in partition = customer id (distinct document ids). TTL 180 days after last write.
    /// </summary>
    public const string Watchers = "watchers";

    public static readonly IReadOnlyList<string> All = [Profiles, Items, Recommendations, Workflows, Customers, Erasures, Watchers];

    /// <summary>26 months, rounded to 790 days.</summary>
    public static readonly TimeSpan TwentySixMonths = TimeSpan.FromDays(790);

    /// <summary>
    /// The time-to-live of each collection's documents, counted from their last write (<c>null</c>: kept
    /// until deleted) — the one place these rules live: Cosmos DB enforces them in Azure (the container
    /// default TTL; <c>infra/modules/cosmos.bicep</c> declares the same values, a test holds them equal),
    /// the embedded store enforces them itself (expired documents are invisible, a retention sweep purges them).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, TimeSpan?> TimeToLive = new Dictionary<string, TimeSpan?>(StringComparer.Ordinal)
    {
        [Profiles] = TwentySixMonths,
        [Items] = null, // catalogue counters, popularity and experiment state are live aggregates
        [Recommendations] = TimeSpan.FromDays(7),
        [Workflows] = TimeSpan.FromDays(90),
        [Customers] = TwentySixMonths,
        [Erasures] = null, // receipts are the proof that an erasure happened
        [Watchers] = TimeSpan.FromDays(180),
    };
}

/// <summary>
/// The work queues, declared once in <c>Ports/Storage/queues.json</c> (<see cref="QueueRegistry"/>). No constant names them here:
/// each queue's name is declared by the class that reads it (<see cref="IQueueStep{TMessage}.Queue"/>, e.g.
/// <c>CartAbandonmentWorkflow.Queue</c>), which is also what code sending to it uses; the app refuses to start when
/// those and the registry disagree.
/// </summary>
public static class Queues
{
    /// <summary>Every queue of the registry, in its order.</summary>
    public static readonly IReadOnlyList<string> All = QueueRegistry.Names;
}

/// <summary>Blob name prefixes inside the single data container.</summary>
public static class BlobPrefixes
{
    /// <summary>Raw valid events: <c>events/yyyy/MM/dd/HH/{batch}.jsonl.gz</c>.</summary>
    public const string Events = "events/";
    /// <summary>Rejected input with the reason: <c>deadletter/yyyy/MM/dd/{id}.json</c>.</summary>
    public const string DeadLetter = "deadletter/";
    /// <summary>Versioned models: <c>models/item-item/{version}.json</c> and <c>models/item-item/current.json</c>.</summary>
    public const string Models = "models/";
    /// <summary>Catalog snapshot: <c>catalog/products.json</c>.</summary>
    public const string Catalog = "catalog/";
}
