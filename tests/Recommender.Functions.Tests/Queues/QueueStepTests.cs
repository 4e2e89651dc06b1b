using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Recommender.Domain.Messaging;
using Recommender.Domain.Privacy;
using Recommender.Domain.Segments;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Training;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

/// <summary>
/// Issue 16 item 2: a workflow (and each service that reads a queue: erasure, cache refresh, training, delivery) declares
/// its own queue step (<see cref="IQueueStep{TMessage}"/>), found in the domain assembly with no line elsewhere, and the app refuses to start when the handlers and <c>queues.json</c> disagree —
/// checked on the handlers' descriptors, without constructing any step.
/// </summary>
public sealed class QueueStepTests
{
    [Fact]
    public void TheWorkflowsAndQueueServicesOfTheDomain_AreFoundAsQueueSteps()
    {
        var steps = QueueHandlers.QueueSteps(typeof(QueueHandlers).Assembly).Select(step => step.Step);

        Assert.Equal(
            new[] { typeof(CartAbandonmentWorkflow), typeof(BrowseAbandonmentWorkflow), typeof(PostPurchaseWorkflow), typeof(ReplenishmentWorkflow),
                typeof(CatalogAlertsWorkflow), typeof(SegmentationWorkflow), typeof(TrainingWorkflow), typeof(DeliveryService), typeof(ErasureService),
                typeof(RetrainingService) }.Select(type => type.FullName).Order(StringComparer.Ordinal),
            steps.Select(type => type.FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task App_DescribesOneHandlerPerRegistryQueue_EachStepOnItsDeclaredQueue()
    {
        await using var app = new TestApp();

        var descriptors = app.Get<IEnumerable<QueueHandlerDescriptor>>().ToList();

        Assert.Equal(QueueRegistry.Names.Order(StringComparer.Ordinal), descriptors.Select(descriptor => descriptor.Queue).Order(StringComparer.Ordinal));
        Assert.Equal(CartAbandonmentWorkflow.Queue, Assert.Single(descriptors, d => d.Service == typeof(CartAbandonmentWorkflow)).Queue);
        Assert.Equal(SegmentationWorkflow.Queue, Assert.Single(descriptors, d => d.Service == typeof(SegmentationWorkflow)).Queue);
        Assert.Equal(TrainingWorkflow.Queue, Assert.Single(descriptors, d => d.Service == typeof(TrainingWorkflow)).Queue);
    }

    [Fact]
    public async Task PostPurchaseStep_RefusesATimerWithoutItsOrder_AsTheExplicitHandlerDid()
    {
        await using var app = new TestApp();
        var handler = app.Get<IEnumerable<IQueueHandler>>().Single(h => h.Queue == PostPurchaseWorkflow.Queue);

        var error = await Assert.ThrowsAsync<MalformedQueueMessageException>(() =>
            handler.HandleAsync("""{"customerId":"c1","orderId":"","generation":1}""", CancellationToken.None));

        Assert.Equal("message is not a complete PostPurchaseTimerMessage", error.Message);
    }

    /// <summary>The services that had an explicit handler line keep its completeness check, now in their own step.</summary>
    [Theory]
    [InlineData("training", """{"runId":""}""", "TrainingMessage")]
    [InlineData("message-delivery", """{"customerId":"c1","messageId":"m1","generation":-1}""", "DeliveryMessage")]
    [InlineData("erasure-tasks", """{"requestId":"r1","target":99}""", "ErasureTaskMessage")]
    [InlineData("recommendation-refresh", """{"shard":"shard-01","modelVersion":""}""", "RefreshMessage")]
    public async Task ServiceSteps_RefuseIncompleteMessages_AsTheirExplicitHandlersDid(string queue, string body, string messageType)
    {
        await using var app = new TestApp();
        var handler = app.Get<IEnumerable<IQueueHandler>>().Single(h => h.Queue == queue);

        var error = await Assert.ThrowsAsync<MalformedQueueMessageException>(() => handler.HandleAsync(body, CancellationToken.None));

        Assert.Equal($"message is not a complete {messageType}", error.Message);
    }

    [Fact]
    public async Task Host_Starts_WithTheDomainHandlers_WithoutConstructingAnyStep()
    {
        // None of the steps' own dependencies is registered: constructing one would throw, checking its descriptor does not.
        using var host = HostWith(services => services.AddQueueHandlers());

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task Host_RefusesToStart_WhenAHandlerReadsAQueueTheRegistryDoesNotDeclare()
    {
        using var host = HostWith(services => services.AddQueueHandlers()
            .AddQueueHandler<string, TrainingMessage>("no-such-queue", (_, _, _) => Task.CompletedTask, _ => true));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("a handler reads queue 'no-such-queue', which queues.json does not declare", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_RefusesToStart_WhenARegistryQueueHasNoHandler_OrTwo()
    {
        using var host = HostWith(services =>
        {
            foreach (var name in QueueRegistry.Names.Where(name => name != ReplenishmentWorkflow.Queue).Append(DeliveryService.Queue))
            {
                services.AddSingleton(new QueueHandlerDescriptor(name, typeof(string), typeof(TrainingMessage)));
            }

            services.AddQueueHandlerCheck();
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"queue '{ReplenishmentWorkflow.Queue}' has no handler", error.Message, StringComparison.Ordinal);
        Assert.Contains($"queue '{DeliveryService.Queue}' has 2 handlers", error.Message, StringComparison.Ordinal);
    }

    private static IHost HostWith(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        configure(builder.Services);
        return builder.Build();
    }
}
