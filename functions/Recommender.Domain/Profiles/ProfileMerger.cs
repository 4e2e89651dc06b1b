using Recommender.Domain.Events;

namespace Recommender.Domain.Profiles;

/// <summary>
/// Folds an anonymous visitor's profile into the customer's at login. Event ids are united, so an
/// event already counted for the visitor is never counted again for the customer; behaviour moves
/// over only if the customer may be profiled; the latest consent decision per channel wins.
/// </summary>
public static class ProfileMerger
{
    public static void MergeInto(CustomerProfile customer, CustomerProfile visitor, DateTimeOffset now)
    {
        var anonymousId = visitor.CustomerId.StartsWith(ClickstreamEvent.AnonymousSubjectPrefix, StringComparison.Ordinal)
            ? visitor.CustomerId[ClickstreamEvent.AnonymousSubjectPrefix.Length..] : visitor.CustomerId;
        customer.MergedVisitors.Add(anonymousId);
        if (!customer.AnonymousIds.Contains(anonymousId))
        {
            customer.AnonymousIds.Add(anonymousId);
        }

        var known = new HashSet<string>(customer.ProcessedEventIds, StringComparer.Ordinal);
        customer.ProcessedEventIds.AddRange(visitor.ProcessedEventIds.Where(known.Add));
        if (customer.ProcessedEventIds.Count > CustomerProfile.MaxProcessedEventIds)
        {
            customer.ProcessedEventIds.RemoveRange(0, customer.ProcessedEventIds.Count - CustomerProfile.MaxProcessedEventIds);
        }

        customer.EventCount += visitor.EventCount;
        customer.ConsentHistory = [.. customer.ConsentHistory.Concat(visitor.ConsentHistory).OrderBy(h => h.At).DistinctBy(h => h.EventId)];
        foreach (var (channel, record) in visitor.Consents)
        {
            if (!customer.Consents.TryGetValue(channel, out var existing) || existing.At < record.At)
            {
                customer.Consents[channel] = record;
            }
        }

        if (customer.ProfilingAllowed(now))
        {
            MergeBehaviour(customer, visitor);
        }
        else
        {
            customer.ClearBehaviour();
        }

        customer.UpdatedAt = now;
    }

    private static void MergeBehaviour(CustomerProfile customer, CustomerProfile visitor)
    {
        // Bring both sets of decayed affinities to the later clock, then add.
        var clock = customer.LastEventAt > visitor.LastEventAt ? customer.LastEventAt : visitor.LastEventAt;
        var customerFactor = Decay(clock - customer.LastEventAt);
        var visitorFactor = Decay(clock - visitor.LastEventAt);
        AddScaled(customer.CategoryAffinities, visitor.CategoryAffinities, customerFactor, visitorFactor);
        AddScaled(customer.BrandAffinities, visitor.BrandAffinities, customerFactor, visitorFactor);
        AddScaled(customer.PriceBandAffinities, visitor.PriceBandAffinities, customerFactor, visitorFactor);
        AddScaled(customer.AttributeAffinities, visitor.AttributeAffinities, customerFactor, visitorFactor);
        customer.LastEventAt = clock;

        customer.RecentViews = customer.RecentViews.Concat(visitor.RecentViews)
            .GroupBy(v => v.ProductId, StringComparer.Ordinal).Select(g => g.MaxBy(v => v.At)!)
            .OrderByDescending(v => v.At).Take(CustomerProfile.MaxRecentViews).ToList();
        customer.RecentSearches = customer.RecentSearches.Concat(visitor.RecentSearches)
            .OrderByDescending(s => s.At).DistinctBy(s => s.Query.ToLowerInvariant()).Take(CustomerProfile.MaxRecentSearches).ToList();
        foreach (var (productId, line) in visitor.Cart)
        {
            customer.Cart[productId] = customer.Cart.TryGetValue(productId, out var mine) && mine.Quantity >= line.Quantity ? mine : line;
        }

        customer.CartChangedAt = Max(customer.CartChangedAt, visitor.CartChangedAt);
        foreach (var (productId, at) in visitor.Wishlist)
        {
            customer.Wishlist[productId] = customer.Wishlist.TryGetValue(productId, out var mine) && mine > at ? mine : at;
        }

        foreach (var (productId, at) in visitor.Purchased)
        {
            customer.Purchased[productId] = customer.Purchased.TryGetValue(productId, out var mine) && mine > at ? mine : at;
        }

        customer.OrderCount += visitor.OrderCount;
        customer.TotalSpent += visitor.TotalSpent;
        customer.FirstOrderAt = Min(customer.FirstOrderAt, visitor.FirstOrderAt);
        customer.LastOrderAt = Max(customer.LastOrderAt, visitor.LastOrderAt);
        customer.ReturnCount += visitor.ReturnCount;
        customer.RefundTotal += visitor.RefundTotal;
        customer.SessionCount += visitor.SessionCount;
        if (visitor.Session is { } session && (customer.Session is null || session.LastEventAt > customer.Session.LastEventAt))
        {
            customer.Session = session;
        }
    }

    private static void AddScaled(Dictionary<string, double> into, Dictionary<string, double> from, double intoFactor, double fromFactor)
    {
        foreach (var key in into.Keys.ToList())
        {
            into[key] *= intoFactor;
        }

        foreach (var (key, value) in from)
        {
            into[key] = into.GetValueOrDefault(key) + value * fromFactor;
        }
    }

    private static double Decay(TimeSpan age) => Math.Pow(0.5, age.TotalDays / CustomerProfile.AffinityHalfLife.TotalDays);

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
