using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Tests.Profiles;

public class ProfileFeaturesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, Product> Catalog = new()
    {
        ["jacket"] = new Product("jacket", "Parka", "jackets", 180m, Brand: "Northwind", Attributes: new Dictionary<string, string> { ["size"] = "M", ["color"] = "Navy", ["sku"] = "x" }),
        ["socks"] = new Product("socks", "Socks", "socks", 9m, Brand: "Contoso"),
    };

    private static int _sequence;

    private static ClickstreamEvent E(EventType type, DateTimeOffset at, string? productId = null, string customer = "c1") => new()
    {
        Id = $"e{Interlocked.Increment(ref _sequence)}", Type = type, CustomerId = customer, ProductId = productId, OccurredAt = at,
    };

    private static ClickstreamEvent Consent(string channel, bool granted, DateTimeOffset at) =>
        E(EventType.Consent, at) with { Channel = channel, Granted = granted, PolicyVersion = "v1", Source = "cookie_banner" };

    private static CustomerProfile Profiled()
    {
        var profile = new CustomerProfile { CustomerId = "c1" };
        ProfileUpdater.Apply(profile, [Consent("analytics", true, T0.AddDays(-1))], Catalog, T0);
        return profile;
    }

    [Fact]
    public void WithoutAnalyticsConsent_BehaviourIsNotProfiled_ButStillCountsForAggregates()
    {
        var profile = new CustomerProfile { CustomerId = "c1" };

        var changes = ProfileUpdater.Apply(profile, [E(EventType.View, T0, "jacket"), E(EventType.View, T0.AddMinutes(1), "socks"), E(EventType.AddToCart, T0.AddMinutes(2), "socks")], Catalog, T0);

        Assert.False(changes.Profiled);
        Assert.False(changes.MustWrite);
        Assert.Empty(profile.RecentViews);
        Assert.Empty(profile.Cart);
        Assert.Empty(profile.CategoryAffinities);
        Assert.Equal(3, changes.Applied.Count);
        Assert.Equal([("socks", "jacket", T0.AddMinutes(1))], changes.CoViewed);
    }

    [Fact]
    public void WithdrawingAnalyticsConsent_ForgetsBehaviourButKeepsTheRecord()
    {
        var profile = Profiled();
        ProfileUpdater.Apply(profile, [E(EventType.View, T0, "jacket"), E(EventType.AddToCart, T0, "jacket")], Catalog, T0);

        var changes = ProfileUpdater.Apply(profile, [Consent("analytics", false, T0.AddHours(1)), E(EventType.View, T0.AddHours(2), "socks")], Catalog, T0);

        Assert.True(changes.BehaviourCleared);
        Assert.True(changes.MustWrite);
        Assert.Empty(profile.RecentViews);
        Assert.Empty(profile.Cart);
        Assert.Empty(profile.CategoryAffinities);
        Assert.False(profile.Consents["analytics"].Granted);
    }

    [Theory]
    [InlineData(2011, true)]
    [InlineData(2010, true)]  // 15 or 16 in 2026: could still be under 16
    [InlineData(2009, false)]
    public void Minors_AreNeverProfiled(int birthYear, bool minor)
    {
        var profile = Profiled();
        ProfileUpdater.Apply(profile, [E(EventType.View, T0, "jacket")], Catalog, T0);

        ProfileUpdater.Apply(profile, [E(EventType.Account, T0.AddMinutes(1)) with { BirthYear = birthYear }, E(EventType.View, T0.AddMinutes(2), "socks")], Catalog, T0);

        Assert.Equal(minor, profile.RecentViews.Count == 0);
        Assert.Equal(minor, !profile.ProfilingAllowed(T0));
    }

    [Fact]
    public void ProductInteractions_BuildCategoryBrandPriceBandAndAttributeAffinities()
    {
        var profile = Profiled();

        ProfileUpdater.Apply(profile, [E(EventType.View, T0, "jacket")], Catalog, T0);

        Assert.Equal(1.0, profile.CategoryAffinities["jackets"], 6);
        Assert.Equal(1.0, profile.BrandAffinities["northwind"], 6);
        Assert.Equal(1.0, profile.PriceBandAffinities["100-250"], 6);
        Assert.Equal(1.0, profile.AttributeAffinities["size:m"], 6);
        Assert.Equal(1.0, profile.AttributeAffinities["colour:navy"], 6);
        Assert.DoesNotContain(profile.AttributeAffinities.Keys, k => k.StartsWith("sku", StringComparison.Ordinal));
    }

    [Fact]
    public void Searches_AreKeptNewestFirst_AndForgottenAfterNinetyDays()
    {
        var profile = Profiled();
        ProfileUpdater.Apply(profile, [E(EventType.Search, T0) with { Query = "rain jacket", ResultCount = 12 }, E(EventType.Search, T0.AddMinutes(1)) with { Query = "socks" }], Catalog, T0);
        Assert.Equal(["socks", "rain jacket"], profile.RecentSearches.Select(s => s.Query));

        ProfileUpdater.Apply(profile, [E(EventType.View, T0.AddDays(91), "socks")], Catalog, T0.AddDays(91));

        Assert.Empty(profile.RecentSearches);
    }

    [Fact]
    public void Wishlist_CartValue_Orders_Returns_AndRfm()
    {
        var profile = Profiled();
        ProfileUpdater.Apply(profile, [E(EventType.WishlistAdd, T0, "jacket"), E(EventType.AddToCart, T0, "socks") with { Quantity = 3, Price = 9m }], Catalog, T0);
        Assert.Equal(27m, profile.CartValue);
        Assert.Contains("jacket", profile.Wishlist.Keys);

        var order = E(EventType.Purchase, T0.AddHours(1)) with { OrderId = "o1", Lines = [new OrderLine("jacket", 1, 180m), new OrderLine("socks", 3, 9m)], Total = 200m };
        ProfileUpdater.Apply(profile, [order, E(EventType.Return, T0.AddDays(2)) with { OrderId = "o1", RefundAmount = 27m }], Catalog, T0);

        Assert.Empty(profile.Wishlist); // bought
        Assert.Empty(profile.Cart);
        var rfm = profile.RfmAt(T0.AddDays(10).AddHours(1));
        Assert.Equal(10, rfm.RecencyDays);
        Assert.Equal(1, rfm.Frequency);
        Assert.Equal(200m, rfm.Monetary);
        Assert.Equal(1, profile.ReturnCount);
        Assert.Equal(27m, profile.RefundTotal);
    }

    [Fact]
    public void Sessions_StartOnANewSessionIdOrAfterThirtyIdleMinutes()
    {
        var profile = Profiled();

        ProfileUpdater.Apply(profile, [
            E(EventType.View, T0, "jacket") with { SessionId = "s1" },
            E(EventType.Search, T0.AddMinutes(1)) with { SessionId = "s1", Query = "x" },
            E(EventType.View, T0.AddMinutes(2), "socks") with { SessionId = "s2" },
            E(EventType.View, T0.AddMinutes(3), "socks"),
            E(EventType.View, T0.AddMinutes(40), "jacket"),
        ], Catalog, T0);

        Assert.Equal(3, profile.SessionCount);
        Assert.Equal(1, profile.Session!.Events);
        Assert.Equal(T0.AddMinutes(40), profile.Session.StartedAt);
    }

    [Fact]
    public void Merge_BringsTheVisitorsBehaviourAndIdsOnce()
    {
        var customer = Profiled();
        ProfileUpdater.Apply(customer, [E(EventType.View, T0, "socks")], Catalog, T0);
        var visitor = new CustomerProfile { CustomerId = "anon:v1" };
        var shared = E(EventType.View, T0.AddMinutes(1), "jacket", "anon:v1");
        ProfileUpdater.Apply(visitor, [Consent("analytics", true, T0.AddDays(-1)), shared, E(EventType.AddToCart, T0.AddMinutes(2), "jacket")], Catalog, T0);

        ProfileMerger.MergeInto(customer, visitor, T0);
        var again = ProfileUpdater.Apply(customer, [shared], Catalog, T0);

        Assert.Empty(again.Applied); // the visitor's event is not counted a second time
        Assert.Equal(["jacket", "socks"], customer.RecentViews.Select(v => v.ProductId));
        Assert.Contains("jacket", customer.Cart.Keys);
        Assert.Equal(["v1"], customer.MergedVisitors);
        Assert.Equal(["v1"], customer.AnonymousIds);
    }
}
