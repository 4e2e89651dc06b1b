using System.Reflection;
using System.Text;
using System.Text.Json;
using Recommender.Domain.Messaging;
using Recommender.Domain.Segments;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Training;
using Recommender.Domain.Workflows;
using Recommender.Functions.Messaging;

namespace Recommender.Functions.Tests;

/// <summary>
/// Issue 16 item 2: the work queues are declared once (<c>Ports/Storage/queues.json</c>, <see cref="QueueRegistry"/>).
/// The names code sends to (each step's own), the handlers the dispatcher is built from, the sealed timer queues and the
/// invocation routes the host calls are all that list; the dispatcher refuses a handler set that is not.
/// (The Bicep list and the function.json files are held to the same file by the infrastructure tests.)
/// </summary>
public sealed class QueueRegistryTests
{
    /// <summary>
    /// The names code sends to are the steps' own (<see cref="IQueueStep{TMessage}.Queue"/>): exactly the registry's, one
    /// step each, and no second list of constants to keep equal to it.
    /// </summary>
    [Fact]
    public void QueueSteps_DeclareExactlyTheRegistryNames_AndNoConstantListRepeatsThem()
    {
        var declared = QueueHandlers.QueueSteps(typeof(QueueHandlers).Assembly)
            .Select(step => (string)QueueOfMethod.MakeGenericMethod(step.Step, step.Message).Invoke(null, null)!);
        var constants = typeof(Queues).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string));

        Assert.Equal(QueueRegistry.Names.Order(StringComparer.Ordinal), declared.Order(StringComparer.Ordinal));
        Assert.Empty(constants);
        Assert.Equal(QueueRegistry.Names, Queues.All);
    }

    private static readonly MethodInfo QueueOfMethod = typeof(QueueRegistryTests).GetMethod(nameof(QueueOf), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static string QueueOf<TStep, TMessage>() where TStep : IQueueStep<TMessage> => TStep.Queue;

    [Fact]
    public void SealedQueues_AreTheQueuesOfCustomerTimers()
    {
        var sealedQueues = QueueRegistry.All.Where(queue => queue.Sealed).Select(queue => queue.Name);

        Assert.Equal(
            new[] { CartAbandonmentWorkflow.Queue, BrowseAbandonmentWorkflow.Queue, PostPurchaseWorkflow.Queue, ReplenishmentWorkflow.Queue, DeliveryService.Queue }.Order(StringComparer.Ordinal),
            sealedQueues.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task App_RegistersOneHandlerPerRegistryQueue_AndBuildsItsDispatcherFromThem()
    {
        await using var app = new TestApp();

        var handlers = app.Get<IEnumerable<IQueueHandler>>().ToList();

        Assert.Equal(QueueRegistry.Names.Order(StringComparer.Ordinal), handlers.Select(handler => handler.Queue).Order(StringComparer.Ordinal));
        Assert.All(handlers, handler => Assert.EndsWith("Message", handler.MessageType, StringComparison.Ordinal));
        Assert.NotNull(app.Get<QueueDispatcher>());
    }

    [Fact]
    public void Dispatcher_RefusesHandlers_WhenARegistryQueueHasNone()
    {
        var handlers = QueueRegistry.Names.Where(name => name != TrainingWorkflow.Queue).Select(Handler);

        var error = Assert.Throws<InvalidOperationException>(() => QueueDispatcher.HandlersByQueue(handlers));

        Assert.Contains($"queue '{TrainingWorkflow.Queue}' has no handler", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispatcher_RefusesAHandler_ForAQueueTheRegistryDoesNotDeclare()
    {
        var handlers = QueueRegistry.Names.Append("no-such-queue").Select(Handler);

        var error = Assert.Throws<InvalidOperationException>(() => QueueDispatcher.HandlersByQueue(handlers));

        Assert.Contains("a handler reads queue 'no-such-queue', which queues.json does not declare", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispatcher_RefusesTwoHandlers_ForOneQueue()
    {
        var handlers = QueueRegistry.Names.Append(SegmentationWorkflow.Queue).Select(Handler);

        var error = Assert.Throws<InvalidOperationException>(() => QueueDispatcher.HandlersByQueue(handlers));

        Assert.Contains($"queue '{SegmentationWorkflow.Queue}' has 2 handlers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispatcher_AcceptsExactlyOneHandlerPerRegistryQueue()
    {
        var byQueue = QueueDispatcher.HandlersByQueue(QueueRegistry.Names.Select(Handler));

        Assert.Equal(QueueRegistry.Names.Order(StringComparer.Ordinal), byQueue.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>The host invokes <c>POST /{function}</c> for each queue trigger; each routes to its own queue.</summary>
    [Fact]
    public async Task EveryRegistryFunction_IsAnInvocationRouteForItsQueue()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();

        foreach (var queue in QueueRegistry.All)
        {
            var payload = JsonSerializer.Serialize(new { Data = new { msg = "{}" }, Metadata = new { Id = "registry-test" } });
            using var response = await client.PostAsync($"/{queue.Function}", new StringContent(payload, Encoding.UTF8, "application/json"));

            response.EnsureSuccessStatusCode();
            var logs = (await TestApp.ReadJsonAsync(response)).GetProperty("Logs");
            Assert.StartsWith($"{queue.Name}: ", logs[0].GetString(), StringComparison.Ordinal);
        }
    }

    private static QueueHandler<TrainingMessage> Handler(string queue) => new(queue, _ => true, (_, _) => Task.CompletedTask);
}
