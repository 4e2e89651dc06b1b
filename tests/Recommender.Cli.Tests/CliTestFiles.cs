using Recommender.Models.Tests;

namespace Recommender.Cli.Tests;

/// <summary>Temporary input files, deleted with the fixture.</summary>
internal sealed class CliTestFiles : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("recommender-cli-tests-").FullName;

    public string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public string WriteSynthetic(string name = "usage.csv")
    {
        var lines = TestData.Synthetic().Select(i => $"{i.User},{i.Item},{i.At.ToUnixTimeSeconds()}");
        return Write(name, "user,item,timestamp\n" + string.Join('\n', lines) + "\n");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
