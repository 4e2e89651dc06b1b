using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Functions.Messaging;

/// <summary>Configuration section <c>Recommender:QueuePump</c>.</summary>
public sealed class QueuePumpOptions
{
    public const string Section = "Recommender:QueuePump";
    /// <value>Run the pump. On by default when the app runs outside the Functions host.</value>
    public bool Enabled { get; set; } = true;
    /// <value>Pause between polls of an empty queue (up to an hour).</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <value>How long a received message stays hidden while it is handled (1 second to 7 days, the queue's longest).</value>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);
    /// <value>Deliveries before a failing message moves to <c>{queue}-poison</c> (the host's default is 5 too).</value>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;
}

/// <summary>Checks <see cref="QueuePumpOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class QueuePumpOptionsValidator : IValidateOptions<QueuePumpOptions>;

/// <summary>
/// Plays the Functions host's queue trigger when the app runs on its own (embedded mode, or the
/// Azure adapters against Azurite): receives messages, dispatches them, deletes them on success,
/// leaves them to reappear on failure, and moves them to <c>{queue}-poison</c> after the last try.
/// </summary>
public sealed partial class LocalQueuePump(IWorkQueue queue, QueueDispatcher dispatcher, IOptions<QueuePumpOptions> options, ILogger<LocalQueuePump> logger)
    : BackgroundService
{
    /// <summary>Handles every visible message of every queue once; returns how many were handled.</summary>
    /// <summary>
    /// Handles every message visible now, of every queue, including the ones the handled messages
    /// queue in turn (a training run's refresh fan-out); returns how many were handled.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var handled = 0;
        int handledThisPass;
        do
        {
            handledThisPass = 0;
            foreach (var name in QueueRegistry.Names)
            {
                IReadOnlyList<QueueMessage> batch;
                while ((batch = await queue.ReceiveAsync(name, 16, options.Value.Lease, cancellationToken).ConfigureAwait(false)).Count > 0)
                {
                    foreach (var message in batch)
                    {
                        await HandleAsync(message, cancellationToken).ConfigureAwait(false);
                        handledThisPass++;
                    }
                }
            }

            handled += handledThisPass;
        }
        while (handledThisPass > 0);

        return handled;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RunOnceAsync(stoppingToken).ConfigureAwait(false) > 0)
                {
                    continue;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPumpFailed(logger, ex);
            }

            try
            {
                await Task.Delay(options.Value.PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await dispatcher.DispatchAsync(message.Queue, message.Body, message.Id, cancellationToken).ConfigureAwait(false);
            await queue.DeleteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogMessageFailed(logger, ex, message.Queue, message.DequeueCount);
            if (message.DequeueCount >= options.Value.MaxDequeueCount)
            {
                await queue.SendAsync($"{message.Queue}-poison", message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
                await queue.DeleteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue pump failed")]
    private static partial void LogPumpFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message on {Queue} failed on delivery {DequeueCount}")]
    private static partial void LogMessageFailed(ILogger logger, Exception exception, string queue, int dequeueCount);
}
