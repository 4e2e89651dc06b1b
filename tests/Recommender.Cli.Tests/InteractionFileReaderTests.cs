using Recommender.Models;

namespace Recommender.Cli.Tests;

public sealed class InteractionFileReaderTests
{
    private static List<Interaction> Read(string content, string format) =>
        InteractionFileReader.Read(new StringReader(content), "data.txt", format);

    [Fact]
    public void Csv_WithoutHeader_SlashTimestamps_AsTheDemoFile()
    {
        var rows = Read("0003000098E85347,DQF-00358,2015/06/09T19:39:37\n00030000B72150D8,DQF-00248,2015/06/09T15:31:54\n", "csv");

        Assert.Equal(2, rows.Count);
        Assert.Equal(new Interaction("0003000098E85347", "DQF-00358", new DateTimeOffset(2015, 6, 9, 19, 39, 37, TimeSpan.Zero), 1.0), rows[0]);
    }

    [Fact]
    public void Csv_WithHeader_WeightColumn_IsoAndUnixTimestamps()
    {
        var rows = Read("user,item,timestamp,weight\nu1,i1,2024-03-01T10:00:00Z,2.5\nu2,i2,1700000000,1\n\nu3,i3,2024-03-01T12:00:00+02:00,3\n", "csv");

        Assert.Equal(3, rows.Count);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero), rows[0].At);
        Assert.Equal(2.5, rows[0].Weight);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), rows[1].At);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero), rows[2].At.ToUniversalTime());
    }

    [Fact]
    public void Tsv_MovieLensLayout_WithAndWithoutHeader()
    {
        var plain = Read("196\t242\t3\t881250949\n186\t302\t3\t891717742\n", "tsv");
        var headed = Read("user\titem\trating\ttimestamp\n196\t242\t3\t881250949\n", "tsv");

        Assert.Equal(2, plain.Count);
        Assert.Equal(new Interaction("196", "242", DateTimeOffset.FromUnixTimeSeconds(881250949), 3.0), plain[0]);
        Assert.Equal(plain[0], Assert.Single(headed));
    }

    [Theory]
    [InlineData("u1,i1,2024-01-01T00:00:00\nu2,i2\n", "data.txt:2:")]
    [InlineData("u1,i1,1700000000\nu2,i2,1700000001\nu3,i3,yesterday\n", "data.txt:3:")]
    [InlineData("u1,i1,1700000000,heavy\n", "data.txt:1:")]
    [InlineData("user,item,timestamp\nu1,,1700000000\n", "data.txt:2:")]
    public void MalformedLine_NamesFileAndLine(string content, string expected)
    {
        var error = Assert.Throws<InputFormatException>(() => Read(content, "csv"));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1700000000", 1_700_000_000L)]
    [InlineData("2023-11-14T22:13:20Z", 1_700_000_000L)]
    [InlineData("2023-11-14T22:13:20", 1_700_000_000L)]
    [InlineData("2023/11/14T22:13:20", 1_700_000_000L)]
    public void Timestamps_UnixIsoAndSlash(string value, long unixSeconds)
    {
        Assert.True(InteractionFileReader.TryParseTimestamp(value, out var at));
        Assert.Equal(unixSeconds, at.ToUnixTimeSeconds());
    }
}
