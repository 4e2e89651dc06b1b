using System.Text.Json.Nodes;

namespace Recommender.Infrastructure.Tests;

/// <summary>
/// The work queues are declared once, in <c>functions/Recommender.Domain/Ports/Storage/queues.json</c>: the
/// storage template creates exactly those queues, and every queue-triggered <c>function.json</c> is the
/// one regenerated from its entry — so the Bicep list, the function folders and the app's registry cannot drift.
/// Set <c>RECOMMENDER_WRITE_FUNCTION_JSON=1</c> to (re)write the generated files instead of failing on them.
/// </summary>
[Collection(BicepCollection.Name)]
public sealed class QueueRegistryTests(CompiledTemplate compiled)
{
    private const string WriteVariable = "RECOMMENDER_WRITE_FUNCTION_JSON";

    [Fact]
    public void StorageTemplate_CreatesExactlyTheRegistryQueuesInItsOrder()
    {
        var storage = compiled.Main.Module("Microsoft.Storage/storageAccounts");

        var queues = storage.Template.Resolve(storage.Template.Variable("queueNames"))!.AsArray().Select(queue => (string?)queue);

        Assert.Equal(QueueRegistryFile.Queues.Select(queue => queue.Name), queues);
    }

    [Fact]
    public void StorageTemplate_LoadsTheQueueNamesFromTheRegistryFile()
    {
        var bicep = File.ReadAllText(Path.Combine(Repository.Infra, "modules", "storage.bicep"));

        Assert.Contains("loadJsonContent('../../functions/Recommender.Domain/Ports/Storage/queues.json', '$.queues[*].name')", bicep, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_NamesEachQueueAndFunctionOnce()
    {
        var queues = QueueRegistryFile.Queues;

        Assert.NotEmpty(queues);
        Assert.Equal(queues.Count, queues.Select(queue => queue.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(queues.Count, queues.Select(queue => queue.Function).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        // Storage queue names: 3-63 characters, lowercase letters, digits and single hyphens.
        Assert.All(queues, queue => Assert.Matches("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", queue.Name));
    }

    [Fact]
    public void QueueTriggerFunctionJson_IsTheOneTheRegistryGenerates()
    {
        var write = Environment.GetEnvironmentVariable(WriteVariable) == "1";
        var stale = new List<string>();
        foreach (var queue in QueueRegistryFile.Queues)
        {
            var path = Path.Combine(Repository.FunctionApp, queue.Function, "function.json");
            var expected = QueueRegistryFile.FunctionJson(queue);
            var actual = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : null;
            if (actual == expected)
            {
                continue;
            }

            if (write)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, expected);
            }
            else
            {
                stale.Add($"{Path.GetRelativePath(Repository.Root, path)} ({(actual is null ? "missing" : "differs")}); it should read:\n{expected}");
            }
        }

        Assert.True(stale.Count == 0, $"Queue-triggered function.json files out of step with queues.json (rerun with {WriteVariable}=1 to write them):\n{string.Join("\n", stale)}");
    }

    [Fact]
    public void EveryQueueTriggeredFunction_HasARegistryEntry()
    {
        var registered = QueueRegistryFile.Queues.ToDictionary(queue => queue.Function, queue => queue.Name, StringComparer.Ordinal);

        foreach (var file in Directory.EnumerateFiles(Repository.FunctionApp, "function.json", SearchOption.AllDirectories))
        {
            var function = Path.GetFileName(Path.GetDirectoryName(file))!;
            foreach (var trigger in JsonNode.Parse(File.ReadAllText(file))!["bindings"]!.AsArray().Where(binding => (string?)binding!["type"] == "queueTrigger"))
            {
                Assert.True(registered.TryGetValue(function, out var queue), $"{function} is queue-triggered but queues.json has no entry for it");
                Assert.Equal(queue, (string?)trigger!["queueName"]);
            }
        }
    }

    [Fact]
    public void FunctionApp_ConfiguresTheRegistryConnectionWithTheIdentity()
    {
        var settings = new AppSettingsView(compiled.Main.Module("Microsoft.Web/sites").Template);
        var connection = QueueRegistryFile.Connection;

        Assert.Equal("[parameters('queueEndpoint')]", settings.Common[$"{connection}__queueServiceUri"]);
        Assert.Equal("managedidentity", settings.Common[$"{connection}__credential"]);
    }
}
