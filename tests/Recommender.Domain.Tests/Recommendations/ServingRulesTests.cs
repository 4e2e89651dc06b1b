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

    [Fact]
    public void ACachedList_KnowsWhetherAProductAppearsTwice()
    {
        RecommendedItem[] distinct = [Item("A1", 1), Item("B1", 0.5)];

        Assert.True(new CachedRecommendations("c", "v1", default, distinct).ItemsAreDistinct);
        Assert.False(new CachedRecommendations("c", "v1", default, [.. distinct, Item("A1", 0.1)]).ItemsAreDistinct);
        Assert.Equal(["A1", "B1"], ServingRules.Apply(distinct, 2, NoExclusions, null, Catalog, ServingFilters.None, new ServingOptions(), 1, distinct: true).Select(i => i.ProductId));
    }

    [Fact]
    public void ALongTail_IsNotLookedUp_WhenItsRelevanceCannotWin()
    {
        var catalog = new CountingCatalog(Enumerable.Range(0, 50).Select(i => new Product($"P{i:D2}", "n", $"c{i % 5}", 1)).ToDictionary(p => p.Id));
        var candidates = Enumerable.Range(0, 50).Select(i => Item($"P{i:D2}", 1.0 / (i + 1))).ToList();

        var picked = ServingRules.Apply(candidates, 3, NoExclusions, null, catalog, ServingFilters.None, new ServingOptions(), 0.8);

        Assert.Equal(["P00", "P01", "P02"], picked.Select(i => i.ProductId));
        Assert.InRange(catalog.Lookups, 3, 10);
    }

    [Fact]
    public void ACachedList_ServesExactlyWhatTheGeneralRulesServe_OnRandomInputs()
    {
        // The cached-list path (no duplicate check, no sort for a list in serving order) against the
        // general one on the same inputs: duplicates, unknown and out-of-stock products, age
        // restrictions, exclusions, filters, caps, promotions, every diversity and ties.
        var random = new Random(7);
        var products = Enumerable.Range(0, 60).Select(i => new Product($"P{i:D2}", "n", $"c{i % 6}", 1, InStock: i % 11 != 0, Brand: i % 4 == 0 ? null : $"b{i % 5}",
            AgeRestricted: i % 13 == 0)).ToDictionary(p => p.Id);
        for (var run = 0; run < 3000; run++)
        {
            var items = Enumerable.Range(0, random.Next(0, 50))
                .Select(_ => Item($"P{random.Next(0, 70):D2}", Math.Round(random.Next(1, 8) / 4.0 + (random.NextDouble() < 0.5 ? 0 : random.NextDouble()), random.Next(2, 9))))
                .ToList();
            if (random.Next(2) == 0)
            {
                // As the engine writes them (most of the time): in serving order, so the sort is skipped.
                items = [.. items.OrderByDescending(i => Math.Round(i.Score, 6)).ThenBy(i => i.ProductId, StringComparer.Ordinal)];
            }
            var exclude = new HashSet<string>(Enumerable.Range(0, random.Next(0, 6)).Select(_ => $"P{random.Next(0, 60):D2}"), StringComparer.Ordinal);
            var filters = random.Next(4) switch
            {
                0 => ServingFilters.None,
                1 => new ServingFilters { MaxPerBrand = random.Next(1, 3), MaxPerCategory = random.Next(1, 4) },
                2 => new ServingFilters { ExcludeCategories = new HashSet<string>(["C1"], StringComparer.OrdinalIgnoreCase), IncludeBrands = new HashSet<string>(["b1", "b2", "b3"]) },
                _ => new ServingFilters { IncludeCategories = new HashSet<string>(["c0", "c2", "c4"]) },
            };
            var options = new ServingOptions();
            if (random.Next(3) == 0)
            {
                options.Promotions.Add(new Promotion { Category = $"c{random.Next(6)}", Boost = 1.5 });
                options.Promotions.Add(new Promotion { ProductId = $"P{random.Next(60):D2}", Boost = 3 });
            }

            var profile = new Recommender.Domain.Profiles.CustomerProfile { CustomerId = "c", AgeVerifiedAdult = random.Next(2) == 0 };
            var diversity = random.Next(3) switch { 0 => 1.0, 1 => 0.8, _ => random.NextDouble() };
            var count = random.Next(1, 15);
            var list = new CachedRecommendations("c", "v1", default, items);

            var general = ServingRules.Apply(items, count, exclude, profile, products, filters, options, diversity, distinct: list.ItemsAreDistinct);
            var prepared = ServingRules.Apply(list, count, exclude, profile, products, filters, options, diversity);

            Assert.Equal(general, prepared);
        }
    }

    [Fact]
    public void ACachedList_KnowsWhetherItIsInServingOrder()
    {
        Assert.True(new CachedRecommendations("c", "v1", default, [Item("B1", 0.9), Item("A1", 0.5), Item("C1", 0.5)]).ItemsAreInServingOrder);
        Assert.False(new CachedRecommendations("c", "v1", default, [Item("A1", 0.5), Item("B1", 0.9)]).ItemsAreInServingOrder);
        Assert.False(new CachedRecommendations("c", "v1", default, [Item("C1", 0.5), Item("A1", 0.5)]).ItemsAreInServingOrder); // ties by product id
        // Scores equal once rounded as served (6 places) tie, whatever their stored digits.
        Assert.True(new CachedRecommendations("c", "v1", default, [Item("A1", 0.1234561), Item("B1", 0.1234564)]).ItemsAreInServingOrder);
        Assert.True(new CachedRecommendations("c", "v1", default, []).ItemsAreInServingOrder);
    }

    [Fact]
    public void TheExclusionsChange_WhenTheFirstReplenishablePurchaseComesDue()
    {
        var t0 = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var catalog = new[]
        {
            new Product("SOAP", "Soap", "care", 1, ReplenishAfterDays: 30),
            new Product("TEA", "Tea", "food", 1, ReplenishAfterDays: 10),
            new Product("COAT", "Coat", "jackets", 1),
        }.ToDictionary(p => p.Id);
        var profile = new Recommender.Domain.Profiles.CustomerProfile
        {
            CustomerId = "c",
            Purchased = new() { ["SOAP"] = t0, ["TEA"] = t0.AddDays(-20), ["COAT"] = t0 }, // tea is due already
        };

        Assert.Equal(t0.AddDays(30), ServingRules.ExclusionsChangeAt(profile, catalog, t0));
        Assert.DoesNotContain("TEA", ServingRules.Exclusions(profile, catalog, t0));
        Assert.Contains("SOAP", ServingRules.Exclusions(profile, catalog, t0.AddDays(30).AddTicks(-1)));
        Assert.DoesNotContain("SOAP", ServingRules.Exclusions(profile, catalog, t0.AddDays(30)));
        Assert.Equal(DateTimeOffset.MaxValue, ServingRules.ExclusionsChangeAt(profile, catalog, t0.AddDays(30)));
        Assert.Equal(DateTimeOffset.MaxValue, ServingRules.ExclusionsChangeAt(null, catalog, t0));
    }

    [Fact]
    public void AServedList_HoldsForItsCatalogInstance_Snapshot_RequestShape_AndUntilItsExpiry()
    {
        var t0 = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var snapshot = new ProfileSnapshot([], new Dictionary<string, DateTimeOffset>(), [], null);
        var items = new[] { new RecommendedItem("A", 0.9, "r", "popular"), new RecommendedItem("B", 0.8, "r", "popular") };
        var served = new ServedList(ServedList.DefaultCapacity);
        Assert.Null(served.ItemsFor(Catalog, snapshot, 2, null, t0, out _)); // nothing kept yet

        served.Keep(Catalog, snapshot, 2, null, t0.AddDays(1), items);

        Assert.Equal(items, served.ItemsFor(Catalog, snapshot, 2, null, t0, out _));
        Assert.NotSame(served.ItemsFor(Catalog, snapshot, 2, null, t0, out _), served.ItemsFor(Catalog, snapshot, 2, null, t0, out _)); // a copy per answer
        Assert.Null(served.ItemsFor(new Dictionary<string, Product>(Catalog), snapshot, 2, null, t0, out _)); // a changed catalog is a new instance
        Assert.Null(served.ItemsFor(Catalog, snapshot with { AgeVerifiedAdult = true }, 2, null, t0, out _)); // another snapshot (a copy of the list)
        Assert.Null(served.ItemsFor(Catalog, snapshot, 5, null, t0, out _));
        Assert.Null(served.ItemsFor(Catalog, snapshot, 2, 0.5, t0, out _));
        Assert.Null(served.ItemsFor(Catalog, snapshot, 2, null, t0.AddDays(1), out _));
    }

    [Fact]
    public void AServedList_KeepsALongerAnswerThanItWasMadeFor_AndThenAShorterOne()
    {
        var t0 = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var many = Enumerable.Range(0, 15).Select(i => new RecommendedItem($"P{i}", 1.0 / (i + 1), "r", "popular")).ToArray();
        var served = new ServedList(2);

        served.Keep(Catalog, null, 15, null, t0.AddDays(1), many);
        Assert.Equal(many, served.ItemsFor(Catalog, null, 15, null, t0, out _));

        served.Keep(Catalog, null, 3, null, t0.AddDays(1), many[..3]);
        Assert.Equal(many[..3], served.ItemsFor(Catalog, null, 3, null, t0, out _));
        Assert.Null(served.ItemsFor(Catalog, null, 15, null, t0, out _)); // one shape at a time: the last one kept
    }

    private sealed class CountingCatalog(Dictionary<string, Product> products) : IReadOnlyDictionary<string, Product>
    {
        public int Lookups { get; private set; }

        public Product this[string key] => products[key];

        public IEnumerable<string> Keys => products.Keys;

        public IEnumerable<Product> Values => products.Values;

        public int Count => products.Count;

        public bool ContainsKey(string key) => products.ContainsKey(key);

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Product value)
        {
            Lookups++;
            return products.TryGetValue(key, out value);
        }

        public IEnumerator<KeyValuePair<string, Product>> GetEnumerator() => products.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
