using Recommender.Domain.Events;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// A batch's changes, as the per-batch handlers (<see cref="IBatchChangesHandler"/>) see them: every
/// subject's <see cref="ProfileChanges"/>, and the events the anonymous aggregates count now
/// (<see cref="Counted"/>: each event once, whatever batch carries it — see <see cref="AggregateEventClaims"/>).
/// The views derived from them are computed once per batch, on first use. Never mutate what it holds.
/// </summary>
public sealed class BatchChanges(IReadOnlyList<ProfileChanges> subjects, IReadOnlySet<ClickstreamEvent> counted, EventWeights weights)
{
    private List<CountedChanges>? _countedBySubject;
    private List<Interaction>? _interactions;

    /// <summary>Every subject's changes (applied now and replayed), including subjects whose profile is not stored.</summary>
    public IReadOnlyList<ProfileChanges> Subjects { get; } = subjects;

    /// <summary>The events the aggregates count in this batch (by reference).</summary>
    public IReadOnlySet<ClickstreamEvent> Counted { get; } = counted;

    /// <summary>The store's event weights.</summary>
    public EventWeights Weights { get; } = weights;

    /// <summary>
    /// Per subject, the applied events counted now, and the co-viewed pairs (a pair belongs to the view that
    /// made it: count it only if that view is counted).
    /// </summary>
    public IReadOnlyList<CountedChanges> CountedBySubject => _countedBySubject ??=
        [.. Subjects.Select(c => new CountedChanges(c.Applied.Where(Counted.Contains).ToList(), c.CoViewed))];

    /// <summary>The counted events, subject by subject.</summary>
    public IEnumerable<ClickstreamEvent> CountedEvents => CountedBySubject.SelectMany(c => c.Applied);

    /// <summary>Every counted interaction with a product (views, carts, wishlists, purchase lines), weighted by <see cref="Weights"/>.</summary>
    public IReadOnlyList<Interaction> Interactions => _interactions ??= [.. CountedEvents.SelectMany(e =>
    {
        var weight = WeightOf(e);
        return weight == 0 ? [] : e.AllProductIds.Select(productId => new Interaction(productId, e.OccurredAt, weight));
    })];

    /// <summary>The weight an event type carries in the aggregates; 0 for the types they do not count.</summary>
    public double WeightOf(ClickstreamEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Type switch
        {
            EventType.View => Weights.View,
            EventType.AddToCart => Weights.AddToCart,
            EventType.WishlistAdd => Weights.WishlistAdd,
            EventType.Purchase => Weights.Purchase,
            _ => 0.0,
        };
    }
}

/// <summary>One subject's events counted now, and the pairs it viewed together.</summary>
public sealed record CountedChanges(IReadOnlyList<ClickstreamEvent> Applied, IReadOnlyList<(string A, string B, DateTimeOffset At)> CoViewed);

/// <summary>A weighted interaction with a product.</summary>
public readonly record struct Interaction(string ProductId, DateTimeOffset At, double Weight);
