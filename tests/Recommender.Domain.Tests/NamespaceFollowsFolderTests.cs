using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Recommender.Domain.Tests;

/// <summary>
/// Issue 16: in the domain project every file's namespace is its folder (<c>Ports/Telemetry</c> is
/// <c>Recommender.Domain.Ports.Telemetry</c>, the root is <c>Recommender.Domain</c>), so a file is found where its
/// namespace says and a moved file shows up here, not as a surprise to the next reader.
/// </summary>
public sealed partial class NamespaceFollowsFolderTests
{
    [Fact]
    public void EveryDomainFile_IsInTheNamespaceOfItsFolder()
    {
        var root = Path.GetFullPath(Path.Combine(SourceFolder(), "..", "..", "functions", "Recommender.Domain"));
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(file => Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar)[0] is not ("bin" or "obj"))
            .ToList();

        var mismatches = files
            .Select(file => (File: Path.GetRelativePath(root, file), Expected: Expected(root, file), Actual: NamespaceLine().Match(File.ReadAllText(file)).Groups[1].Value))
            .Where(f => f.Actual != f.Expected)
            .Select(f => $"{f.File}: namespace {f.Actual}, folder {f.Expected}")
            .ToList();

        Assert.True(files.Count > 100, $"found only {files.Count} files under {root}");
        Assert.True(mismatches.Count == 0, "Files whose namespace is not their folder:\n" + string.Join("\n", mismatches));
    }

    private static string Expected(string root, string file)
    {
        var folder = Path.GetRelativePath(root, Path.GetDirectoryName(file)!);
        return folder == "." ? "Recommender.Domain" : "Recommender.Domain." + folder.Replace(Path.DirectorySeparatorChar, '.');
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    private static string SourceFolder([CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;
}
