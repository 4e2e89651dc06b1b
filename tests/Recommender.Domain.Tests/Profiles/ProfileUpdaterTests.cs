using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Tests.Profiles;

public class ProfileUpdaterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, Product> Catalog = new()
    {
        ["p1"] = new Product("p1", "Runner", "shoes", 50m),
        ["p2"] = new Product("p2", "Parka", "jackets", 120m),
        ["p3"] = new Product("p3", "Boot", "shoes", 80m),
    };

    /// <summary>A customer who granted analytics consent: their behaviour becomes features.</summary>
    private static CustomerProfile NewProfile() => new()
    {
        CustomerId = "c1",
        CreatedAt = T0,
        Consents = new() { ["analytics"] = new ConsentRecord(true, T0.AddDays(-1), "v1", "cookie_banner", "k0") },
    };

    private static ClickstreamEvent Event(string id, EventType type, string? productId, DateTimeOffset at, int? quantity = null) =>
        new() { Id = id, Type = type, CustomerId = "c1", ProductId = productId, OccurredAt = at, Quantity = quantity };

    private static ClickstreamEvent Purchase(string id, DateTimeOffset at, params string[] products) =>
        new() { Id = id, Type = EventType.Purchase, CustomerId = "c1", OrderId = "o-" + id, OccurredAt = at, Lines = products.Select(p => new OrderLine(p, 1, 10m)).ToList() };

    [Fact]
    public void Apply_SameEventTwice_IsCountedOnce()
    {
        var profile = NewProfile();
        var view = Event("e1", EventType.View, "p1", T0);

        var first = ProfileUpdater.Apply(profile, [view], Catalog, T0);
        var second = ProfileUpdater.Apply(profile, [view, view], Catalog, T0);

        Assert.Single(first.Applied);
        Assert.Empty(second.Applied);
        Assert.Equal(1, profile.EventCount);
        Assert.Equal(1.0, profile.CategoryAffinities["shoes"], 6);
    }

    [Fact]
    public void Apply_EventsOutOfOrder_AreAppliedInEventTimeOrder()
    {
        var profile = NewProfile();
        var later = Event("e2", EventType.View, "p2", T0.AddMinutes(5));
        var earlier = Event("e1", EventType.View, "p1", T0);

        var changes = ProfileUpdater.Apply(profile, [later, earlier], Catalog, T0);

        Assert.Equal(["e1", "e2"], changes.Applied.Select(e => e.Id));
        Assert.Equal(["p2", "p1"], profile.RecentViews.Select(v => v.ProductId));
        Assert.Equal([("p2", "p1", T0.AddMinutes(5))], changes.CoViewed);
    }

    [Fact]
    public void Apply_LateEventAcrossBatches_KeepsRecentViewsNewestFirst()
    {
        var profile = NewProfile();
        ProfileUpdater.Apply(profile, [Event("e2", EventType.View, "p2", T0.AddHours(1))], Catalog, T0);

        ProfileUpdater.Apply(profile, [Event("e1", EventType.View, "p1", T0)], Catalog, T0);

        Assert.Equal(["p2", "p1"], profile.RecentViews.Select(v => v.ProductId));
        Assert.Equal(T0.AddHours(1), profile.LastEventAt);
    }

    [Fact]
    public void Apply_AffinityDecaysWithAThirtyDayHalfLife()
    {
        var profile = NewProfile();
        ProfileUpdater.Apply(profile, [Event("e1", EventType.View, "p1", T0)], Catalog, T0);

        ProfileUpdater.Apply(profile, [Event("e2", EventType.View, "p2", T0.AddDays(30))], Catalog, T0);

        Assert.Equal(0.5, profile.CategoryAffinities["shoes"], 6);
        Assert.Equal(1.0, profile.CategoryAffinities["jackets"], 6);
    }

    [Fact]
    public void Apply_LateEvent_CountsItsDecayedWeight()
    {
        var profile = NewProfile();
        ProfileUpdater.Apply(profile, [Event("e2", EventType.View, "p2", T0.AddDays(30))], Catalog, T0);

        ProfileUpdater.Apply(profile, [Event("e1", EventType.View, "p1", T0)], Catalog, T0);

        Assert.Equal(0.5, profile.CategoryAffinities["shoes"], 6);
    }

    [Fact]
    public void Apply_CartAddRemoveAndEmpty_TracksQuantities()
    {
        var profile = NewProfile();

        ProfileUpdater.Apply(profile, [Event("a1", EventType.AddToCart, "p1", T0, 2), Event("a2", EventType.AddToCart, "p1", T0.AddSeconds(1), 1)], Catalog, T0);
        Assert.Equal(3, profile.Cart["p1"].Quantity);

        var removeOne = ProfileUpdater.Apply(profile, [Event("r1", EventType.RemoveFromCart, "p1", T0.AddSeconds(2), 1)], Catalog, T0);
        Assert.True(removeOne.CartChanged);
        Assert.Equal(2, profile.Cart["p1"].Quantity);

        ProfileUpdater.Apply(profile, [Event("r2", EventType.RemoveFromCart, "p1", T0.AddSeconds(3))], Catalog, T0);
        Assert.Empty(profile.Cart);
        Assert.Equal(T0.AddSeconds(3), profile.CartChangedAt);
    }

    [Fact]
    public void Apply_RemovingWhatIsNotInTheCart_ChangesNothing()
    {
        var profile = NewProfile();

        var changes = ProfileUpdater.Apply(profile, [Event("r1", EventType.RemoveFromCart, "p1", T0)], Catalog, T0);

        Assert.False(changes.CartChanged);
        Assert.Null(profile.CartChangedAt);
    }

    [Fact]
    public void Apply_Purchase_RecordsItemsAndClearsThemFromTheCart()
    {
        var profile = NewProfile();
        ProfileUpdater.Apply(profile, [Event("a1", EventType.AddToCart, "p1", T0), Event("a2", EventType.AddToCart, "p2", T0)], Catalog, T0);

        var changes = ProfileUpdater.Apply(profile, [Purchase("b1", T0.AddMinutes(1), "p1")], Catalog, T0);

        Assert.True(changes.Purchased);
        Assert.Contains("p1", profile.Purchased.Keys);
        Assert.Equal(["p2"], profile.Cart.Keys);
        Assert.Equal(1, profile.OrderCount);
        Assert.Equal(10m, profile.TotalSpent);
    }

    [Fact]
    public void Apply_Consent_KeepsTheLatestDecisionWithItsProof()
    {
        var profile = NewProfile();
        ClickstreamEvent Consent(string id, bool granted, DateTimeOffset at) => new()
        {
            Id = id, Type = EventType.Consent, CustomerId = "c1", OccurredAt = at, Channel = "email", Granted = granted, PolicyVersion = "v2", Source = "preference_centre",
        };

        ProfileUpdater.Apply(profile, [Consent("k2", false, T0.AddDays(1)), Consent("k1", true, T0)], Catalog, T0);

        Assert.False(profile.HasConsent("email"));
        Assert.Equal("k2", profile.Consents["email"].EventId);
        Assert.Equal("preference_centre", profile.Consents["email"].Source);
    }

    [Fact]
    public void Apply_ManyEvents_RemembersOnlyTheLatestIds()
    {
        var profile = NewProfile();
        var events = Enumerable.Range(0, CustomerProfile.MaxProcessedEventIds + 10)
            .Select(i => Event($"e{i:D4}", EventType.View, "p1", T0.AddSeconds(i))).ToList();

        ProfileUpdater.Apply(profile, events, Catalog, T0);

        Assert.Equal(CustomerProfile.MaxProcessedEventIds, profile.ProcessedEventIds.Count);
        Assert.Equal($"e{events.Count - 1:D4}", profile.ProcessedEventIds[^1]);
        Assert.Single(profile.RecentViews);
    }
}
