namespace Recommender.Domain.Events;

/// <summary>One line of an order inside a purchase event.</summary>
public sealed record OrderLine(string ProductId, int Quantity, decimal Price);

/// <summary>
/// A validated clickstream event (schema version 1). Everything in it has passed
/// <see cref="EventValidator"/>: ids are well formed, numbers are in range, and fields outside the
/// schema are gone.
/// </summary>
public sealed record ClickstreamEvent
{
    public required string Id { get; init; }
    public required EventType Type { get; init; }
    public required string CustomerId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public string? ProductId { get; init; }
    public string? Category { get; init; }
    public int? Quantity { get; init; }
    public decimal? Price { get; init; }
    public string? OrderId { get; init; }
    public IReadOnlyList<OrderLine>? Lines { get; init; }
    /// <summary>Consent events: the channel or purpose (email, sms, push, analytics, personalization).</summary>
    public string? Channel { get; init; }
    public bool? Granted { get; init; }
    public string? PolicyVersion { get; init; }
    /// <summary>Consent events: how consent was given or withdrawn (signup_form, preference_centre, ...).</summary>
    public string? Source { get; init; }

    /// <summary>Products this event is about: its product, or every line of a purchase.</summary>
    public IEnumerable<string> ProductIds =>
        Lines is { Count: > 0 } lines ? lines.Select(l => l.ProductId) : ProductId is null ? [] : [ProductId];
}
