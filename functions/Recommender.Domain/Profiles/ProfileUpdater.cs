using Recommender.Domain.Catalog;
using Recommender.Domain.Events;

namespace Recommender.Domain.Profiles;

/// <summary>
/// Applies a subject's events to their profile, in event-time order, once each. Consent, account
/// and login records always apply; behaviour becomes features only while profiling is allowed
/// (analytics consent, not a minor) — otherwise it feeds anonymous aggregates only. Pure: no I/O,
/// so it can run again on a fresh copy when a concurrent writer wins the ETag race.
/// </summary>
public static class ProfileUpdater
{
    /// <summary>A view pairs with this many of the customer's previous views for co-occurrence.</summary>
    public const int CoViewWindow = 5;
    private static readonly HashSet<string> AffinityAttributes = new(StringComparer.OrdinalIgnoreCase) { "size", "colour", "color", "material", "fit", "style" };

    /// <param name="weights">The store's event weights (the one injected table); null: <see cref="EventWeights.Default"/>.</param>
    public static ProfileChanges Apply(CustomerProfile profile, IEnumerable<ClickstreamEvent> events,
        IReadOnlyDictionary<string, Product> catalog, DateTimeOffset now, EventWeights? weights = null)
    {
        weights ??= EventWeights.Default;
        var changes = new ProfileChanges();
        var processed = new HashSet<string>(profile.ProcessedEventIds, StringComparer.Ordinal);
        var unprofiledViews = new List<string>();
        foreach (var e in events.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal))
        {
            if (TrackingRefusal(profile, e) is { } dropped)
            {
                // An open or a click counts only for who consented to that channel's tracking (decided, like
                // the archive, by the consent state at the event's place in event time): nothing of it is kept.
                changes.Dropped[e.Id] = dropped;
                changes.Withheld[e.Id] = dropped;
                continue;
            }

            if (!processed.Add(e.Id))
            {
                // Applied before (a redelivery): archived only if the subject may still be profiled now.
                if (!IsRecord(e.Type) && profile.ArchiveRefusal(now) is { } refusal)
                {
                    changes.Withheld[e.Id] = refusal;
                }

                changes.Replayed.Add(e);
                continue;
            }

            changes.Applied.Add(e);
            profile.ProcessedEventIds.Add(e.Id);
            profile.EventCount++;
            if (!ApplyRecord(profile, e, now, changes))
            {
                // The state after the events before this one (event-time order) decides it: a consent
                // given earlier in the batch lets it in, a withdrawal earlier in the batch keeps it out.
                if (profile.ArchiveRefusal(now) is { } refusal)
                {
                    changes.Withheld[e.Id] = refusal;
                }

                if (profile.MayBeProfiled(now))
                {
                    ApplyBehaviour(profile, e, catalog, changes, weights);
                    changes.Profiled = true;
                }
                else if (e.Type == EventType.View)
                {
                    // Not profiled: co-occurrence only within what arrived together, nothing kept.
                    changes.CoViewed.AddRange(unprofiledViews.TakeLast(CoViewWindow).Where(p => p != e.ProductId).Select(p => (e.ProductId!, p, e.OccurredAt)));
                    unprofiledViews.Add(e.ProductId!);
                }
            }
        }

        if (profile.ProcessedEventIds.Count > CustomerProfile.MaxProcessedEventIds)
        {
            profile.ProcessedEventIds.RemoveRange(0, profile.ProcessedEventIds.Count - CustomerProfile.MaxProcessedEventIds);
        }

        profile.RecentSearches.RemoveAll(s => now - s.At > CustomerProfile.SearchRetention);
        changes.SubjectId = profile.CustomerId;
        changes.MayBeAttributed = profile.MayBeProfiled(now);
        if (changes.Applied.Count > 0)
        {
            profile.UpdatedAt = now;
        }

        return changes;
    }

    /// <summary>Why an email or push open or click may not count for this subject (no tracking consent for its channel); null otherwise.</summary>
    public static string? TrackingRefusal(CustomerProfile profile, ClickstreamEvent e) => ConsentChannels.TrackingOf(e.Type) switch
    {
        null => null,
        var purpose when profile.HasConsent(purpose) => null,
        ConsentChannels.EmailTracking => ArchiveReasons.NoEmailTracking,
        _ => ArchiveReasons.NoPushTracking,
    };

    /// <summary>Consent, account and login records: what the customer told us, always applied and kept.</summary>
    public static bool IsRecord(EventType type) => type is EventType.Consent or EventType.Account or EventType.Identify;

    /// <summary>Consent, account and login: what the customer told us. Returns false for behaviour.</summary>
    private static bool ApplyRecord(CustomerProfile profile, ClickstreamEvent e, DateTimeOffset now, ProfileChanges changes)
    {
        switch (e.Type)
        {
            case EventType.Consent:
                profile.ConsentHistory.Add(new ConsentHistoryEntry(e.Channel!, e.Granted!.Value, e.OccurredAt, e.PolicyVersion!, e.Source!, e.Id, e.RelayedBy));
                changes.ConsentChanged = true;
                var current = profile.Consents.GetValueOrDefault(e.Channel!);
                if (current is null || current.At <= e.OccurredAt)
                {
                    profile.Consents[e.Channel!] = new ConsentRecord(e.Granted!.Value, e.OccurredAt, e.PolicyVersion!, e.Source!, e.Id, e.RelayedBy);
                    changes.ConsentChanged = true;
                }

                break;
            case EventType.Account:
                profile.BirthYear = e.BirthYear ?? profile.BirthYear;
                profile.AgeVerifiedAdult = e.AgeVerifiedAdult ?? profile.AgeVerifiedAdult;
                profile.TimeZone = e.TimeZone ?? profile.TimeZone;
                profile.EmailSha256 = e.EmailSha256 ?? profile.EmailSha256;
                profile.PhoneSha256 = e.PhoneSha256 ?? profile.PhoneSha256;
                changes.PreferencesChanged |= Replace(profile.StatedCategories, e.PreferredCategories) | Replace(profile.StatedBrands, e.PreferredBrands);
                changes.AccountChanged = true;
                break;
            case EventType.Identify:
                if (e.AnonymousId is { } anonymousId && !profile.AnonymousIds.Contains(anonymousId))
                {
                    profile.AnonymousIds.Add(anonymousId);
                }

                changes.Identified.Add(e.AnonymousId!);
                break;
            default:
                return false;
        }

        if (!profile.ProfilingAllowed(now) && HasBehaviour(profile))
        {
            profile.ClearBehaviour();
            changes.BehaviourCleared = true;
        }

        return true;
    }

    /// <summary>Replaces <paramref name="held"/> by <paramref name="stated"/> when one was given; true when that changed it.</summary>
    private static bool Replace(List<string> held, IReadOnlyList<string>? stated)
    {
        if (stated is null || held.SequenceEqual(stated, StringComparer.Ordinal))
        {
            return false;
        }

        held.Clear();
        held.AddRange(stated);
        return true;
    }

    private static bool HasBehaviour(CustomerProfile p) =>
        p.RecentViews.Count > 0 || p.RecentSearches.Count > 0 || p.CategoryAffinities.Count > 0 || p.BrandAffinities.Count > 0 || p.Cart.Count > 0
        || p.Wishlist.Count > 0 || p.Purchased.Count > 0 || p.Dislikes.Count > 0 || p.OrderCount > 0 || p.Session is not null;

    private static void ApplyBehaviour(CustomerProfile profile, ClickstreamEvent e, IReadOnlyDictionary<string, Product> catalog, ProfileChanges changes, EventWeights weights)
    {
        if (e.Type is not (EventType.AddToCart or EventType.RemoveFromCart or EventType.Purchase or EventType.Return or EventType.NotInterested)
            && e.AllProductIds.Any(id => catalog.TryGetValue(id, out var p) && p.Sensitive))
        {
            // Browsing a sensitive category (health, religion, ...) never becomes a feature: no trait is inferred.
            // The cart and orders still work; they never seed recommendations or explanations (RecommendationEngine).
            return;
        }

        AdvanceClock(profile, e.OccurredAt);
        TrackSession(profile, e);
        ApplyDislike(profile, e, changes, weights);
        switch (e.Type)
        {
            case EventType.View:
                AddProductAffinity(profile, e.ProductId!, weights.View, e, catalog);
                foreach (var previous in profile.RecentViews.Take(CoViewWindow))
                {
                    if (previous.ProductId != e.ProductId)
                    {
                        changes.CoViewed.Add((e.ProductId!, previous.ProductId, e.OccurredAt));
                    }
                }

                RecordView(profile, e.ProductId!, e.OccurredAt);
                profile.Session!.ProductViews++;
                break;

            case EventType.Search:
                profile.RecentSearches.RemoveAll(s => string.Equals(s.Query, e.Query, StringComparison.OrdinalIgnoreCase));
                profile.RecentSearches.Insert(0, new RecentSearch(e.Query!, e.OccurredAt, e.ResultCount));
                profile.RecentSearches.Sort((a, b) => b.At.CompareTo(a.At));
                Trim(profile.RecentSearches, CustomerProfile.MaxRecentSearches);
                profile.Session!.Searches++;
                break;

            case EventType.Filter:
                var filterName = e.Name!.ToLowerInvariant();
                if (filterName == "brand")
                {
                    Add(profile.BrandAffinities, e.Value!.ToLowerInvariant(), 0.5, profile, e.OccurredAt);
                }
                else if (AffinityAttributes.Contains(filterName))
                {
                    Add(profile.AttributeAffinities, $"{Canonical(filterName)}:{e.Value!.ToLowerInvariant()}", 0.5, profile, e.OccurredAt);
                }

                break;

            case EventType.AddToCart:
                AddProductAffinity(profile, e.ProductId!, weights.AddToCart, e, catalog);
                profile.Cart[e.ProductId!] = profile.Cart.TryGetValue(e.ProductId!, out var line)
                    ? line with { Quantity = Math.Min(line.Quantity + (e.Quantity ?? 1), EventValidator.MaxQuantity), Price = e.Price ?? line.Price }
                    : new CartLine(e.ProductId!, e.Quantity ?? 1, e.Price ?? PriceOf(e.ProductId!, catalog), e.OccurredAt);
                profile.Session!.CartAdds++;
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

            case EventType.WishlistAdd:
                AddProductAffinity(profile, e.ProductId!, weights.WishlistAdd, e, catalog);
                profile.Wishlist[e.ProductId!] = e.OccurredAt;
                break;

            case EventType.WishlistRemove:
                profile.Wishlist.Remove(e.ProductId!);
                break;

            case EventType.Compare or EventType.ReviewRead or EventType.VideoView or EventType.ImageZoom or EventType.RecommendationClick:
                foreach (var productId in e.AllProductIds)
                {
                    AddProductAffinity(profile, productId, weights.Interest, e, catalog);
                }

                break;

            case EventType.ReviewWrite:
                if (weights.WeightOf(e) is var review and > 0)
                {
                    AddProductAffinity(profile, e.ProductId!, review, e, catalog);
                }

                break;

            case EventType.Purchase:
                var lines = e.Lines!;
                foreach (var orderLine in lines)
                {
                    AddProductAffinity(profile, orderLine.ProductId, weights.WeightOf(e, repeat: profile.Purchased.ContainsKey(orderLine.ProductId)), e, catalog);
                    profile.Purchased[orderLine.ProductId] = e.OccurredAt;
                    profile.Cart.Remove(orderLine.ProductId);
                    profile.Wishlist.Remove(orderLine.ProductId);
                }

                profile.TotalSpent += e.Total ?? lines.Sum(l => (l.Price ?? 0) * l.Quantity);
                profile.OrderCount++;
                profile.FirstOrderAt = profile.FirstOrderAt is { } first && first < e.OccurredAt ? first : e.OccurredAt;
                profile.LastOrderAt = profile.LastOrderAt is { } last && last > e.OccurredAt ? last : e.OccurredAt;
                changes.Purchased = true;
                MarkCartChanged(profile, e, changes);
                break;

            case EventType.Return:
                profile.ReturnCount++;
                profile.RefundTotal += e.RefundAmount ?? 0;
                break;

            default:
                // Session, page, scroll, checkout, message and impression events: session features only.
                break;
        }
    }

    /// <summary>
    /// An event the weights table weighs negative dislikes its products (kept with when, newest wins);
    /// a later cart add, wishlist add, purchase or positive review lifts the dislike. Views do not:
    /// looking again is not changing one's mind.
    /// </summary>
    private static void ApplyDislike(CustomerProfile profile, ClickstreamEvent e, ProfileChanges changes, EventWeights weights)
    {
        var weight = weights.WeightOf(e);
        if (weight < 0)
        {
            foreach (var productId in e.AllProductIds)
            {
                if (!profile.Dislikes.TryGetValue(productId, out var at) || at < e.OccurredAt)
                {
                    profile.Dislikes[productId] = e.OccurredAt;
                    changes.DislikesChanged = true;
                }
            }

            while (profile.Dislikes.Count > CustomerProfile.MaxDislikes)
            {
                profile.Dislikes.Remove(profile.Dislikes.MinBy(kv => kv.Value).Key);
            }
        }
        else if (weight > 0 && e.Type is EventType.AddToCart or EventType.WishlistAdd or EventType.Purchase or EventType.ReviewWrite)
        {
            foreach (var productId in e.AllProductIds)
            {
                if (profile.Dislikes.TryGetValue(productId, out var at) && at <= e.OccurredAt)
                {
                    profile.Dislikes.Remove(productId);
                    changes.DislikesChanged = true;
                }
            }
        }
    }

    private static void TrackSession(CustomerProfile profile, ClickstreamEvent e)
    {
        var session = profile.Session;
        var isNew = session is null
            || (e.SessionId is not null && e.SessionId != session.Id && e.OccurredAt >= session.StartedAt)
            || (e.SessionId is null && e.OccurredAt - session.LastEventAt > SessionFeatures.InactivityTimeout);
        if (isNew)
        {
            profile.Session = session = new SessionFeatures { Id = e.SessionId, StartedAt = e.OccurredAt, LastEventAt = e.OccurredAt };
            profile.SessionCount++;
        }

        session!.Events++;
        session.Device = e.Context?.Device?.ToString().ToLowerInvariant() ?? session.Device;
        if (e.OccurredAt > session.LastEventAt)
        {
            session.LastEventAt = e.OccurredAt;
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
        Trim(profile.RecentViews, CustomerProfile.MaxRecentViews);
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

        if (profile.LastEventAt != default)
        {
            var factor = Decay(at - profile.LastEventAt);
            foreach (var map in new[] { profile.CategoryAffinities, profile.BrandAffinities, profile.PriceBandAffinities, profile.AttributeAffinities })
            {
                foreach (var key in map.Keys.ToList())
                {
                    map[key] *= factor;
                }
            }
        }

        profile.LastEventAt = at;
    }

    /// <summary>Category, brand, price band and attribute affinities of one product interaction.</summary>
    private static void AddProductAffinity(CustomerProfile profile, string productId, double weight, ClickstreamEvent e, IReadOnlyDictionary<string, Product> catalog)
    {
        catalog.TryGetValue(productId, out var product);
        if (product?.Sensitive == true)
        {
            return;
        }

        var sameProduct = e.ProductId == productId;
        if ((product?.Category ?? (sameProduct ? e.Category : null)) is { } category)
        {
            Add(profile.CategoryAffinities, category, weight, profile, e.OccurredAt);
        }

        if ((product?.Brand ?? (sameProduct ? e.Brand : null)) is { } brand)
        {
            Add(profile.BrandAffinities, brand.ToLowerInvariant(), weight, profile, e.OccurredAt);
        }

        if (((sameProduct ? e.Price : null) ?? product?.Price) is { } price)
        {
            Add(profile.PriceBandAffinities, PriceBand(price), weight, profile, e.OccurredAt);
        }

        foreach (var (name, value) in product?.Attributes ?? new Dictionary<string, string>())
        {
            if (AffinityAttributes.Contains(name))
            {
                Add(profile.AttributeAffinities, $"{Canonical(name)}:{value.ToLowerInvariant()}", weight, profile, e.OccurredAt);
            }
        }
    }

    /// <summary>Price bands shared by features and explanations.</summary>
    public static string PriceBand(decimal price) => price switch
    {
        < 25 => "0-25",
        < 50 => "25-50",
        < 100 => "50-100",
        < 250 => "100-250",
        _ => "250+",
    };

    private static string Canonical(string attribute) => attribute.Equals("color", StringComparison.OrdinalIgnoreCase) ? "colour" : attribute.ToLowerInvariant();

    /// <summary>Adds a weight decayed from the event's time to the profile's clock (late events count less); keeps the strongest entries.</summary>
    private static void Add(Dictionary<string, double> map, string key, double weight, CustomerProfile profile, DateTimeOffset at)
    {
        map[key] = map.GetValueOrDefault(key) + weight * Decay(profile.LastEventAt - at);
        if (map.Count > CustomerProfile.MaxAffinities)
        {
            map.Remove(map.MinBy(kv => kv.Value).Key);
        }
    }

    private static double Decay(TimeSpan age) => Math.Pow(0.5, Math.Max(0, age.TotalDays) / CustomerProfile.AffinityHalfLife.TotalDays);

    private static decimal? PriceOf(string productId, IReadOnlyDictionary<string, Product> catalog) =>
        catalog.TryGetValue(productId, out var p) ? p.Price : null;

    private static void Trim<T>(List<T> list, int max)
    {
        if (list.Count > max)
        {
            list.RemoveRange(max, list.Count - max);
        }
    }
}
