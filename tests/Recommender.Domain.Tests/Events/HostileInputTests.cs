using System.Text.Json;
using Recommender.Domain.Events;
using static Recommender.Domain.Tests.Events.EventExamples;

namespace Recommender.Domain.Tests.Events;

/// <summary>Whatever arrives, the validator answers with a reason and never throws.</summary>
public class HostileInputTests
{
    [Fact]
    public void TenMegabyteEvent_IsRefusedBySize()
    {
        var body = With("search", "query", $"\"{new string('x', 10 * 1024 * 1024)}\"");

        var result = Validate(body);

        Assert.False(result.IsValid);
        Assert.Contains($"event is larger than {EventValidator.MaxEventBytes} bytes", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiByteCharacters_CountAsBytes()
    {
        // 6,000 chars of 3 bytes each: under the limit in chars, over it in UTF-8 bytes.
        var result = Validate(With("search", "query", $"\"{new string('€', 6000)}\""));

        Assert.Contains("larger than", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void HundredThousandResultIds_AreRefused()
    {
        var ids = "[" + string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"\"p{i}\"")) + "]";
        var body = With("search", "resultIds", ids);

        Assert.Contains("larger than", Validate(body).Error, StringComparison.Ordinal);

        // Parsed elsewhere (no size check): the array's length is refused before any element is read.
        using var document = JsonDocument.Parse(body);
        var parsed = CreateSut().Validate(document.RootElement);
        Assert.Contains($"resultIds must be an array of 0 to {EventValidator.MaxResultIds} ids", parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultIdsOverTheLimit_AreRefused() =>
        Assert.Contains("resultIds must be an array of 0 to 100 ids", Validate(With("search", "resultIds", "[" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"p{i}\"")) + "]")).Error, StringComparison.Ordinal);

    [Theory]
    [InlineData("search", "query", "\"red\\u0000shoes\"", "query contains control characters")]
    [InlineData("search", "query", "\"red\\nshoes\"", "query contains control characters")]
    [InlineData("search", "filters", "{\"size\":[\"4\\u00072\"]}", "filters.size contains control characters")]
    [InlineData("search", "filters", "{\"si\\u0000ze\":\"42\"}", "filters keys must be 1 to 64 characters without control characters")]
    [InlineData("search", "resultIds", "[\"p\\u001b1\"]", "resultIds contains control characters")]
    [InlineData("view", "context", "{\"userAgent\":\"Mozilla\\r\\nX-Evil: 1\"}", "context.userAgent contains control characters")]
    [InlineData("view", "context", "{\"ip\":\"10.0.0.1\\u0000\"}", "context.ip contains control characters")]
    [InlineData("catalog_change", "attributes", "{\"colour\":\"re\\td\"}", "attributes.colour contains control characters")]
    public void ControlCharacters_AreRefused(string type, string field, string rawJson, string reason) =>
        Assert.Contains(reason, Validate(With(type, field, rawJson)).Error, StringComparison.Ordinal);

    [Theory]
    [InlineData("search", "query", "[\"red\"]", "query must be a string")]
    [InlineData("search", "resultIds", "\"SHO-001\"", "resultIds must be an array")]
    [InlineData("search", "resultIds", "[1,2]", "resultIds[0] must be an id")]
    [InlineData("search", "resultCount", "\"37\"", "resultCount must be a whole number")]
    [InlineData("compare", "productIds", "{\"a\":\"b\"}", "productIds must be an array")]
    [InlineData("purchase", "lines", "{\"productId\":\"SHO-001\"}", "lines must be an array")]
    [InlineData("purchase", "lines", "[\"SHO-001\"]", "lines must contain objects")]
    [InlineData("purchase", "subtotal", "\"119.80\"", "subtotal must be a number")]
    [InlineData("view", "price", "1e400", "price must be a number")]
    [InlineData("identify", "anonymousId", "{}", "anonymousId must be a string")]
    [InlineData("account", "birthYear", "1990.5", "birthYear must be a whole number")]
    [InlineData("catalog_change", "inStock", "1", "inStock must be true or false")]
    [InlineData("catalog_change", "attributes", "[]", "attributes must be an object")]
    [InlineData("view", "context", "[]", "context must be an object")]
    public void WrongTypes_AreRefused(string type, string field, string rawJson, string reason) =>
        Assert.Contains(reason, Validate(With(type, field, rawJson)).Error, StringComparison.Ordinal);

    [Fact]
    public void DuplicateKeys_AreRefused()
    {
        var body = Json("view").Replace("\"customerId\":\"c1\"", "\"customerId\":\"c1\",\"customerId\":\"c2\"", StringComparison.Ordinal);

        Assert.Contains("malformed JSON", Validate(body).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\udfff\\ud800\"")]
    public void LoneSurrogates_AreRefusedWithoutThrowing(string rawJson)
    {
        var result = Validate(Json("search").Replace("\"red running shoes\"", rawJson, StringComparison.Ordinal));

        Assert.False(result.IsValid);
        Assert.Contains("query is not valid text", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void LoneSurrogateInAFieldName_IsRefusedWithoutThrowing()
    {
        var body = Json("view").Replace("{\"id\"", "{\"\\ud800\":1,\"id\"", StringComparison.Ordinal);

        Assert.Contains("malformed JSON", Validate(body).Error, StringComparison.Ordinal);

        using var document = JsonDocument.Parse(body);
        var parsed = CreateSut().Validate(document.RootElement);
        Assert.False(parsed.IsValid && parsed.DroppedFields.Count == 0);
    }

    [Fact]
    public void ManyUnknownFields_AreAllCounted()
    {
        var node = Node("view");
        for (var i = 0; i < 500; i++)
        {
            node[$"x{i}"] = i;
        }

        Assert.Equal(500, Validate(node.ToJsonString()).DroppedFields.Count);
    }
}
