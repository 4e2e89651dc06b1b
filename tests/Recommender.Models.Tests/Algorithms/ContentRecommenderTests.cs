using Recommender.Models.Algorithms;

namespace Recommender.Models.Tests.Algorithms;

public sealed class ContentRecommenderTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ItemAttributes Item(string id, string category, string brand, string price) =>
        new(id, new Dictionary<string, string> { ["category"] = category, ["brand"] = brand, ["price"] = price });

    /// <summary>Shoes and shirts; "shoe-new" is in the catalog but nobody has touched it yet.</summary>
    private static List<ItemAttributes> Catalog() =>
    [
        Item("shoe-1", "shoes", "Stride", "60"),
        Item("shoe-2", "shoes", "Stride", "70"),
        Item("shoe-3", "shoes", "Other", "120"),
        Item("shoe-new", "shoes", "Stride", "65"),
        Item("shirt-1", "shirts", "Cotton", "20"),
        Item("shirt-2", "shirts", "Cotton", "25"),
        Item("shirt-3", "shirts", "Linen", "15"),
    ];

    private static List<Interaction> Interactions() =>
    [
        new("runner", "shoe-1", Start, 5),
        new("runner", "shoe-2", Start.AddHours(1), 1),
        new("office", "shirt-1", Start, 1),
        new("office", "shirt-2", Start, 1),
        new("a", "shirt-1", Start, 1),
        new("b", "shirt-1", Start, 1),
        new("c", "shirt-3", Start, 1),
        new("c", "shoe-3", Start, 1),
    ];

    [Fact]
    public void Recommend_ColdStartItemSharingAttributes_ComesFirst()
    {
        var sut = new ContentRecommender();
        sut.Fit(Interactions(), new TrainingContext(Catalog: Catalog()));

        var result = sut.Recommend("runner", 3, excludeSeen: true);

        // shoe-new shares category, brand and price band (64–127) with the runner's shoes; shoe-3 only category and band.
        Assert.Equal("shoe-new", result[0].Item);
        Assert.Equal("shoe-3", result[1].Item);
        Assert.True(result[0].Score > result[1].Score);
        Assert.DoesNotContain(result, r => r.Item is "shoe-1" or "shoe-2");
    }

    [Fact]
    public void Recommend_SeenKept_SeenItemsCanAppear()
    {
        var sut = new ContentRecommender();
        sut.Fit(Interactions(), new TrainingContext(Catalog: Catalog()));

        var result = sut.Recommend("runner", 3, excludeSeen: false);

        Assert.Contains(result, r => r.Item is "shoe-1" or "shoe-2");
    }

    [Fact]
    public void Fit_WithoutCatalog_FallsBackToPopularityAndSaysSo()
    {
        var messages = new List<string>();
        var sut = new ContentRecommender();

        sut.Fit(Interactions(), new TrainingContext(Progress: new SynchronousProgress(messages)));

        Assert.True(sut.IsPopularityFallback);
        Assert.Contains(messages, m => m.Contains("falling back to popularity", StringComparison.Ordinal));
        Assert.Equal("shirt-1", sut.Recommend("runner", 1, excludeSeen: true)[0].Item);
    }

    [Fact]
    public void Recommend_UnknownUser_GetsPopularity()
    {
        var sut = new ContentRecommender();
        sut.Fit(Interactions(), new TrainingContext(Catalog: Catalog()));

        Assert.Equal("shirt-1", sut.Recommend("stranger", 1, excludeSeen: true)[0].Item);
    }

    [Theory]
    [InlineData("Category", " Shoes ", "category=shoes")]
    [InlineData("price", "65", "price~2^6")]
    [InlineData("price", "0.5", "price~2^0")]
    public void Tokens_AreNormalizedAndNumbersBanded(string name, string value, string expected) =>
        Assert.Equal([expected], ContentVectors.TokensOf(name, value).ToArray());

    [Fact]
    public void Tokens_MultiValuedAttribute_GivesOneTokenPerValue() =>
        Assert.Equal(["tags=red", "tags=wool"], ContentVectors.TokensOf("tags", "Red|wool").ToArray());

    private sealed class SynchronousProgress(List<string> messages) : IProgress<string>
    {
        public void Report(string value) => messages.Add(value);
    }
}
