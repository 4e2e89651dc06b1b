using System.Text.Json.Nodes;

namespace Recommender.Infrastructure.Tests;

/// <summary>One queue of <c>queues.json</c>.</summary>
internal sealed record RegisteredQueue(string Name, string Function, bool Sealed);

/// <summary>
/// The queue registry as the repository holds it (<see cref="Repository.QueueRegistry"/>), and the
/// <c>function.json</c> each of its queues gets: a queue trigger named <c>msg</c> (the binding the
/// handler's invocation endpoint reads) on the registry's connection.
/// </summary>
internal static class QueueRegistryFile
{
    /// <summary>The name of the trigger binding; the handler reads <c>Data.msg</c> (InvocationEndpoints.QueueStepAsync).</summary>
    public const string BindingName = "msg";

    private static readonly Lazy<JsonObject> Root = new(() => JsonNode.Parse(File.ReadAllText(Repository.QueueRegistry))!.AsObject());

    public static string Connection => (string)Root.Value["connection"]!;

    public static IReadOnlyList<RegisteredQueue> Queues => Root.Value["queues"]!.AsArray()
        .Select(queue => new RegisteredQueue((string)queue!["name"]!, (string)queue["function"]!, (bool)queue["sealed"]!))
        .ToList();

    /// <summary>The <c>function.json</c> of <paramref name="queue"/>'s function, as checked in (two-space indent, LF, final newline).</summary>
    public static string FunctionJson(RegisteredQueue queue) => $$"""
        {
          "bindings": [
            {
              "type": "queueTrigger",
              "direction": "in",
              "name": "{{BindingName}}",
              "queueName": "{{queue.Name}}",
              "connection": "{{Connection}}"
            }
          ]
        }

        """.ReplaceLineEndings("\n");
}
