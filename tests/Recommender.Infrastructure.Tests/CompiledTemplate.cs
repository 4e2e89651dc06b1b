using System.Text.Json.Nodes;

namespace Recommender.Infrastructure.Tests;

/// <summary>Builds <c>infra/main.bicep</c> once for the whole test collection.</summary>
public sealed class CompiledTemplate : IAsyncLifetime
{
    private ArmTemplate? _main;
    private BicepResult? _build;

    /// <summary>The result of <c>bicep build infra/main.bicep --stdout</c>.</summary>
    internal BicepResult Build => _build ?? throw new InvalidOperationException("The template has not been built yet.");

    /// <summary>The compiled main template.</summary>
    internal ArmTemplate Main => _main ?? throw new InvalidOperationException(
        $"bicep build failed (exit code {Build.ExitCode}): {Build.StandardError}");

    /// <summary>The compiled JSON text, for whole-template searches.</summary>
    internal string Json { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        _build = await BicepCli.RunAsync(Repository.Root, "build", Repository.MainBicep, "--stdout");
        if (_build.ExitCode == 0)
        {
            Json = _build.StandardOutput;
            _main = new ArmTemplate(JsonNode.Parse(Json)!.AsObject());
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class BicepCollection : ICollectionFixture<CompiledTemplate>
{
    public const string Name = "Compiled main.bicep";
}
