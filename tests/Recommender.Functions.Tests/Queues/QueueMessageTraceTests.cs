using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Recommender.Domain;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;
using Recommender.Domain.Segments;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Training;
using Recommender.Domain.Workflows;
using Recommender.Functions.Messaging;

namespace Recommender.Functions.Tests;

/// <summary>Issue 13, defect 12: a queue message that does nothing says why — a log line, and a dead letter when it never could have done anything.</summary>
public sealed class QueueMessageTraceTests
{
    private static WebApplicationFactory<Program> WithLogs(TestApp app, LogCapture capture) => app.WithWebHostBuilder(builder =>
    {
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" }));
        builder.ConfigureLogging(l => l.AddProvider(capture));
    });

    [Fact]
    public async Task ErasureTask_ForARequestThatDoesNotExist_IsDeadLetteredWithTheReason_AndLogged()
    {
        var capture = new LogCapture();
        await using var app = new TestApp();
        using var logged = WithLogs(app, capture);
        var dispatcher = logged.Services.GetRequiredService<QueueDispatcher>();
        var message = JsonSerializer.Serialize(new ErasureTaskMessage("erasure-nosuchrequest", ErasureTarget.Profile), Json.Options);

        var outcome = await dispatcher.DispatchAsync(ErasureService.Queue, message);

        Assert.Equal(DispatchOutcome.DeadLettered, outcome);
        var letter = Assert.Single(await logged.Services.GetRequiredService<DeadLetters>().ReadAllAsync());
        Assert.Equal($"queue:{ErasureService.Queue}", letter.Source);
        Assert.Contains("erasure-nosuchrequest, which does not exist", letter.Reason, StringComparison.Ordinal);
        Assert.Contains(capture.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("erasure-nosuchrequest, which does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TrainingMessage_ForARunThatDoesNotExist_IsDeadLettered_AndLogged()
    {
        var capture = new LogCapture();
        await using var app = new TestApp();
        using var logged = WithLogs(app, capture);
        var dispatcher = logged.Services.GetRequiredService<QueueDispatcher>();

        var outcome = await dispatcher.DispatchAsync(TrainingWorkflow.Queue, JsonSerializer.Serialize(new TrainingMessage("run-nosuchrun"), Json.Options));

        Assert.Equal(DispatchOutcome.DeadLettered, outcome);
        Assert.Contains(await logged.Services.GetRequiredService<DeadLetters>().ReadAllAsync(), l => l.Reason.Contains("run-nosuchrun, which does not exist", StringComparison.Ordinal));
        Assert.Contains(capture.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("run-nosuchrun", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ErasureTask_RedeliveredAfterItsWorkIsDone_IsLoggedWithWhy_AndNotDeadLettered()
    {
        var capture = new LogCapture();
        await using var app = new TestApp();
        using var logged = WithLogs(app, capture);
        var request = await logged.Services.GetRequiredService<ErasureService>().StartAsync("c1");
        while (await logged.Services.GetRequiredService<LocalQueuePump>().RunOnceAsync() > 0)
        {
        }

        var outcome = await logged.Services.GetRequiredService<QueueDispatcher>().DispatchAsync(ErasureService.Queue,
            JsonSerializer.Serialize(new ErasureTaskMessage(request.RequestId, ErasureTarget.Profile), Json.Options));

        Assert.Equal(DispatchOutcome.Done, outcome);
        Assert.Empty(await logged.Services.GetRequiredService<DeadLetters>().ReadAllAsync());
        Assert.Contains(capture.Lines, l => l.Contains(request.RequestId, StringComparison.Ordinal) && l.Contains("done already; redelivered message ignored", StringComparison.Ordinal));
    }

    /// <summary>The raw customer id the messages below name: no log line may carry it.</summary>
    private const string Customer = "c-private-0042";

    private static string Body(object message) => JsonSerializer.Serialize(message, message.GetType(), Json.Options);

    private static CatalogAlert PriceDrop => new(CatalogAlertKind.PriceDrop, "p-nobody-watches", "chg-1", "chg-1", DateTimeOffset.UtcNow, Price: 5m, PreviousPrice: 10m);

    /// <summary>
    /// One well-formed message per consumer that does nothing, the reason its log line must give (Information),
    /// and whether it is dead-lettered (it could never have done anything).
    /// </summary>
    public static TheoryData<string, string, string, bool> NoOpMessages => new()
    {
        { CartAbandonmentWorkflow.Queue, Body(new CartTimerMessage(Customer, 3, 1)), "Cart abandonment timer of generation 3, stage 1 is stale, nothing to do: no reminder is running", false },
        { BrowseAbandonmentWorkflow.Queue, Body(new BrowseTimerMessage(Customer, 3)), "Browse abandonment timer of generation 3 is stale, nothing to do: no reminder is running", false },
        { PostPurchaseWorkflow.Queue, Body(new PostPurchaseTimerMessage(Customer, "order-private-1", 3)), "Post-purchase timer of generation 3 is stale, nothing to do: no cross-sell is running", false },
        { ReplenishmentWorkflow.Queue, Body(new ReplenishmentTimerMessage(Customer, 3)), "Replenishment timer of generation 3 is stale, nothing to do: no reminder is pending", false },
        { DeliveryService.Queue, Body(new DeliveryMessage(Customer, $"cart-abandonment:{Customer}:3:1", 3)), "Delivery message of generation 3 is stale, nothing to do: no outbox entry", false },
        { CatalogAlertsWorkflow.Queue, Body(new CatalogAlertMessage(CatalogAlertStep.Shard, PriceDrop, Shard: 5)), "alert's Shard message of shard 5 notifies nobody: nobody in the shard watches the product", false },
        { CatalogAlertsWorkflow.Queue, Body(new CatalogAlertMessage(CatalogAlertStep.Page, PriceDrop with { Kind = CatalogAlertKind.FlashSale }, Shard: 2, Customers: [Customer])),
            "alert's Page message of shard 2 notifies nobody: none of the page's 1 customers qualifies", false },
        { CatalogAlertsWorkflow.Queue, Body(new CatalogAlertMessage(CatalogAlertStep.Notify, PriceDrop, CustomerId: Customer, SeenPrice: 10m, Reason: "viewed")),
            "alert was not sent to a customer: customer unknown", false },
        { RetrainingService.Queue, Body(new RefreshMessage("shard-07", "v-1")), "Refresh of shard-07 for model v-1: no customer in the shard, nothing to refresh", false },
        { RetrainingService.Queue, Body(new RefreshMessage("shard-99", "v-1")), "refresh message names shard shard-99, which does not exist", true },
        { SegmentationWorkflow.Queue, Body(new SegmentationMessage("seg-nosuchrun", SegmentationMessage.Score, "shard-03")), "segmentation message names run seg-nosuchrun, which does not exist", true },
        { TrainingWorkflow.Queue, Body(new TrainingMessage("run-nosuchrun")), "training message names run run-nosuchrun, which does not exist", true },
        { ErasureService.Queue, Body(new ErasureTaskMessage("erasure-nosuchrequest", ErasureTarget.Profile)), "erasure-nosuchrequest, which does not exist", true },
    };

    [Theory]
    [MemberData(nameof(NoOpMessages))]
    public async Task WellFormedMessage_ThatDoesNothing_SaysWhy_WithoutRawIds(string queue, string body, string why, bool deadLettered)
    {
        var capture = new LogCapture();
        await using var app = new TestApp();
        using var logged = WithLogs(app, capture);

        var outcome = await logged.Services.GetRequiredService<QueueDispatcher>().DispatchAsync(queue, body);

        var letters = await logged.Services.GetRequiredService<DeadLetters>().ReadAllAsync();
        Assert.Equal(deadLettered ? DispatchOutcome.DeadLettered : DispatchOutcome.Done, outcome);
        if (deadLettered)
        {
            Assert.Contains(letters, l => l.Source == $"queue:{queue}" && l.Reason.Contains(why, StringComparison.Ordinal));
            Assert.Contains(capture.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains(why, StringComparison.Ordinal));
        }
        else
        {
            Assert.Empty(letters);
            Assert.Contains(capture.Lines, l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains(why, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(capture.Lines, l => l.Contains(Customer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SealedTimer_OfAnErasedCustomer_IsDiscardedWithALogLine_NamingOnlyItsKeyedReference()
    {
        var capture = new LogCapture();
        await using var app = new TestApp();
        using var logged = WithLogs(app, capture);
        var queue = logged.Services.GetRequiredService<IWorkQueue>();
        var seal = logged.Services.GetRequiredService<TimerSeal>();
        await seal.ScheduleAsync(queue, CartAbandonmentWorkflow.Queue, new CartTimerMessage(Customer, 1), Customer, app.Clock.GetUtcNow());
        await seal.ForgetAsync(Customer); // what erasure does first
        var timer = Assert.Single(await queue.ReceiveAsync(CartAbandonmentWorkflow.Queue, 10, TimeSpan.FromMinutes(1)));
        var reference = TimerSeal.LogReferenceOf(timer.Body);

        var outcome = await logged.Services.GetRequiredService<QueueDispatcher>().DispatchAsync(CartAbandonmentWorkflow.Queue, timer.Body);

        Assert.Equal(DispatchOutcome.Done, outcome);
        Assert.NotNull(reference);
        Assert.Contains(capture.Lines, l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains($"timer of subject {reference} discarded", StringComparison.Ordinal)
            && l.Contains("its key is gone", StringComparison.Ordinal));
        Assert.DoesNotContain(capture.Lines, l => l.Contains(Customer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SegmentationMessage_ForACompletedRun_IsLoggedWithWhy_AndNotDeadLettered()
    {
        var capture = new LogCapture();
        await using var app = new TestApp();
        using var logged = WithLogs(app, capture);
        var run = await logged.Services.GetRequiredService<SegmentationWorkflow>().StartAsync("test");
        while (await logged.Services.GetRequiredService<LocalQueuePump>().RunOnceAsync() > 0)
        {
        }

        Assert.Equal(SegmentationStatus.Completed, (await logged.Services.GetRequiredService<SegmentationWorkflow>().GetAsync(run.RunId))!.Status);
        var outcome = await logged.Services.GetRequiredService<QueueDispatcher>().DispatchAsync(SegmentationWorkflow.Queue,
            Body(new SegmentationMessage(run.RunId, SegmentationMessage.Score, "shard-03")));

        Assert.Equal(DispatchOutcome.Done, outcome);
        Assert.Empty(await logged.Services.GetRequiredService<DeadLetters>().ReadAllAsync());
        Assert.Contains(capture.Lines, l => l.StartsWith("Information", StringComparison.Ordinal)
            && l.Contains($"Segmentation run {run.RunId}, score message of shard shard-03: nothing to do: the run is completed already", StringComparison.Ordinal));
    }
}
