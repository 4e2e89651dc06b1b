using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// One subject's changes in a batch, as the handlers (<see cref="ISubjectChangesHandler"/>) see them:
/// the profile as written, what the batch applied to it (and replayed), the catalog the batch was
/// applied against and the batch's time. Never mutate <see cref="Profile"/> or <see cref="Changes"/>.
/// </summary>
public sealed class SubjectChanges(string subjectId, CustomerProfile profile, ProfileChanges changes, IReadOnlyDictionary<string, Product> products, DateTimeOffset now)
{
    private List<ClickstreamEvent>? _orderEvents;
    private List<ClickstreamEvent>? _replayedCart;

    /// <summary>The customer id, or <c>anon:</c> and the visitor's id.</summary>
    public string SubjectId { get; } = subjectId;

    public CustomerProfile Profile { get; } = profile;

    public ProfileChanges Changes { get; } = changes;

    public IReadOnlyDictionary<string, Product> Products { get; } = products;

    public DateTimeOffset Now { get; } = now;

    /// <summary>An anonymous visitor (<c>anon:</c>) rather than a customer.</summary>
    public bool IsVisitor => SubjectId.StartsWith(ClickstreamEvent.AnonymousSubjectPrefix, StringComparison.Ordinal);

    /// <summary>
    /// The purchases, deliveries and returns applied now and replayed, in event-time order (then id):
    /// both order workflows remember the events they applied, so a replay only finishes what a crash interrupted.
    /// </summary>
    public IReadOnlyList<ClickstreamEvent> OrderEvents => _orderEvents ??= Changes.Applied.Concat(Changes.Replayed)
        .Where(e => e.Type is EventType.Purchase or EventType.Delivery or EventType.Return)
        .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Orders drive post-purchase cross-sell and replenishment — for customers who may be profiled (their
    /// purchase history is behaviour; an objection stops it too), never for an anonymous visitor.
    /// </summary>
    public bool OrdersDriveWorkflows => OrderEvents.Count > 0 && Profile.MayBeProfiled(Now) && !IsVisitor;

    /// <summary>Replayed events that touch the cart (add, remove, purchase).</summary>
    public IReadOnlyList<ClickstreamEvent> ReplayedCartEvents => _replayedCart ??= Changes.Replayed.Where(TouchesCart).ToList();

    /// <summary>The cart changed, was cleared with the behaviour, or a replayed event touched it.</summary>
    public bool CartTouched => Changes.CartChanged || Changes.BehaviourCleared || ReplayedCartEvents.Count > 0;

    /// <summary>The batch (or a replayed event) checked the cart out.</summary>
    public bool CheckedOut => Changes.Purchased || ReplayedCartEvents.Any(e => e.Type == EventType.Purchase);

    private static bool TouchesCart(ClickstreamEvent e) => e.Type is EventType.AddToCart or EventType.RemoveFromCart or EventType.Purchase;
}
