namespace Recommender.Functions.PackageTests;

/// <summary>The function folders of the project, known before the package is published (theory data).</summary>
public static class FunctionNames
{
    public static IReadOnlyList<string> InProject { get; } =
        Directory.EnumerateDirectories(Path.Combine(Repository.FunctionsProject, "FunctionApp"))
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> All() => new(InProject);
}
