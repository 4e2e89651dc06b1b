using Recommender.Adapters.Azure;

namespace Recommender.Adapters.Tests.Azure;

public sealed class CosmosIdsTests
{
    [Theory]
    [InlineData("plain-id", "plain-id")]
    [InlineData("a/b", "a~2Fb")]
    [InlineData(@"a\b", "a~5Cb")]
    [InlineData("a?b#c", "a~3Fb~23c")]
    [InlineData("50%", "50~25")]
    [InlineData("~", "~7E")]
    [InlineData("~2F", "~7E2F")]
    [InlineData("ü 日本:x", "ü 日本:x")]
    public void Encode_EscapesForbiddenCharacters_AndDecodeReversesIt(string id, string stored)
    {
        Assert.Equal(stored, CosmosIds.Encode(id));
        Assert.Equal(id, CosmosIds.Decode(stored));
    }

    [Fact]
    public void Encode_NeverProducesACharacterCosmosForbids()
    {
        var stored = CosmosIds.Encode("/\\?#%~ all of them");

        Assert.Equal(-1, stored.AsSpan().IndexOfAny("/\\?#%"));
    }

    [Fact]
    public void Decode_TruncatedEscape_Throws()
    {
        Assert.Throws<FormatException>(() => CosmosIds.Decode("abc~2"));
    }
}
