using System.Collections.Frozen;
using System.Text.Json;

namespace Recommender.Domain.Ports.Storage;

/// <summary>One work queue of the registry: its name, the queue-triggered function that reads it, and how its messages are carried.</summary>
/// <param name="Name">The queue's name (Storage queue, embedded queue table).</param>
/// <param name="Function">The queue-triggered function of the app (<c>FunctionApp/{Function}/function.json</c>, invocation route <c>/{Function}</c>).</param>
/// <param name="Sealed">Its messages are workflow timers sealed for their customer (<see cref="Privacy.TimerSeal"/>).</param>
/// <param name="Description">What the queue carries.</param>
public sealed record QueueDefinition(string Name, string Function, bool Sealed, string Description);

/// <summary>
/// The work queues, declared once in <c>Ports/Storage/queues.json</c>: embedded in this assembly and read here,
/// loaded by <c>infra/modules/storage.bicep</c> (<c>loadJsonContent</c>) to create the queues, and the
/// source each queue-triggered <c>function.json</c> is regenerated from and compared with by a test.
/// Each queue has one <see cref="IQueueHandler"/> registered in DI (the dispatcher refuses to start otherwise).
/// </summary>
public static class QueueRegistry
{
    /// <summary>The manifest resource name of <c>queues.json</c> in this assembly.</summary>
    public const string ResourceName = "Recommender.Domain.Ports.Storage.queues.json";

    private sealed record Document(string Connection, IReadOnlyList<QueueDefinition> Queues);

    private static readonly Document Registry = Load();

    /// <summary>The queues, in the file's order (the order the local queue pump polls them).</summary>
    public static IReadOnlyList<QueueDefinition> All { get; } = Registry.Queues;

    /// <summary>The queue names, in the file's order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Registry.Queues.Select(queue => queue.Name)];

    /// <summary>The connection (app-setting prefix) every queue trigger uses: <c>{Connection}__queueServiceUri</c>.</summary>
    public static string Connection => Registry.Connection;

    private static readonly FrozenDictionary<string, QueueDefinition> ByName = Registry.Queues.ToFrozenDictionary(queue => queue.Name, StringComparer.Ordinal);

    /// <summary>The queue named <paramref name="name"/>, or <c>null</c> when the registry has none.</summary>
    public static QueueDefinition? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Whether the registry declares a queue named <paramref name="name"/>.</summary>
    public static bool Contains(string name) => ByName.ContainsKey(name);

    /// <summary>
    /// How handlers reading <paramref name="handlerQueues"/> (one entry per handler) disagree with the registry: a queue
    /// the registry does not declare, a queue with more than one handler, a queue of the registry with none. Empty when they agree.
    /// </summary>
    public static IReadOnlyList<string> Mismatches(IEnumerable<string> handlerQueues)
    {
        ArgumentNullException.ThrowIfNull(handlerQueues);
        var byQueue = handlerQueues.GroupBy(queue => queue, StringComparer.Ordinal).ToList();
        return [.. byQueue.Where(group => !Contains(group.Key)).Select(group => $"a handler reads queue '{group.Key}', which queues.json does not declare")
            .Concat(byQueue.Where(group => group.Count() > 1).Select(group => $"queue '{group.Key}' has {group.Count()} handlers"))
            .Concat(Names.Where(name => !byQueue.Any(group => group.Key == name)).Select(name => $"queue '{name}' has no handler"))];
    }

    private static Document Load()
    {
        using var stream = typeof(QueueRegistry).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The assembly does not embed {ResourceName}.");
        var document = JsonSerializer.Deserialize<Document>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web) { RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true })
            ?? throw new InvalidOperationException($"{ResourceName} is empty.");
        var duplicate = document.Queues.GroupBy(queue => queue.Name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1)
            ?? document.Queues.GroupBy(queue => queue.Function, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        return duplicate is null ? document : throw new InvalidOperationException($"{ResourceName} names '{duplicate.Key}' twice.");
    }
}
