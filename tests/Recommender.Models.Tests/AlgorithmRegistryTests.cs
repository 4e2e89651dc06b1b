namespace Recommender.Models.Tests;

public sealed class AlgorithmRegistryTests
{
    [Fact]
    public void Default_RegistersTheBaselines()
    {
        var names = AlgorithmRegistry.Default.Names;
        foreach (var name in new[] { "popularity", "trending", "sar", "itemknn-jaccard", "itemknn-lift", "itemknn-cosine", "userknn-cosine", "userknn-jaccard", "rp3beta", "sequential" })
        {
            Assert.Contains(name, names);
            Assert.Equal(name, AlgorithmRegistry.Default.Create(name).Name);
        }
    }

    [Fact]
    public void Create_UnknownName_ListsKnownNames()
    {
        var error = Assert.Throws<UnknownAlgorithmException>(() => AlgorithmRegistry.Default.Create("magic"));
        Assert.Contains("'magic'", error.Message, StringComparison.Ordinal);
        Assert.Contains("sar", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ReturnsANewInstanceEachTime() =>
        Assert.NotSame(AlgorithmRegistry.Default.Create("sar"), AlgorithmRegistry.Default.Create("sar"));
}
