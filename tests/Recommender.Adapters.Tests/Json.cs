using System.Text.Json;

namespace Recommender.Adapters.Tests;

internal static class Json
{
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static JsonElement Counter(int count) => JsonSerializer.SerializeToElement(new { count });

    public static int CountOf(JsonElement body) => body.GetProperty("count").GetInt32();

    public static void Equal(JsonElement expected, JsonElement actual) =>
        Assert.True(JsonElement.DeepEquals(expected, actual), $"Expected {expected.GetRawText()} but got {actual.GetRawText()}");
}
