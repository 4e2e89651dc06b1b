namespace Recommender.Infrastructure.Tests;

/// <summary>Paths in the repository, found by walking up from the test binaries to <c>infra/main.bicep</c>.</summary>
internal static class Repository
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The repository root (the directory holding <c>infra/main.bicep</c>).</summary>
    public static string Root => RootPath.Value;

    /// <summary>The <c>infra</c> directory.</summary>
    public static string Infra => Path.Combine(Root, "infra");

    /// <summary>The function folders of the app (<c>FunctionApp/{Name}/function.json</c>).</summary>
    public static string FunctionApp => Path.Combine(Root, "functions", "Recommender.Functions", "FunctionApp");

    /// <summary>The queue registry (<c>Recommender.Domain.Ports.Storage.QueueRegistry</c> embeds it, <c>storage.bicep</c> loads it).</summary>
    public static string QueueRegistry => Path.Combine(Root, "functions", "Recommender.Domain", "Ports", "Storage", "queues.json");

    /// <summary>The main Bicep template.</summary>
    public static string MainBicep => Path.Combine(Infra, "main.bicep");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "infra", "main.bicep")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No parent of '{AppContext.BaseDirectory}' contains infra/main.bicep.");
    }
}
