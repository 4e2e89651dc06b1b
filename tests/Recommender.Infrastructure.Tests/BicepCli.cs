using System.Diagnostics;
using System.Reflection;

namespace Recommender.Infrastructure.Tests;

/// <summary>What one run of the bicep CLI produced.</summary>
internal sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs the bicep CLI shipped by the <c>Azure.Bicep.CommandLine.linux-x64</c> package; its path is
/// stamped into this assembly at build time (see the project file).
/// </summary>
internal static class BicepCli
{
    private const string PathMetadataKey = "BicepExecutablePath";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly Lazy<string> Executable = new(LocateExecutable);

    /// <summary>Runs <c>bicep</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static async Task<BicepResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(Executable.Value)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {startInfo.FileName}.");
        using var timeout = new CancellationTokenSource(Timeout);
        var standardOutput = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var standardError = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new BicepResult(process.ExitCode, await standardOutput, await standardError);
    }

    private static string LocateExecutable()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            throw new PlatformNotSupportedException(
                "The infrastructure tests run the linux-x64 bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package; run them on Linux x64.");
        }

        var path = typeof(BicepCli).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == PathMetadataKey)?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The bicep CLI was not found at '{path}'. Restore the Azure.Bicep.CommandLine.linux-x64 package (dotnet restore).", path);
        }

        // NuGet does not always keep the executable bit when it extracts a package.
        const UnixFileMode Execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | Execute);
        }

        return path;
    }
}
