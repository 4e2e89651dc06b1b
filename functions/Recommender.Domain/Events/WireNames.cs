using System.Text.Json;

namespace Recommender.Domain.Events;

/// <summary>
/// The snake_case wire names of an enum's members: the same policy <see cref="Json.Options"/> writes
/// enums with, so what the validator reads is exactly what the system writes.
/// </summary>
internal static class WireNames<T>
    where T : struct, Enum
{
    private static readonly Dictionary<string, T> ByName = Enum.GetValues<T>()
        .ToDictionary(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()), StringComparer.Ordinal);

    /// <summary>Every wire name, comma-separated, for error messages.</summary>
    public static readonly string All = string.Join(", ", ByName.Keys);

    public static bool TryParse(string name, out T value) => ByName.TryGetValue(name, out value);
}
