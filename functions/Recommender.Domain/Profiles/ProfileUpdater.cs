using Recommender.Domain.Catalog;
using Recommender.Domain.Events;

namespace Recommender.Domain.Profiles;

/// <summary>
/// Applies a customer's events to their profile, in event-time order, once each. Pure: no I/O, so
/// it can run again on a fresh copy when a concurrent writer wins the ETag race.
/// </summary>
public static class ProfileUpdater
{
    /// <summary>A view pairs with this many of the customer's previous views for co-occurrence.</summary>
    public const int CoViewWindow = 5;

    public static ProfileChanges Apply(CustomerProfile profile, IEnumerable<ClickstreamEvent> events,
        IReadOnlyDictionary<string, Product> catalog, DateTimeOffset now)
    {
        var changes = new ProfileChanges();
        var processed = new HashSet<string>(profile.ProcessedEventIds, StringComparer.Ordinal);
        foreach (var e in events.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal))
        {
            if (!processed.Add(e.Id))
            {
                continue;
            }

            ApplyOne(profile, e, catalog, changes);
            profile.ProcessedEventIds.Add(e.Id);
            profile.EventCount++;
            changes.Applied.Add(e);
        }

        if (profile.ProcessedEventIds.Count > CustomerProfile.MaxProcessedEventIds)
        {
            profile.ProcessedEventIds.RemoveRange(0, profile.ProcessedEventIds.Count - CustomerProfile.MaxProcessedEventIds);
        }

        if (changes.Applied.Count > 0)
        {
            profile.UpdatedAt = now;
        }

        return changes;
    }

    private static void ApplyOne(CustomerProfile profile, ClickstreamEvent e, IReadOnlyDictionary<string, Product> catalog, ProfileChanges changes)
    {
        AdvanceClock(profile, e.OccurredAt);
        switch (e.Type)
        {
            case EventType.View:
                AddAffinity(profile, CategoryOf(e.ProductId!, e.Category, catalog), 1.0, e.OccurredAt);
                foreach (var previous in profile.RecentViews.Take(CoViewWindow))
                {
                    if (previous.ProductId != e.ProductId)
                    {
                        changes.CoViewed.Add((e.ProductId!, previous.ProductId));
                    }
                }

                RecordView(profile, e.ProductId!, e.OccurredAt);
                break;

            case EventType.AddToCart:
                AddAffinity(profile, CategoryOf(e.ProductId!, null, catalog), 3.0, e.OccurredAt);
                profile.Cart[e.ProductId!] = profile.Cart.TryGetValue(e.ProductId!, out var line)
                    ? line with { Quantity = Math.Min(line.Quantity + (e.Quantity ?? 1), EventValidator.MaxQuantity), Price = e.Price ?? line.Price }
                    : new CartLine(e.ProductId!, e.Quantity ?? 1, e.Price, e.OccurredAt);
                MarkCartChanged(profile, e, changes);
                break;

            case EventType.RemoveFromCart:
                if (profile.Cart.TryGetValue(e.ProductId!, out var existing))
                {
                    var left = existing.Quantity - (e.Quantity ?? existing.Quantity);
                    if (left > 0)
                    {
                        profile.Cart[e.ProductId!] = existing with { Quantity = left };
                    }
                    else
                    {
                        profile.Cart.Remove(e.ProductId!);
                    }

                    MarkCartChanged(profile, e, changes);
                }

                break;

            case EventType.Purchase:
                foreach (var orderLine in e.Lines!)
                {
                    AddAffinity(profile, CategoryOf(orderLine.ProductId, null, catalog), 5.0, e.OccurredAt);
                    profile.Purchased[orderLine.ProductId] = e.OccurredAt;
                    profile.Cart.Remove(orderLine.ProductId);
                    profile.TotalSpent += orderLine.Price.GetValueOrDefault() * orderLine.Quantity; // purchase lines always carry a price
                }

                profile.OrderCount++;
                changes.Purchased = true;
                MarkCartChanged(profile, e, changes);
                break;

            case EventType.Consent:
                var current = profile.Consents.GetValueOrDefault(e.Channel!);
                if (current is null || current.At <= e.OccurredAt)
                {
                    profile.Consents[e.Channel!] = new ConsentRecord(e.Granted!.Value, e.OccurredAt, e.PolicyVersion!, e.Source!, e.Id);
                    changes.ConsentChanged = true;
                }

                break;

            default:
                // The other event types carry no profile features yet: remembered as applied, nothing else.
                break;
        }
    }

    private static void MarkCartChanged(CustomerProfile profile, ClickstreamEvent e, ProfileChanges changes)
    {
        changes.CartChanged = true;
        if (profile.CartChangedAt is null || e.OccurredAt > profile.CartChangedAt)
        {
            profile.CartChangedAt = e.OccurredAt;
        }
    }

    private static void RecordView(CustomerProfile profile, string productId, DateTimeOffset at)
    {
        var index = profile.RecentViews.FindIndex(v => v.ProductId == productId);
        if (index >= 0)
        {
            if (profile.RecentViews[index].At >= at)
            {
                return;
            }

            profile.RecentViews.RemoveAt(index);
        }

        var position = profile.RecentViews.FindIndex(v => v.At < at);
        profile.RecentViews.Insert(position < 0 ? profile.RecentViews.Count : position, new RecentItem(productId, at));
        if (profile.RecentViews.Count > CustomerProfile.MaxRecentViews)
        {
            profile.RecentViews.RemoveRange(CustomerProfile.MaxRecentViews, profile.RecentViews.Count - CustomerProfile.MaxRecentViews);
        }
    }

    /// <summary>
    /// Affinities are kept as of <see cref="CustomerProfile.LastEventAt"/>: a newer event first decays
    /// every score to its own time (half-life <see cref="CustomerProfile.AffinityHalfLife"/>).
    /// </summary>
    private static void AdvanceClock(CustomerProfile profile, DateTimeOffset at)
    {
        if (at <= profile.LastEventAt)
        {
            return;
        }

        if (profile.CategoryAffinities.Count > 0 && profile.LastEventAt != default)
        {
            var factor = Decay(at - profile.LastEventAt);
            foreach (var key in profile.CategoryAffinities.Keys.ToList())
            {
                profile.CategoryAffinities[key] *= factor;
            }
        }

        profile.LastEventAt = at;
    }

    /// <summary>Adds a weight decayed from the event's time to the profile's clock (late events count less).</summary>
    private static void AddAffinity(CustomerProfile profile, string? category, double weight, DateTimeOffset at)
    {
        if (category is not null)
        {
            profile.CategoryAffinities[category] = profile.CategoryAffinities.GetValueOrDefault(category) + weight * Decay(profile.LastEventAt - at);
        }
    }

    private static double Decay(TimeSpan age) => Math.Pow(0.5, age.TotalDays / CustomerProfile.AffinityHalfLife.TotalDays);

    private static string? CategoryOf(string productId, string? fromEvent, IReadOnlyDictionary<string, Product> catalog) =>
        catalog.TryGetValue(productId, out var product) ? product.Category : fromEvent;
}
