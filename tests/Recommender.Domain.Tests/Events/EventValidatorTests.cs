using Microsoft.Extensions.Time.Testing;
using Recommender.Domain.Events;

namespace Recommender.Domain.Tests.Events;

public class EventValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static EventValidator CreateSut() => new(new FakeTimeProvider(Now));

    private static string View(string extra = "", string id = "e1", string at = "2026-05-01T11:00:00Z") =>
        $$"""{"id":"{{id}}","type":"view","customerId":"c1","productId":"p1","occurredAt":"{{at}}"{{extra}}}""";

    [Fact]
    public void Validate_WellFormedView_ReturnsEvent()
    {
        var result = CreateSut().Validate(View(""","price":19.99,"category":"shoes" """));

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(EventType.View, result.Event!.Type);
        Assert.Equal("p1", result.Event.ProductId);
        Assert.Equal(19.99m, result.Event.Price);
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 11, 0, 0, TimeSpan.Zero), result.Event.OccurredAt);
    }

    [Fact]
    public void Validate_FieldsOutsideTheSchema_AreDropped()
    {
        var result = CreateSut().Validate(View(""","email":"a@b.c","ip":"10.1.2.3" """));

        Assert.True(result.IsValid);
        var json = System.Text.Json.JsonSerializer.Serialize(result.Event, Json.Options);
        Assert.DoesNotContain("a@b.c", json, StringComparison.Ordinal);
        Assert.DoesNotContain("10.1.2.3", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"id\":\"e1\",\"type\":\"vi", "malformed JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("{\"type\":\"view\"}", "id is required")]
    [InlineData("{\"id\":\"e1\",\"type\":\"teleport\",\"customerId\":\"c1\",\"occurredAt\":\"2026-05-01T11:00:00Z\"}", "unknown event type")]
    [InlineData("{\"id\":\"e1\",\"type\":\"view\",\"customerId\":42,\"occurredAt\":\"2026-05-01T11:00:00Z\",\"productId\":\"p\"}", "customerId must be a string")]
    [InlineData("{\"id\":\"e/1\",\"type\":\"view\",\"customerId\":\"c1\",\"occurredAt\":\"2026-05-01T11:00:00Z\",\"productId\":\"p\"}", "id may contain only")]
    [InlineData("{\"id\":\"e1\",\"type\":\"view\",\"customerId\":\"c1\",\"occurredAt\":\"yesterday\",\"productId\":\"p\"}", "ISO 8601")]
    [InlineData("{\"id\":\"e1\",\"type\":\"view\",\"customerId\":\"c1\",\"occurredAt\":\"2026-05-01T11:00:00Z\"}", "productId is required")]
    [InlineData("{\"id\":\"e1\",\"type\":\"add_to_cart\",\"customerId\":\"c1\",\"occurredAt\":\"2026-05-01T11:00:00Z\",\"productId\":\"p\",\"quantity\":0}", "quantity must be")]
    [InlineData("{\"id\":\"e1\",\"type\":\"add_to_cart\",\"customerId\":\"c1\",\"occurredAt\":\"2026-05-01T11:00:00Z\",\"productId\":\"p\",\"quantity\":\"2\"}", "quantity must be")]
    [InlineData("{\"id\":\"e1\",\"type\":\"view\",\"customerId\":\"c1\",\"occurredAt\":\"2026-05-01T11:00:00Z\",\"productId\":\"p\",\"price\":-1}", "price must be")]
    [InlineData("{\"id\":\"e1\",\"type\":\"view\",\"customerId\":\"c1\",\"occurredAt\":\"2026-05-01T11:00:00Z\",\"productId\":\"p\",\"category\":\"a\\u0000b\"}", "control characters")]
    [InlineData("{\"id\":\"e1\",\"type\":\"purchase\",\"customerId\":\"c1\",\"occurredAt\":\"2026-05-01T11:00:00Z\",\"orderId\":\"o1\",\"lines\":[]}", "order lines")]
    [InlineData("{\"id\":\"e1\",\"type\":\"purchase\",\"customerId\":\"c1\",\"occurredAt\":\"2026-05-01T11:00:00Z\",\"orderId\":\"o1\",\"lines\":[{\"productId\":\"p\"}]}", "lines[0]: price is required")]
    [InlineData("{\"id\":\"e1\",\"type\":\"consent\",\"customerId\":\"c1\",\"occurredAt\":\"2026-05-01T11:00:00Z\",\"channel\":\"telepathy\",\"granted\":true,\"policyVersion\":\"v1\",\"source\":\"form\"}", "unknown consent channel")]
    [InlineData("{\"id\":\"e1\",\"type\":\"consent\",\"customerId\":\"c1\",\"occurredAt\":\"2026-05-01T11:00:00Z\",\"channel\":\"email\",\"granted\":\"yes\",\"policyVersion\":\"v1\",\"source\":\"form\"}", "granted must be true or false")]
    public void Validate_BadInput_IsRefusedWithReason(string body, string reason)
    {
        var result = CreateSut().Validate(body);

        Assert.False(result.IsValid);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusalKeepsTheEventIdWhenItCouldBeRead()
    {
        var result = CreateSut().Validate(View(""","price":"free" """, id: "known-id"));

        Assert.False(result.IsValid);
        Assert.Equal("known-id", result.EventId);
    }

    [Fact]
    public void Validate_OversizedEvent_IsRefusedWithoutParsing()
    {
        var body = View($$""","category":"{{new string('x', EventValidator.MaxEventBytes)}}" """);

        var result = CreateSut().Validate(body);

        Assert.Contains("larger than", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DeeplyNestedJson_IsRefused()
    {
        var body = "{\"id\":\"e1\",\"x\":" + new string('[', 100) + new string(']', 100) + "}";

        Assert.Contains("malformed JSON", CreateSut().Validate(body).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-05-01T12:30:00Z", "future")]
    [InlineData("2026-03-01T12:00:00Z", "older than")]
    public void Validate_TimestampOutsideTheWindow_IsRefused(string at, string reason)
    {
        Assert.Contains(reason, CreateSut().Validate(View(at: at)).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TimestampWithoutZone_IsTakenAsUtc()
    {
        var result = CreateSut().Validate(View(at: "2026-05-01T11:00:00"));

        Assert.Equal(TimeSpan.Zero, result.Event!.OccurredAt.Offset);
        Assert.Equal(11, result.Event.OccurredAt.Hour);
    }
}
