using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Storage;

namespace Recommender.Domain.Training;

/// <summary>
/// The training workflow, weekly and on demand: read the archive → train every candidate on all but
/// the most recent window → evaluate each, and the served algorithm, on that window → promote the
/// best only if its primary metric does not fall below the served one's by more than the tolerance
/// (and nothing is pinned) → retrain it on everything, write the version and its manifest, point
/// serving at it → refresh every cached list by fan-out. One queue message runs it; a redelivery of
/// a finished run does nothing.
/// </summary>
public sealed partial class TrainingWorkflow(
    IDocumentStore documents,
    IWorkQueue queue,
    PermittedTrainingData archive,
    ModelStore models,
    IEnumerable<IModelTrainer> trainers,
    RetrainingService retraining,
    IOptions<TrainingOptions> options,
    TimeProvider timeProvider,
    ILogger<TrainingWorkflow> logger)
{
    public async Task<TrainingRun> StartAsync(string trigger, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var run = new TrainingRun { RunId = $"training-{Guid.CreateVersion7(now):N}", Trigger = trigger, RequestedAt = now };
        await documents.CreateAsync(Collections.Workflows, TrainingRun.PartitionKey, run.RunId, Json.ToElement(run), cancellationToken).ConfigureAwait(false);
        await queue.SendAsync(Queues.Training, JsonSerializer.Serialize(new TrainingMessage(run.RunId), Json.Options), cancellationToken: cancellationToken).ConfigureAwait(false);
        return run;
    }

    public Task<TrainingRun?> GetAsync(string runId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<TrainingRun>(Collections.Workflows, TrainingRun.PartitionKey, runId, cancellationToken);

    public async Task RunAsync(TrainingMessage message, CancellationToken cancellationToken = default)
    {
        var exists = false;
        var started = await UpdateAsync(message.RunId, run =>
        {
            exists = run is not null;
            if (run is null || run.IsFinished)
            {
                return null;
            }

            run.Status = "running";
            run.Attempts++;
            run.StartedAt ??= timeProvider.GetUtcNow();
            return run;
        }, cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            throw new UnactionableMessageException($"training message names run {message.RunId}, which does not exist: nothing to train");
        }

        if (started is not { Status: "running" })
        {
            LogDecided(logger, message.RunId, "finished already; redelivered message ignored");
            return;
        }

        try
        {
            var outcome = await TrainAndDecideAsync(message.RunId, cancellationToken).ConfigureAwait(false);
            await UpdateAsync(message.RunId, run =>
            {
                outcome(run!);
                run!.CompletedAt = timeProvider.GetUtcNow();
                run.Error = null;
                return run;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await UpdateAsync(message.RunId, run =>
            {
                run!.Status = "failed";
                run.Error = ex.Message;
                return run;
            }, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<Action<TrainingRun>> TrainAndDecideAsync(string runId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var events = new List<ClickstreamEvent>();
        await foreach (var e in archive.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(e);
        }

        var now = timeProvider.GetUtcNow();
        var split = HoldoutEvaluator.Split(events, settings.HoldoutWindow);
        var candidates = trainers.Select(t => new CandidateResult(t.Algorithm,
            HoldoutEvaluator.Evaluate(t.Train(split.Train, "holdout", now), split))).ToList();
        var pointer = await models.GetPointerAsync(cancellationToken).ConfigureAwait(false);
        var served = pointer is null ? null : await models.GetManifestAsync(pointer.Version, cancellationToken).ConfigureAwait(false);
        var baseline = served is null ? null : candidates.FirstOrDefault(c => c.Algorithm == served.Algorithm);
        var best = candidates.OrderByDescending(c => c.Metrics.GetValueOrDefault(settings.PrimaryMetric)).ThenBy(c => c.Algorithm, StringComparer.Ordinal).First();
        var bestScore = best.Metrics.GetValueOrDefault(settings.PrimaryMetric);
        var baselineScore = baseline?.Metrics.GetValueOrDefault(settings.PrimaryMetric);
        var evaluated = (int)best.Metrics.GetValueOrDefault("users");

        string status, decision;
        string? version = null;
        if (pointer is { Pinned: true })
        {
            (status, decision) = ("skipped", $"skipped: version {pointer.Version} is pinned");
        }
        else if (baselineScore is { } b && evaluated >= settings.MinimumHoldoutCustomers && bestScore < b * (1 - settings.Tolerance))
        {
            (status, decision) = ("rejected", $"rejected: {best.Algorithm} {settings.PrimaryMetric} {bestScore:0.####} is below the served {baseline!.Algorithm} {b:0.####} by more than {settings.Tolerance:P0}");
        }
        else
        {
            version = VersionAt(now);
            var trainer = trainers.First(t => t.Algorithm == best.Algorithm);
            var model = trainer.Train(events, version, now);
            decision = evaluated < settings.MinimumHoldoutCustomers
                ? $"promoted: {best.Algorithm}; only {evaluated} customers in the holdout window, too few to gate on"
                : $"promoted: {best.Algorithm} {settings.PrimaryMetric} {bestScore:0.####}" + (baselineScore is { } bs ? $" vs served {bs:0.####}" : " (nothing served before)");
            await models.SaveAsync(model, ModelStore.ManifestOf(model, best.Algorithm, decision, runId, best.Metrics, baseline?.Metrics), cancellationToken).ConfigureAwait(false);
            await models.PointToAsync(version, decision, pinned: false, cancellationToken).ConfigureAwait(false);
            await retraining.FanOutRefreshAsync(version, cancellationToken).ConfigureAwait(false);
            status = "promoted";
        }

        // Placements that name their own algorithm get it trained on the same archive, whatever the gate decided.
        var placementModels = await retraining.TrainPlacementModelsAsync(events, runId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (status != "promoted" && placementModels.Count > 0 && retraining.HomeHasOwnModel)
        {
            await retraining.FanOutRefreshAsync(placementModels.Values.First(), cancellationToken).ConfigureAwait(false);
        }

        LogDecided(logger, runId, decision);
        return run =>
        {
            run.Status = status;
            run.Decision = decision;
            run.Candidates = candidates;
            run.Baseline = baseline;
            run.Chosen = best.Algorithm;
            run.ModelVersion = version;
            run.HoldoutFrom = split.Cutoff;
            run.PlacementModels = placementModels.Count > 0 ? placementModels : null;
        };
    }

    public static string VersionAt(DateTimeOffset now) => $"{now.UtcDateTime:yyyyMMdd-HHmmss}-{Guid.CreateVersion7(now).ToString("N")[^8..]}";

    private Task<TrainingRun?> UpdateAsync(string runId, Func<TrainingRun?, TrainingRun?> mutate, CancellationToken cancellationToken) =>
        documents.UpdateAsync(Collections.Workflows, TrainingRun.PartitionKey, runId, mutate, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training run {RunId}: {Decision}")]
    private static partial void LogDecided(ILogger logger, string runId, string decision);
}
