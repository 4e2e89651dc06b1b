using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;

namespace Recommender.Domain.Tests.Recommendations;

public class ServingRulesTests
{
    private static readonly Dictionary<string, Product> Catalog = new[]
    {
        new Product("A1", "Parka", "jackets", 1, Brand: "north"),
        new Product("A2", "Rain jacket", "JACKETS", 1, Brand: "North"), // same category and brand, other case
        new Product("B1", "Beanie", "hats", 1, Brand: "fabrikam"),
        new Product("B2", "Cap", "hats", 1, Brand: "north"),
        new Product("C1", "Socks", "socks", 1),
    }.ToDictionary(p => p.Id);

    private static readonly HashSet<string> NoExclusions = [];

    private static RecommendedItem Item(string id, double score) => new(id, score, "because", "code");

    private static string[] Apply(IEnumerable<RecommendedItem> candidates, int count, double? diversity = null, ServingFilters? filters = null,
        IReadOnlyList<RecommendedItem>? picked = null) =>
        [.. ServingRules.Apply(candidates, count, NoExclusions, null, Catalog, filters ?? ServingFilters.None, new ServingOptions(), diversity, picked).Select(i => i.ProductId)];

    [Fact]
    public void Diversity_TradesALittleRelevanceForAnotherCategoryAndBrand_IgnoringCase()
    {
        RecommendedItem[] candidates = [Item("A1", 1.0), Item("A2", 0.95), Item("B1", 0.9)];

        // λ = 0.8: after A1, A2 is worth 0.76 − 0.2 × 1.0 and B1 0.72 − 0: B1 comes first.
        Assert.Equal(["A1", "B1", "A2"], Apply(candidates, 3, diversity: 0.8));
        Assert.Equal(["A1", "A2", "B1"], Apply(candidates, 3, diversity: 1));
    }

    [Fact]
    public void Diversity_CountsTheMostSimilarItemPicked()
    {
        // After A1 and B1, B2 shares A1's brand (0.3) and B1's category (0.7): with the larger penalty, 0.784 − 0.14 is below C1's 0.72.
        RecommendedItem[] candidates = [Item("A1", 1.0), Item("B1", 0.99), Item("B2", 0.98), Item("C1", 0.9)];

        Assert.Equal(["A1", "B1", "C1", "B2"], Apply(candidates, 4, diversity: 0.8));
    }

    [Fact]
    public void EqualScores_KeepProductIdOrder_AndDuplicatesCountOnce()
    {
        Assert.Equal(["A1", "B1", "C1"], Apply([Item("C1", 0.5), Item("B1", 0.5), Item("A1", 0.5), Item("B1", 0.4)], 5, diversity: 1));
    }

    [Fact]
    public void Caps_LeaveOutWhatIsOverThem_EvenIfTheListIsShort()
    {
        RecommendedItem[] candidates = [Item("A1", 1.0), Item("A2", 0.95), Item("B1", 0.9), Item("B2", 0.8)];

        Assert.Equal(["A1", "B1"], Apply(candidates, 4, diversity: 1, filters: new ServingFilters { MaxPerCategory = 1 }));
        Assert.Equal(["A1", "B1"], Apply(candidates, 4, diversity: 1, filters: new ServingFilters { MaxPerBrand = 1 }));
    }

    [Fact]
    public void ATopUp_CountsTheItemsAlreadyPicked_ForCapsAndDiversity()
    {
        RecommendedItem[] already = [Item("A1", 1.0)];

        Assert.Equal(["B1"], Apply([Item("A2", 0.95), Item("B1", 0.9)], 1, diversity: 0.8, picked: already));
        Assert.Equal(["B1"], Apply([Item("A2", 0.95), Item("B1", 0.5)], 1, diversity: 1, filters: new ServingFilters { MaxPerCategory = 1 }, picked: already));
    }
}
