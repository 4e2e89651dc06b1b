using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;

namespace Recommender.Domain.Tests.Recommendations;

public class RecommendationEngineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ItemSimilarityModel Model = new()
    {
        Version = "v1",
        TrainedAt = T0,
        EventCount = 10,
        CustomerCount = 3,
        Neighbors = new Dictionary<string, IReadOnlyList<ScoredItem>>
        {
            ["viewed"] = [new("similar-strong", 0.9), new("bought", 0.8), new("in-cart", 0.7), new("similar-weak", 0.1)],
            ["in-cart"] = [new("cross-sell", 0.5)],
        },
        Popular = [new("top-seller", 10), new("bought", 9), new("second-seller", 8)],
    };

    private static readonly Dictionary<string, Product> Catalog = new[]
    {
        new Product("viewed", "Viewed Shoe", "shoes", 1), new Product("similar-strong", "S1", "shoes", 1), new Product("similar-weak", "S2", "shoes", 1),
        new Product("bought", "B", "shoes", 1), new Product("in-cart", "Cart Item", "shoes", 1), new Product("cross-sell", "X", "socks", 1),
        new Product("top-seller", "T", "shoes", 1), new Product("second-seller", "T2", "shoes", 1), new Product("sold-out", "Z", "shoes", 1, InStock: false),
    }.ToDictionary(p => p.Id);

    private static CustomerProfile Profile() => new()
    {
        CustomerId = "c1",
        RecentViews = [new RecentItem("viewed", T0)],
        Cart = new() { ["in-cart"] = new CartLine("in-cart", 1, 1m, T0) },
        Purchased = new() { ["bought"] = T0 },
    };

    [Fact]
    public void ForCustomer_RanksInServingOrder_TyingScoresEqualOnceRounded()
    {
        // B's total is 1 × 0.1 + 3 × 0.1 (a view weighs 1, a cart add 3), A's 1 × 0.4: equal as stored
        // (6 places) though not in the last bits, so the product id decides, as it does when the list
        // is served — and the cached list needs no sort.
        var model = new ItemSimilarityModel
        {
            Version = "v1",
            TrainedAt = T0,
            EventCount = 2,
            CustomerCount = 1,
            Popular = [],
            Neighbors = new Dictionary<string, IReadOnlyList<ScoredItem>>
            {
                ["seen"] = [new("B", 0.1), new("A", 0.4)],
                ["carted"] = [new("B", 0.1)],
            },
        };
        var catalog = new[] { "seen", "carted", "A", "B" }.ToDictionary(id => id, id => new Product(id, id, "c", 1));
        var profile = new CustomerProfile
        {
            CustomerId = "c1",
            RecentViews = [new RecentItem("seen", T0)],
            Cart = new() { ["carted"] = new CartLine("carted", 1, 1m, T0) },
        };

        var items = RecommendationEngine.ForCustomer(profile, model, catalog, 10);

        Assert.Equal(["A", "B"], items.Select(i => i.ProductId));
        Assert.Equal(items[0].Score, items[1].Score);
        Assert.True(ServingRules.InServingOrder(items));
    }

    [Fact]
    public void ForCustomer_NeverOffersWhatWasBoughtOrIsInTheCart()
    {
        var items = RecommendationEngine.ForCustomer(Profile(), Model, Catalog, 10);

        Assert.DoesNotContain(items, i => i.ProductId is "bought" or "in-cart" or "viewed");
    }

    [Fact]
    public void ForCustomer_ExplainsEachItemByTheSeedThatContributedMost()
    {
        var items = RecommendationEngine.ForCustomer(Profile(), Model, Catalog, 10);

        var strong = Assert.Single(items, i => i.ProductId == "similar-strong");
        Assert.Equal("viewed:viewed", strong.ReasonCode);
        Assert.Equal("Because you viewed Viewed Shoe", strong.Reason);
        var crossSell = Assert.Single(items, i => i.ProductId == "cross-sell");
        Assert.Equal("in_cart:in-cart", crossSell.ReasonCode);
        Assert.Equal(1.0, crossSell.Score, 6); // the best score (cart 3 × similarity 0.5) scales to 1
    }

    [Fact]
    public void ForCustomer_RanksByScoreThenFillsWithPopularItems()
    {
        var items = RecommendationEngine.ForCustomer(Profile(), Model, Catalog, 5);

        Assert.Equal(["cross-sell", "similar-strong", "similar-weak", "top-seller", "second-seller"], items.Select(i => i.ProductId));
        Assert.Equal("popular", items[^1].ReasonCode);
    }

    [Fact]
    public void ForCustomer_PopularFillScoresBelowEveryRealMatch_SoServingNeverLiftsItAbove()
    {
        // The model's popularity scores are counts (10, 9, 8) while matches score at most 1: appended
        // raw, the fill made the cached list out of serving order and the serving rules' sort put
        // "Popular with other customers" above every real match (issue 12's served-quality regression).
        var items = RecommendationEngine.ForCustomer(Profile(), Model, Catalog, 5);

        Assert.True(ServingRules.InServingOrder(items));
        var lowestMatch = items.Where(i => i.ReasonCode != "popular").Min(i => i.Score);
        Assert.All(items.Where(i => i.ReasonCode == "popular"), i => Assert.True(i.Score < lowestMatch, $"{i.ProductId} {i.Score} >= {lowestMatch}"));
        var served = ServingRules.Apply(items, 5, new HashSet<string>(), null, Catalog, ServingFilters.None, new ServingOptions(), 1.0);
        Assert.Equal(items.Select(i => i.ProductId), served.Select(i => i.ProductId));
    }

    [Fact]
    public void RelatedTo_PopularFillScoresBelowEveryNeighbour()
    {
        var items = RecommendationEngine.RelatedTo(["in-cart"], "in_cart", Model, Catalog, new HashSet<string>(), 3);

        Assert.Equal(["cross-sell", "top-seller", "bought"], items.Select(i => i.ProductId));
        Assert.True(ServingRules.InServingOrder(items));
        Assert.True(items[1].Score < items[0].Score && items[2].Score < items[1].Score);
    }

    [Fact]
    public void ForCustomer_SkipsOutOfStockProducts()
    {
        var model = Model with { Neighbors = new Dictionary<string, IReadOnlyList<ScoredItem>> { ["viewed"] = [new("sold-out", 1.0)] } };

        var items = RecommendationEngine.ForCustomer(Profile(), model, Catalog, 10);

        Assert.DoesNotContain(items, i => i.ProductId == "sold-out");
    }

    [Fact]
    public void ForCustomer_WithoutAModel_RanksOnlyByCatalogAttributes()
    {
        // Before any training every product is new to the model: only catalog attributes (content) rank.
        var items = RecommendationEngine.ForCustomer(Profile(), ItemSimilarityModel.Empty, Catalog, 10);

        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.StartsWith("content:", i.ReasonCode, StringComparison.Ordinal));
        Assert.DoesNotContain(items, i => i.ProductId is "bought" or "in-cart" or "viewed" or "sold-out");
    }
}
