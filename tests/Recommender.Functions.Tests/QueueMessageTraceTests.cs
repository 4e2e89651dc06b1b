using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Recommender.Domain;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Privacy;
using Recommender.Domain.Storage;
using Recommender.Domain.Training;
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

        var outcome = await dispatcher.DispatchAsync(Queues.ErasureTasks, message);

        Assert.Equal(DispatchOutcome.DeadLettered, outcome);
        var letter = Assert.Single(await logged.Services.GetRequiredService<DeadLetters>().ReadAllAsync());
        Assert.Equal($"queue:{Queues.ErasureTasks}", letter.Source);
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

        var outcome = await dispatcher.DispatchAsync(Queues.Training, JsonSerializer.Serialize(new TrainingMessage("run-nosuchrun"), Json.Options));

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

        var outcome = await logged.Services.GetRequiredService<QueueDispatcher>().DispatchAsync(Queues.ErasureTasks,
            JsonSerializer.Serialize(new ErasureTaskMessage(request.RequestId, ErasureTarget.Profile), Json.Options));

        Assert.Equal(DispatchOutcome.Done, outcome);
        Assert.Empty(await logged.Services.GetRequiredService<DeadLetters>().ReadAllAsync());
        Assert.Contains(capture.Lines, l => l.Contains(request.RequestId, StringComparison.Ordinal) && l.Contains("done already; redelivered message ignored", StringComparison.Ordinal));
    }
}
