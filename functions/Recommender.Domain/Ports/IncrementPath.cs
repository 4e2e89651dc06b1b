namespace Recommender.Domain.Ports;

/// <summary>
/// One validated path of <see cref="Recommender.Domain.Ports.IDocumentStore.IncrementAsync"/>:
/// <c>name</c> or <c>parent.name</c>, split at the first '.', so <see cref="Name"/> may contain '.'
/// (product ids do) while <see cref="Parent"/> never does. Names are 1-128 ASCII letters, digits and
/// <c>_ - . : @</c>: none of them needs escaping in a JSON Pointer ('~', '/') or in a quoted SQLite
/// JSON path label ('"'), so adapters use them verbatim. Part of the port's contract: every adapter
/// parses increments with it, and the document store contract tests hold them all to it.
/// </summary>
public readonly record struct IncrementPath(string? Parent, string Name, double Value)
{
    public const int MaxNameLength = 128;

    /// <summary>Largest magnitude up to which every integer is exact in a double (2^53).</summary>
    private const double MaxExactInteger = 9_007_199_254_740_992d;

    /// <summary>True when <see cref="Value"/> is a whole number stored exactly: send it as an integer so integers stay integers.</summary>
    public bool IsIntegral => double.IsInteger(Value) && Math.Abs(Value) <= MaxExactInteger;

    /// <summary>The path as the caller wrote it.</summary>
    public override string ToString() => Parent is null ? Name : $"{Parent}.{Name}";

    public static List<IncrementPath> Parse(IReadOnlyDictionary<string, double> increments)
    {
        ArgumentNullException.ThrowIfNull(increments);
        if (increments.Count == 0)
        {
            throw new ArgumentException("At least one path to increment is required.", nameof(increments));
        }

        var paths = new List<IncrementPath>(increments.Count);
        foreach (var (path, value) in increments)
        {
            if (!double.IsFinite(value))
            {
                throw new ArgumentException($"The increment of '{path}' is not a finite number.", nameof(increments));
            }

            var dot = path.IndexOf('.', StringComparison.Ordinal);
            var parent = dot < 0 ? null : path[..dot];
            var name = dot < 0 ? path : path[(dot + 1)..];
            if (!IsName(name) || (parent is not null && !IsName(parent)))
            {
                throw new ArgumentException(
                    $"'{path}' is not a counter path: 'name' or 'parent.name', names of 1-{MaxNameLength} ASCII letters, digits or _ - . : @ (the parent without '.').",
                    nameof(increments));
            }

            paths.Add(new IncrementPath(parent, name, value));
        }

        return paths;
    }

    private static bool IsName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':' or '@');
}
