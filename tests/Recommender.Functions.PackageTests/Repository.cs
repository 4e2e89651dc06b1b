namespace Recommender.Functions.PackageTests;

/// <summary>Paths in the repository, found by walking up from the test binaries to <c>Recommender.sln</c>.</summary>
internal static class Repository
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The repository root (the directory holding <c>Recommender.sln</c>).</summary>
    public static string Root => RootPath.Value;

    /// <summary>The function app project's folder.</summary>
    public static string FunctionsProject => Path.Combine(Root, "functions", "Recommender.Functions");

    /// <summary>The checked-in template of the app settings (<c>Values</c>) a local Functions host needs.</summary>
    public static string LocalSettingsSample => Path.Combine(Root, "local.settings.sample.json");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Recommender.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No parent of '{AppContext.BaseDirectory}' contains Recommender.sln.");
    }
}
