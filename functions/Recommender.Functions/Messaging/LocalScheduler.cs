using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Recommender.Domain.Retention;
using Recommender.Domain.Segments;
using Recommender.Domain.Training;

namespace Recommender.Functions.Messaging;

/// <summary>Configuration section <c>Recommender:Scheduler</c>: the local stand-in for the timer functions.</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Recommender:Scheduler";
    /// <value>How often retention is enforced (the <c>EnforceRetention</c> timer is daily); 1 minute to 365 days.</value>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromDays(1);
    /// <value>How often models are retrained (the <c>Retrain</c> timer is weekly); 1 minute to 365 days.</value>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan RetrainInterval { get; set; } = TimeSpan.FromDays(7);
    /// <value>How often customers are segmented (the <c>Segmentation</c> timer is daily); 1 minute to 365 days.</value>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan SegmentationInterval { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>Checks <see cref="SchedulerOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class SchedulerOptionsValidator : IValidateOptions<SchedulerOptions>;

/// <summary>
/// Plays the timer triggers when the app runs on its own: retention daily, retraining weekly,
/// segmentation daily (the first retention sweep runs at start). Off under the Functions host, whose
/// timers call <c>POST /EnforceRetention</c>, <c>POST /Retrain</c> and <c>POST /Segmentation</c>.
/// </summary>
public sealed partial class LocalScheduler(RetentionService retention, TrainingWorkflow training, SegmentationWorkflow segmentation, IOptions<SchedulerOptions> options,
    TimeProvider timeProvider, ILogger<LocalScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextRetention = timeProvider.GetUtcNow();
        var nextRetrain = timeProvider.GetUtcNow() + options.Value.RetrainInterval;
        var nextSegmentation = timeProvider.GetUtcNow() + options.Value.SegmentationInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = timeProvider.GetUtcNow();
            try
            {
                if (now >= nextRetention)
                {
                    await retention.EnforceAsync(stoppingToken).ConfigureAwait(false);
                    nextRetention = now + options.Value.RetentionInterval;
                }

                if (now >= nextRetrain)
                {
                    await training.StartAsync("schedule", stoppingToken).ConfigureAwait(false);
                    nextRetrain = now + options.Value.RetrainInterval;
                }

                if (now >= nextSegmentation)
                {
                    await segmentation.StartAsync("schedule", stoppingToken).ConfigureAwait(false);
                    nextSegmentation = now + options.Value.SegmentationInterval;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }

            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled job failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
