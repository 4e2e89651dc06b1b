using Recommender.Models;

namespace Recommender.Cli.Tests;

/// <summary>The interaction and catalog readers parse RFC 4180 CSV (through Sep): quoted fields keep their commas and quotes.</summary>
public sealed class SeparatedFileTests
{
    [Fact]
    public void Interactions_QuotedIdsWithCommasAndQuotes_AreOneField()
    {
        var rows = InteractionFileReader.Read(new StringReader("user,item,timestamp\n\"u,1\",\"the \"\"big\"\" one\",1700000000\n"), "data.csv", "csv");

        Assert.Equal(new Interaction("u,1", "the \"big\" one", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)), Assert.Single(rows));
    }

    [Fact]
    public void Interactions_ByteOrderMarkAndCrLf_AreIgnored()
    {
        var rows = InteractionFileReader.Read(new StringReader("\uFEFFuser,item,timestamp\r\nu1,i1,1700000000\r\n\r\nu2,i2,1700000001\r\n"), "data.csv", "csv");

        Assert.Equal(["u1", "u2"], rows.Select(r => r.User).ToArray());
    }

    [Fact]
    public void Catalog_HeaderNamesTheAttributes_QuotedValuesKeepTheirCommas()
    {
        var items = CatalogFileReader.Read(new StringReader("productId,name,category\nSHO-1,\"Runner, red\",shoes\n\nSHO-2,Trail,\"shoes, outdoor\"\n"), "catalog.csv");

        Assert.Equal(2, items.Count);
        Assert.Equal("SHO-1", items[0].Item);
        Assert.Equal("Runner, red", items[0].Attributes["name"]);
        Assert.Equal("shoes, outdoor", items[1].Attributes["category"]);
    }

    [Fact]
    public void Catalog_EmptyItemId_NamesFileAndLine()
    {
        var error = Assert.Throws<InputFormatException>(() => CatalogFileReader.Read(new StringReader("item,name\nA,x\n,y\n"), "catalog.csv"));

        Assert.StartsWith("catalog.csv:3:", error.Message, StringComparison.Ordinal);
    }
}
