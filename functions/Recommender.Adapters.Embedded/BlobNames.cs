namespace Recommender.Adapters.Embedded;

/// <summary>
/// Maps blob names onto paths under a root directory and refuses every name that could
/// escape it or be ambiguous: empty names or segments, backslashes, <c>..</c>, <c>.</c>
/// segments, rooted paths and the store's reserved staging folder.
/// </summary>
internal static class BlobNames
{
    public const string StagingFolder = ".staging";

    public static string ToPath(string root, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new ArgumentException("A blob name must not be empty.", nameof(name));
        }

        RejectUnsafe(name, nameof(name));
        var segments = name.Split('/');
        if (segments.Any(static s => s.Length == 0 || s == "."))
        {
            throw new ArgumentException($"Blob name '{name}' has an empty or '.' segment.", nameof(name));
        }

        if (segments[0] == StagingFolder)
        {
            throw new ArgumentException($"Blob names must not start with the reserved folder '{StagingFolder}/'.", nameof(name));
        }

        var path = Path.GetFullPath(Path.Combine([root, .. segments]));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Blob name '{name}' resolves outside the store.", nameof(name));
        }

        return path;
    }

    /// <summary>Checks a listing prefix: may be empty or end in '/', but must not escape the root.</summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        RejectUnsafe(prefix, nameof(prefix));
    }

    public static string FromPath(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    private static void RejectUnsafe(string value, string parameterName)
    {
        if (value.Contains('\\', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{value}' must not contain backslashes or NUL characters.", parameterName);
        }

        if (value.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{value}' must not contain '..'.", parameterName);
        }

        if (value.StartsWith('/') || Path.IsPathRooted(value))
        {
            throw new ArgumentException($"'{value}' must be relative.", parameterName);
        }
    }
}
