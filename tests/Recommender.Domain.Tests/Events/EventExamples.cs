using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Recommender.Domain.Events;

namespace Recommender.Domain.Tests.Events;

/// <summary>One valid example per event type (the README's examples), and ways to spoil them.</summary>
internal static class EventExamples
{
    public static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    public const string At = "2026-05-01T11:00:00Z";

    public static EventValidator CreateSut() => new(new FakeTimeProvider(Now));

    private const string Customer = """ "customerId":"c1", """;

    /// <summary>Type → the fields after the envelope (the envelope's subject included).</summary>
    private static readonly Dictionary<string, string> Fields = new(StringComparer.Ordinal)
    {
        ["session_start"] = Customer + """ "sessionId":"s-1","referrer":"https://www.example.com/deals?email=a@b.c","utm_source":"newsletter","utm_medium":"email","utm_campaign":"spring-sale" """,
        ["page_view"] = Customer + """ "pageType":"category","category":"shoes" """,
        ["view"] = Customer + """ "productId":"SHO-001","price":59.9,"currency":"EUR","category":"shoes","brand":"Acme" """,
        ["search"] = Customer + """ "query":"red running shoes","filters":{"size":"42","colour":["red","blue"]},"resultIds":["SHO-001","SHO-002"],"resultCount":37 """,
        ["filter"] = Customer + """ "name":"colour","value":"red","category":"shoes" """,
        ["add_to_cart"] = Customer + """ "productId":"SHO-001","quantity":2,"price":59.9 """,
        ["remove_from_cart"] = Customer + """ "productId":"SHO-001","quantity":1 """,
        ["wishlist_add"] = Customer + """ "productId":"SHO-001" """,
        ["wishlist_remove"] = Customer + """ "productId":"SHO-001" """,
        ["compare"] = Customer + """ "productIds":["SHO-001","SHO-002","SHO-003"] """,
        ["review_read"] = Customer + """ "productId":"SHO-001" """,
        ["not_interested"] = Customer + """ "productId":"SHO-001" """,
        ["review_write"] = Customer + """ "productId":"SHO-001","rating":4 """,
        ["video_view"] = Customer + """ "productId":"SHO-001","seconds":42 """,
        ["image_zoom"] = Customer + """ "productId":"SHO-001","imageIndex":2 """,
        ["scroll_depth"] = Customer + """ "percent":75,"pageType":"product" """,
        ["checkout_start"] = Customer + """ "cartValue":119.8,"currency":"EUR" """,
        ["purchase"] = Customer + """ "orderId":"o-1","lines":[{"productId":"SHO-001","quantity":2,"price":59.9}],"subtotal":119.8,"tax":20,"shipping":4.9,"discount":10,"total":134.7,"currency":"EUR" """,
        ["return"] = Customer + """ "orderId":"o-1","lines":[{"productId":"SHO-001","quantity":1}],"reason":"wrong_item","refundAmount":59.9,"currency":"EUR" """,
        ["email_open"] = Customer + """ "messageId":"m-1","campaignId":"spring" """,
        ["email_click"] = Customer + """ "messageId":"m-1","campaignId":"spring","productId":"SHO-001" """,
        ["push_open"] = Customer + """ "messageId":"m-2" """,
        ["push_click"] = Customer + """ "messageId":"m-2","productId":"SHO-001" """,
        ["recommendation_impression"] = Customer + """ "recommendationId":"r-1","placement":"home","position":0,"variant":"B","productIds":["SHO-001","SHO-002"] """,
        ["recommendation_click"] = Customer + """ "recommendationId":"r-1","placement":"home","position":1,"productId":"SHO-002" """,
        ["catalog_change"] = """ "source":"pim","productId":"SHO-001","change":"price","price":49.9,"previousPrice":59.9,"inStock":true,"name":"Trail Runner 2","category":"shoes","brand":"Acme","attributes":{"size":"42","colour":"red"} """,
        ["consent"] = Customer + """ "channel":"email","granted":true,"policyVersion":"2026-01","source":"signup_form" """,
        ["identify"] = Customer + """ "anonymousId":"cookie-7f3a" """,
        ["account"] = Customer + """ "birthYear":1990,"ageVerifiedAdult":true,"timeZone":"Europe/Paris" """,
        ["delivery"] = Customer + """ "orderId":"o-1","productIds":["SHO-001","SHO-002"] """,
    };

    public static IEnumerable<string> Types => Fields.Keys;

    public static TheoryData<string> AllTypes => [.. Fields.Keys];

    /// <summary>The valid example of <paramref name="type"/> as JSON text.</summary>
    public static string Json(string type) =>
        $$"""{"id":"e1","type":"{{type}}","occurredAt":"{{At}}",{{Fields[type].Trim()}}}""";

    public static JsonObject Node(string type) => JsonNode.Parse(Json(type))!.AsObject();

    /// <summary>The example with one field set (raw JSON value) or, with a null value, removed.</summary>
    public static string With(string type, string field, string? rawJson)
    {
        var node = Node(type);
        node.Remove(field);
        if (rawJson is not null)
        {
            node[field] = JsonNode.Parse(rawJson);
        }

        return node.ToJsonString();
    }

    public static EventValidation Validate(string json) => CreateSut().Validate(json);

    public static ClickstreamEvent Valid(string json)
    {
        var result = Validate(json);
        Assert.True(result.IsValid, result.Error);
        return result.Event;
    }
}
