using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Recommender.Functions.PackageTests;

/// <summary>
/// The function app package as it is deployed: <c>dotnet publish -c Release -r linux-x64 --self-contained</c>
/// of the function project, run once for every test of <see cref="PublishedPackageCollection"/>.
/// Build outputs go to a private artifacts folder under the temp directory, so the publish never
/// touches (nor races with) the <c>bin</c>/<c>obj</c> folders of builds running in the working tree.
/// </summary>
public sealed class PublishedPackage : IAsyncLifetime
{
    public const string RuntimeIdentifier = "linux-x64";
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(20);

    private readonly TempDirectory _output = new("publish");

    /// <summary>The published folder: the root of the function app package.</summary>
    public string Root => _output.Path;

    public JsonElement HostJson { get; private set; }

    /// <summary>Every top-level folder of the package that holds a <c>function.json</c>, by function name.</summary>
    public IReadOnlyDictionary<string, FunctionDefinition> Functions { get; private set; } = new Dictionary<string, FunctionDefinition>();

    public async Task InitializeAsync()
    {
        await PublishAsync().ConfigureAwait(false);
        HostJson = ReadJson(Path.Combine(Root, "host.json"));
        Functions = Directory.EnumerateDirectories(Root)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(d => FunctionDefinition.Load(Path.GetFileName(d), Path.Combine(d, "function.json")))
            .ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    public Task DisposeAsync()
    {
        _output.Dispose();
        return Task.CompletedTask;
    }

    public static JsonElement ReadJson(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.Clone();
    }

    private async Task PublishAsync()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "publish", Repository.FunctionsProject, "-c", "Release", "-r", RuntimeIdentifier, "--self-contained",
            "-o", Root, "--artifacts-path", ArtifactsPath(), "--disable-build-servers", "-nologo",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // Under `dotnet test` the MSBuild that launched the test host leaks its own settings.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish did not finish within {PublishTimeout}:\n{Text(output)}");
        }

        process.WaitForExit(); // flushes the redirected output
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed with exit code {process.ExitCode}:\n{Text(output)}");
        }
    }

    /// <summary>Stable per working tree, so a second run builds incrementally.</summary>
    private static string ArtifactsPath()
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Repository.Root)))[..12];
        return Path.Combine(Path.GetTempPath(), "recommender-package-tests", $"artifacts-{key}");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}

/// <summary>The tests that share one published package.</summary>
[CollectionDefinition(Name)]
public sealed class PublishedPackageCollection : ICollectionFixture<PublishedPackage>
{
    public const string Name = "Published package";
}
