using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Domain.Training;

/// <summary>
/// The training workflow, weekly and on demand: read the archive → hold out each customer's latest
/// interactions (or ones drawn at random, <see cref="TrainingOptions.Holdout"/>) → search each
/// candidate's hyper-parameters on a validation split carved from the rest, by the same rule
/// (<see cref="CandidateTuner"/>) → train each with its chosen settings and evaluate it, and the
/// served algorithm, on the held-out part through <see cref="IHoldoutScorer"/> → decide with
/// <see cref="Gate"/> (a different algorithm replaces the served one only when better beyond noise;
/// the interval goes into the run and the manifest; nothing is promoted while a version is pinned)
/// → retrain the chosen one on everything with its settings, write the version and its manifest,
/// point serving at it → refresh every cached list by fan-out. On the same events it also trains the
/// purchase-propensity model and stores each consenting customer's score in their profile
/// (<see cref="PurchasePropensity"/>; its AUC on the next window goes into the run and the manifest).
/// One queue message runs it; a redelivery of a finished run does nothing.
/// </summary>
public sealed partial class TrainingWorkflow(
    IDocumentStore documents,
    IWorkQueue queue,
    PermittedTrainingData archive,
    ModelStore models,
    IEnumerable<IModelTrainer> trainers,
    RetrainingService retraining,
    PurchasePropensity propensity,
    IHoldoutScorer scorer,
    IOptions<TrainingOptions> options,
    TimeProvider timeProvider,
    ILogger<TrainingWorkflow> logger) : IQueueStep<TrainingMessage>
{
    /// <summary>Its runs' queue: its entry in <c>Ports/Storage/queues.json</c> (<see cref="IQueueStep{TMessage}"/>).</summary>
    public static string Queue => "training";

    bool IQueueStep<TrainingMessage>.IsComplete(TrainingMessage message) => !string.IsNullOrEmpty(message.RunId);

    public async Task<TrainingRun> StartAsync(string trigger, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        // The holdout it will be judged on, so a queued or running run does not read as the default; the decision records the one used.
        var run = new TrainingRun { RunId = $"training-{Guid.CreateVersion7(now):N}", Trigger = trigger, RequestedAt = now, Holdout = options.Value.Holdout };
        await documents.CreateAsync(Collections.Workflows, TrainingRun.PartitionKey, run.RunId, Json.ToElement(run), cancellationToken).ConfigureAwait(false);
        await queue.SendAsync(Queue, JsonSerializer.Serialize(new TrainingMessage(run.RunId), Json.Options), cancellationToken: cancellationToken).ConfigureAwait(false);
        return run;
    }

    public Task<TrainingRun?> GetAsync(string runId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<TrainingRun>(Collections.Workflows, TrainingRun.PartitionKey, runId, cancellationToken);

    public async Task RunAsync(TrainingMessage message, CancellationToken cancellationToken = default)
    {
        using var activity = RecommenderTelemetry.Source.StartActivity("training run");
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
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
            RecordRun(activity, "failed");
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
        var split = HoldoutEvaluator.Split(events, settings.HoldoutFraction, settings.Holdout);
        var candidates = new List<CandidateResult>();
        foreach (var trainer in trainers)
        {
            await trainer.PrepareAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var trainer in trainers)
        {
            try
            {
                // Settings are searched on a validation split of the training part; the held-out part only judges the result.
                // A re-ranker trains over its base with the settings the base's own search chose, and searches only its trees.
                var (tuned, tuning) = trainer.BaseAlgorithm is { } baseAlgorithm && candidates.FirstOrDefault(c => c.Algorithm == baseAlgorithm) is { Skipped: null } baseResult
                    ? CandidateTuner.Tune(trainer, split.Train, scorer, settings, now, timeProvider, baseResult.Settings)
                    : CandidateTuner.Tune(trainer, split.Train, scorer, settings, now, timeProvider);
                var evaluation = HoldoutEvaluator.Evaluate(trainer.TrainWith(split.Train, "holdout", now, tuned), split, scorer);
                candidates.Add(new CandidateResult(trainer.Algorithm, evaluation.Metrics) { Settings = tuned, Tuning = tuning, PerCustomer = evaluation.PerCustomerNdcg });
            }
            catch (CandidateSkippedException ex)
            {
                LogSkipped(logger, runId, trainer.Algorithm, ex.Message);
                candidates.Add(new CandidateResult(trainer.Algorithm, new Dictionary<string, double>()) { Skipped = ex.Message });
            }
        }

        // Scores are in the profiles before any refresh fan-out below, so the refreshed lists carry them.
        var propensityRecord = await propensity.TrainAndScoreAsync(events, runId, cancellationToken).ConfigureAwait(false);
        var pointer = await models.GetPointerAsync(cancellationToken).ConfigureAwait(false);
        var served = pointer is null ? null : await models.GetManifestAsync(pointer.Version, cancellationToken).ConfigureAwait(false);
        var gate = Gate.Decide(candidates, served?.Algorithm, settings);
        var baseline = served is null ? null : candidates.FirstOrDefault(c => c.Algorithm == served.Algorithm);

        string status, decision;
        string? version = null;
        if (pointer is { Pinned: true })
        {
            (status, decision) = ("skipped", $"skipped: version {pointer.Version} is pinned");
        }
        else if (gate.Chosen is not { } chosen)
        {
            (status, decision) = ("rejected", gate.Decision);
        }
        else
        {
            version = VersionAt(now);
            decision = gate.Decision;
            var trainer = trainers.First(t => t.Algorithm == chosen.Algorithm);
            var model = trainer.TrainWith(events, version, now, chosen.Settings);
            var manifest = ModelStore.ManifestOf(model, chosen.Algorithm, decision, runId, chosen.Metrics, baseline?.Metrics) with
            {
                Settings = chosen.Settings,
                Tuning = chosen.Tuning,
                Gate = gate.Interval,
                Holdout = settings.Holdout,
                Propensity = propensityRecord,
                Candidates = candidates.ToDictionary(c => c.Algorithm, c => c.Skipped is null ? c.Metrics.GetValueOrDefault(settings.PrimaryMetric) : (double?)null, StringComparer.Ordinal),
                SkippedCandidates = candidates.Where(c => c.Skipped is not null).ToDictionary(c => c.Algorithm, c => c.Skipped!, StringComparer.Ordinal) is { Count: > 0 } skipped ? skipped : null,
                ReRanker = ReRankerSummary.Of(model.ReRanker),
            };
            await models.SaveAsync(model, manifest, cancellationToken).ConfigureAwait(false);
            await models.PointToAsync(version, decision, pinned: false, cancellationToken).ConfigureAwait(false);
            await retraining.FanOutRefreshAsync(version, cancellationToken).ConfigureAwait(false);
            status = "promoted";
        }

        // Placements that name their own algorithm get it trained on the same archive, whatever the gate decided, with the settings its search chose.
        var placementModels = await retraining.TrainPlacementModelsAsync(events, runId, judged: candidates, holdout: settings.Holdout, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (status != "promoted" && placementModels.Count > 0 && retraining.HomeHasOwnModel)
        {
            await retraining.FanOutRefreshAsync(placementModels.Values.First(), cancellationToken).ConfigureAwait(false);
        }
        else if (status != "promoted" && pointer is not null && propensityRecord is { Scored: > 0 } && retraining.PromotionsTargetPropensity)
        {
            // Cached lists carry the score their promotions are targeted by: refresh them with the new one.
            await retraining.FanOutRefreshAsync(pointer.Version, cancellationToken).ConfigureAwait(false);
        }

        LogDecided(logger, runId, decision);
        RecordRun(System.Diagnostics.Activity.Current, status);
        return run =>
        {
            run.Status = status;
            run.Decision = decision;
            run.Candidates = candidates;
            run.Baseline = baseline;
            run.Chosen = gate.Chosen?.Algorithm ?? gate.Best.Algorithm;
            run.ModelVersion = version;
            run.Gate = gate.Interval;
            run.HeldOutEvents = split.HeldOutEvents;
            run.Holdout = settings.Holdout;
            run.Propensity = propensityRecord;
            run.PlacementModels = placementModels.Count > 0 ? placementModels : null;
        };
    }

    /// <summary>A decided run on the <c>training run</c> span and the <see cref="RecommenderTelemetry.TrainingRuns"/> counter.</summary>
    private static void RecordRun(System.Diagnostics.Activity? activity, string status)
    {
        activity?.SetTag(RecommenderTelemetry.Tags.Status, status);
        RecommenderTelemetry.TrainingRuns.Add(1, new KeyValuePair<string, object?>(RecommenderTelemetry.Tags.Status, status));
    }

    public static string VersionAt(DateTimeOffset now) => $"{now.UtcDateTime:yyyyMMdd-HHmmss}-{Guid.CreateVersion7(now).ToString("N")[^8..]}";

    private Task<TrainingRun?> UpdateAsync(string runId, Func<TrainingRun?, TrainingRun?> mutate, CancellationToken cancellationToken) =>
        documents.UpdateAsync(Collections.Workflows, TrainingRun.PartitionKey, runId, mutate, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training run {RunId}: candidate {Algorithm} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string runId, string algorithm, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training run {RunId}: {Decision}")]
    private static partial void LogDecided(ILogger logger, string runId, string decision);
}
