namespace Recommender.Domain.Workflows;

public enum CatalogAlertKind
{
    /// <summary>The price fell at least the threshold below what a viewer or wishlister saw.</summary>
    PriceDrop,
    /// <summary>An out-of-stock product is in stock again: its wishlisters hear of it.</summary>
    BackInStock,
    /// <summary>A sale in a category: customers whose top category affinities include it hear of it.</summary>
    FlashSale,
}

/// <summary>
/// One occurrence of a trigger: what every customer message of it is about. Customers are told at
/// most once per (<see cref="Kind"/>, <see cref="Subject"/>, <see cref="Occurrence"/>): the
/// message id is derived from them.
/// </summary>
/// <param name="Subject">The product (price drop, back in stock) or the category (flash sale).</param>
/// <param name="Occurrence">
/// Price drop: the id of the catalog_change that started the current fall (a rise ends it, the next
/// fall starts a new one); back in stock: the id of the change that brought the product back; flash
/// sale: the sale's UTC day.
/// </param>
/// <param name="ChangeId">The catalog_change that raised it.</param>
/// <param name="At">When that change happened (views count up to then).</param>
public sealed record CatalogAlert(CatalogAlertKind Kind, string Subject, string Occurrence, string ChangeId, DateTimeOffset At,
    decimal? Price = null, decimal? PreviousPrice = null, int? Percent = null, string? Name = null);

public enum CatalogAlertStep
{
    /// <summary>An occurrence was detected: one message per shard.</summary>
    FanOut,
    /// <summary>One watcher shard of the product, or one customer-directory shard (flash sale: split into pages).</summary>
    Shard,
    /// <summary>Flash sale: a page of customer ids from the directory, matched on their affinities.</summary>
    Page,
    /// <summary>One customer: the rules, then the message to the outbox.</summary>
    Notify,
}

/// <summary>The <c>catalog-alerts</c> queue message: a step of one occurrence's fan-out.</summary>
/// <param name="Customers">Page: the customer ids to look at.</param>
/// <param name="SeenPrice">Notify (price drop): the price the customer saw.</param>
/// <param name="Reason">Notify: why the customer is told (<c>viewed</c>, <c>wishlisted</c>, <c>category_affinity</c>).</param>
public sealed record CatalogAlertMessage(CatalogAlertStep Step, CatalogAlert Alert, int Shard = 0, IReadOnlyList<string>? Customers = null,
    string? CustomerId = null, decimal? SeenPrice = null, string? Reason = null)
{
    /// <summary>Complete for its step: an alert with a subject and occurrence, a shard that exists, a customer to notify.</summary>
    public bool IsWellFormed =>
        Alert is { Subject.Length: > 0, Occurrence.Length: > 0 } && Enum.IsDefined(Alert.Kind) && Enum.IsDefined(Step)
        && Shard >= 0 && Shard < (Alert.Kind == CatalogAlertKind.FlashSale ? Profiles.ProfileStore.DirectoryShards : ProductWatchers.Shards)
        && (Step != CatalogAlertStep.Notify || !string.IsNullOrEmpty(CustomerId));
}

/// <summary>A catalog change already looked at: the alerts it raised, and whether their fan-out was queued.</summary>
public sealed record ProcessedChange(string ChangeId, IReadOnlyList<CatalogAlert> Alerts, bool Queued);

/// <summary>
/// What the alerts know of a product (collection <c>items</c>, partition = product id, id
/// <see cref="CatalogAlertsWorkflow.ProductStateId"/>) or of a category's sales (partition
/// <see cref="CatalogAlertsWorkflow.SalesPartition"/>, id = the category in lower case): the last
/// price and stock seen, the price drop under way, and the changes already processed (so a
/// redelivered catalog_change raises nothing new but finishes queueing what it raised).
/// </summary>
public sealed class CatalogAlertState
{
    public const int MaxChanges = 50;

    public required string Subject { get; init; }
    public decimal? Price { get; set; }
    public bool? InStock { get; set; }
    /// <summary>Time of the latest change applied: an older change arriving late raises nothing.</summary>
    public DateTimeOffset? ChangedAt { get; set; }
    /// <summary>The occurrence of the price drop under way; null after a rise.</summary>
    public string? DropOccurrence { get; set; }
    public List<ProcessedChange> Changes { get; set; } = [];

    public void Record(ProcessedChange change)
    {
        Changes.Add(change);
        if (Changes.Count > MaxChanges)
        {
            Changes.RemoveRange(0, Changes.Count - MaxChanges);
        }
    }
}
