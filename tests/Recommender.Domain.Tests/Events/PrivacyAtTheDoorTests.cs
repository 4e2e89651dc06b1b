using System.Text.Json;
using System.Text.Json.Nodes;
using Recommender.Domain.Events;
using static Recommender.Domain.Tests.Events.EventExamples;

namespace Recommender.Domain.Tests.Events;

/// <summary>Private data is truncated or dropped by the validator, so nothing downstream ever sees it.</summary>
public class PrivacyAtTheDoorTests
{
    private static EventValidation WithContext(string contextJson) => Validate(With("view", "context", contextJson));

    private static string Stored(EventValidation result) => JsonSerializer.Serialize(result.Event, Json.Options);

    [Theory]
    [InlineData("203.0.113.77", "203.0.113.0")]
    [InlineData("10.1.2.3", "10.1.2.0")]
    [InlineData("::ffff:198.51.100.23", "198.51.100.0")]
    public void Ipv4_KeepsTheFirstThreeOctets(string ip, string stored)
    {
        var result = WithContext($$"""{"ip":"{{ip}}"}""");

        Assert.Equal(stored, result.Event!.Context!.Ip);
        Assert.DoesNotContain(ip, Stored(result), StringComparison.Ordinal);
        Assert.Empty(result.DroppedFields);
    }

    [Theory]
    [InlineData("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::")]
    [InlineData("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8:85a3::")]
    [InlineData("fe80::1ff:fe23:4567:890a%eth0", "fe80::")]
    public void Ipv6_KeepsTheFirst48Bits(string ip, string stored)
    {
        var result = WithContext($$"""{"ip":"{{ip}}"}""");

        Assert.Equal(stored, result.Event!.Context!.Ip);
        Assert.DoesNotContain("7348", Stored(result), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-an-ip")]
    [InlineData("999.1.2.3")]
    [InlineData("127.1")]
    [InlineData("")]
    public void UnparsableIp_IsDroppedAndReported_NotRefused(string ip)
    {
        var result = WithContext($$"""{"ip":"{{ip}}","country":"fr"}""");

        Assert.True(result.IsValid, result.Error);
        Assert.Null(result.Event.Context!.Ip);
        Assert.Equal("FR", result.Event.Context.Country);
        Assert.Equal(["context.ip"], result.DroppedFields);
    }

    [Fact]
    public void IpOfTheWrongType_IsRefused() =>
        Assert.Contains("context.ip must be a string", WithContext("""{"ip":167772161}""").Error, StringComparison.Ordinal);

    [Fact]
    public void PreciseLocation_IsDroppedAndReported_CountryKept()
    {
        var node = Node("view");
        node["context"] = JsonNode.Parse("""{"country":"DE","latitude":52.5200066,"longitude":13.404954,"geo":{"lat":52.52}}""");
        node["location"] = "Alexanderplatz 1, Berlin";
        node["latitude"] = 52.52;

        var result = Validate(node.ToJsonString());

        Assert.True(result.IsValid, result.Error);
        Assert.Equal("DE", result.Event.Context!.Country);
        var stored = Stored(result);
        Assert.DoesNotContain("52.52", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("13.40", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("Alexanderplatz", stored, StringComparison.Ordinal);
        Assert.Contains("context.latitude", result.DroppedFields);
        Assert.Contains("context.longitude", result.DroppedFields);
        Assert.Contains("context.geo", result.DroppedFields);
        Assert.Contains("location", result.DroppedFields);
        Assert.Contains("latitude", result.DroppedFields);
    }

    [Fact]
    public void Context_KeepsDeviceUserAgentCountryAndLocale()
    {
        var result = WithContext("""{"ip":"203.0.113.9","userAgent":"Mozilla/5.0 (iPhone)","device":"mobile","country":"gb","locale":"en-GB"}""");

        var context = result.Event!.Context!;
        Assert.Equal(("203.0.113.0", "Mozilla/5.0 (iPhone)", DeviceType.Mobile, "GB", "en-GB"), (context.Ip, context.UserAgent, context.Device, context.Country, context.Locale));
    }

    [Theory]
    [InlineData("""{"device":"fridge"}""", "context.device must be one of desktop, mobile, tablet, app")]
    [InlineData("""{"country":"FRA"}""", "context.country must be an ISO 3166-1 alpha-2 country code")]
    [InlineData("""{"locale":"en GB"}""", "context.locale must be a language tag")]
    [InlineData("""{"userAgent":""}""", "context.userAgent must be 1 to 512 characters")]
    [InlineData("\"mobile\"", "context must be an object")]
    public void Context_BadValue_IsRefusedNamingTheField(string contextJson, string reason) =>
        Assert.Contains(reason, WithContext(contextJson).Error, StringComparison.Ordinal);

    [Fact]
    public void UserAgentOver512Characters_IsRefused() =>
        Assert.Contains("context.userAgent must be 1 to 512", WithContext($$"""{"userAgent":"{{new string('a', 513)}}"}""").Error, StringComparison.Ordinal);

    [Fact]
    public void ContextWithOnlyDroppedFields_IsNotStored()
    {
        var result = WithContext("""{"latitude":1.5,"longitude":2.5}""");

        Assert.Null(result.Event!.Context);
        Assert.Equal(["context.latitude", "context.longitude"], result.DroppedFields);
    }

    [Fact]
    public void ReviewText_IsDroppedAndCounted_NeverStored()
    {
        var node = Node("review_write");
        node["text"] = "Terrible, my husband John Smith at 12 Oak St hated them";
        node["title"] = "Awful";

        var result = Validate(node.ToJsonString());

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(4, result.Event.Rating);
        Assert.Equal(["text", "title"], result.DroppedFields.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("John", Stored(result), StringComparison.Ordinal);
        Assert.DoesNotContain("Awful", Stored(result), StringComparison.Ordinal);
    }

    [Fact]
    public void FieldsOutsideTheSchema_AreDroppedCountedAndNamed()
    {
        var node = Node("add_to_cart");
        node["email"] = "a@b.c";
        node["comment"] = "gift for my wife";
        node["rating"] = 5; // a field of another type
        node["ssn"] = new JsonObject { ["value"] = "123-45-6789" };

        var result = Validate(node.ToJsonString());

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(["comment", "email", "rating", "ssn"], result.DroppedFields.Order(StringComparer.Ordinal));
        var stored = Stored(result);
        Assert.DoesNotContain("a@b.c", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("wife", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("6789", stored, StringComparison.Ordinal);
        Assert.Null(result.Event.Rating);
    }

    [Fact]
    public void LongDroppedFieldNames_AreCutInTheReport()
    {
        var name = new string('n', 500);

        var result = Validate(With("view", name, "1"));

        Assert.Equal(FieldReader.MaxReportedNameLength + 1, Assert.Single(result.DroppedFields).Length);
    }

    [Fact]
    public void SearchQuery_IsTheOnlyFreeTextKept()
    {
        var node = Node("search");
        node["comment"] = "looking for my daughter's birthday";

        var result = Validate(node.ToJsonString());

        Assert.Equal("red running shoes", result.Event!.Query);
        Assert.Equal(["comment"], result.DroppedFields);
    }
}
