using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Training;

/// <summary>The result of one retraining.</summary>
public sealed record RetrainResult(string ModelVersion, int EventCount, int CustomerCount, int ItemCount, int RefreshShards);

/// <summary>A fan-out task: refresh the cached lists of one directory shard for a model version.</summary>
public sealed record RefreshMessage(string Shard, string ModelVersion);

/// <summary>
/// Retraining without the evaluation gate — the local sample store's first model, and the model
/// that replaces the served one after an erasure (same algorithm, the archive without the erased
/// subjects) — plus the cache-refresh fan-out every promotion ends with (one queue message per
/// directory shard; each shard task is idempotent).
/// </summary>
public sealed partial class RetrainingService(
    PermittedTrainingData archive,
    ModelStore models,
    ProfileStore profiles,
    RecommendationService recommendations,
    IEnumerable<IModelTrainer> trainers,
    IWorkQueue queue,
    IOptions<ServingOptions> serving,
    TimeProvider timeProvider,
    ILogger<RetrainingService> logger) : IQueueStep<RefreshMessage>
{
    /// <summary>The cache-refresh fan-out's queue: its entry in <c>Ports/Storage/queues.json</c> (<see cref="IQueueStep{TMessage}"/>).</summary>
    public static string Queue => "recommendation-refresh";

    bool IQueueStep<RefreshMessage>.IsComplete(RefreshMessage message) => !string.IsNullOrEmpty(message.Shard) && !string.IsNullOrEmpty(message.ModelVersion);

    Task IQueueStep<RefreshMessage>.RunAsync(RefreshMessage message, CancellationToken cancellationToken) => RefreshShardAsync(message, cancellationToken);

    /// <summary>Whether the home placement (and so the cached lists) is served by a model of its own algorithm.</summary>
    public bool HomeHasOwnModel => serving.Value.PlacementAlgorithms.ContainsKey(Placements.NameOf(Placement.Home));

    /// <summary>Whether a promotion is targeted by purchase propensity (cached lists then carry the score and need a refresh when it changes).</summary>
    public bool PromotionsTargetPropensity => serving.Value.Promotions.Any(p => p.TargetsPropensity);

    /// <summary>Retrains the served algorithm on the whole archive (minus <paramref name="excludedSubjects"/>) and serves it at once.</summary>
    public async Task<RetrainResult> RetrainAsync(string origin = "direct", ISet<string>? excludedSubjects = null, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var events = new List<ClickstreamEvent>();
        await foreach (var e in archive.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(e);
        }

        var pointer = await models.GetPointerAsync(cancellationToken).ConfigureAwait(false);
        var served = pointer is null ? null : await models.GetManifestAsync(pointer.Version, cancellationToken).ConfigureAwait(false);
        var trainer = trainers.FirstOrDefault(t => t.Algorithm == served?.Algorithm) ?? trainers.First();
        var version = TrainingWorkflow.VersionAt(now);
        // The served algorithm keeps the settings its search chose.
        var settings = served?.Algorithm == trainer.Algorithm ? served.Settings : null;
        await trainer.PrepareAsync(cancellationToken).ConfigureAwait(false);
        ItemSimilarityModel model;
        try
        {
            model = trainer.TrainWith(events, version, now, settings, excludedSubjects);
        }
        catch (CandidateSkippedException) when (trainer.BaseAlgorithm is { } baseAlgorithm && trainers.FirstOrDefault(t => t.Algorithm == baseAlgorithm) is { } fallback)
        {
            // A re-ranker that cannot be trained now (no native library, nothing to learn from): its base serves.
            trainer = fallback;
            settings = ReRankingTrainer.BaseSettings(settings);
            model = trainer.TrainWith(events, version, now, settings, excludedSubjects);
        }

        var decision = $"retrained {trainer.Algorithm} ({origin})";
        await models.SaveAsync(model, ModelStore.ManifestOf(model, trainer.Algorithm, decision, origin) with { Settings = settings, ReRanker = ReRankerSummary.Of(model.ReRanker) }, cancellationToken).ConfigureAwait(false);
        // A pin chose the served version; a retraining forced by an erasure keeps the pin on its replacement.
        await models.PointToAsync(version, decision, pinned: pointer?.Pinned == true, cancellationToken).ConfigureAwait(false);
        await TrainPlacementModelsAsync(events, origin, excludedSubjects, cancellationToken: cancellationToken).ConfigureAwait(false);
        var shards = await FanOutRefreshAsync(version, cancellationToken).ConfigureAwait(false);
        LogTrained(logger, version, model.EventCount, model.CustomerCount, model.Neighbors.Count);
        return new RetrainResult(version, model.EventCount, model.CustomerCount, model.Neighbors.Count, shards);
    }

    /// <summary>
    /// Trains each algorithm that placements name (<see cref="ServingOptions.PlacementAlgorithms"/>)
    /// on <paramref name="events"/> (minus <paramref name="excludedSubjects"/>), saves it as a version
    /// with its manifest and points those placements at it. Returns algorithm → version. Each is trained
    /// with the settings its search chose in the training run that judged it (<paramref name="judged"/>:
    /// the run's candidates, whose holdout metrics and search go into the manifest); without a run (a
    /// retraining after an erasure) it keeps the settings of the version its placements are served from.
    /// </summary>
    public async Task<Dictionary<string, string>> TrainPlacementModelsAsync(IReadOnlyList<ClickstreamEvent> events, string origin,
        ISet<string>? excludedSubjects = null, IReadOnlyList<CandidateResult>? judged = null, HoldoutOrder? holdout = null,
        CancellationToken cancellationToken = default)
    {
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var placements in serving.Value.PlacementAlgorithms.GroupBy(p => p.Value, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var algorithm = placements.Key;
            var trainer = trainers.FirstOrDefault(t => t.Algorithm == algorithm)
                ?? throw new InvalidOperationException($"no trainer for '{algorithm}', named in {ServingOptions.Section}:PlacementAlgorithms");
            var candidate = judged?.FirstOrDefault(c => c.Algorithm == algorithm && c.Skipped is null);
            var settings = candidate is not null ? candidate.Settings : await ServedSettingsAsync(algorithm, cancellationToken).ConfigureAwait(false);
            var now = timeProvider.GetUtcNow();
            var version = TrainingWorkflow.VersionAt(now);
            var model = trainer.TrainWith(events, version, now, settings, excludedSubjects);
            var decision = $"trained {algorithm} for placements {string.Join(", ", placements.Select(p => p.Key).Order(StringComparer.Ordinal))} ({origin})";
            var manifest = ModelStore.ManifestOf(model, algorithm, decision, origin, candidate?.Metrics) with
            {
                Settings = settings,
                Tuning = candidate?.Tuning,
                Holdout = candidate is null ? null : holdout,
            };
            await models.SaveAsync(model, manifest, cancellationToken).ConfigureAwait(false);
            await models.PointPlacementsAsync(algorithm, version, decision, cancellationToken).ConfigureAwait(false);
            LogTrained(logger, version, model.EventCount, model.CustomerCount, model.Neighbors.Count);
            versions[algorithm] = version;
        }

        return versions;
    }

    /// <summary>The settings of the version placements naming <paramref name="algorithm"/> are served from, if any.</summary>
    private async Task<IReadOnlyDictionary<string, double>?> ServedSettingsAsync(string algorithm, CancellationToken cancellationToken)
    {
        var pointer = await models.GetPlacementPointerAsync(algorithm, cancellationToken).ConfigureAwait(false);
        var manifest = pointer is null ? null : await models.GetManifestAsync(pointer.Version, cancellationToken).ConfigureAwait(false);
        return manifest?.Algorithm == algorithm ? manifest.Settings : null;
    }

    /// <summary>Queues one refresh task per directory shard; returns how many.</summary>
    public async Task<int> FanOutRefreshAsync(string version, CancellationToken cancellationToken = default)
    {
        var shards = ProfileStore.AllShards.ToList();
        foreach (var shard in shards)
        {
            var message = JsonSerializer.Serialize(new RefreshMessage(shard, version), Json.Options);
            await queue.SendAsync(Queue, message, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return shards.Count;
    }

    /// <summary>One fan-out task: recompute the cached list of every customer in a shard.</summary>
    public async Task<int> RefreshShardAsync(RefreshMessage message, CancellationToken cancellationToken = default)
    {
        if (!ProfileStore.AllShards.Contains(message.Shard, StringComparer.Ordinal))
        {
            throw new UnactionableMessageException($"refresh message names shard {message.Shard}, which does not exist: nothing to refresh");
        }

        var refreshed = 0;
        await foreach (var customerId in profiles.CustomersInShardAsync(message.Shard, cancellationToken).ConfigureAwait(false))
        {
            if (await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false) is { } profile)
            {
                await recommendations.RefreshCacheAsync(profile, cancellationToken).ConfigureAwait(false);
                refreshed++;
            }
        }

        if (refreshed == 0)
        {
            LogNothingRefreshed(logger, message.Shard, message.ModelVersion);
        }

        return refreshed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refresh of {Shard} for model {ModelVersion}: no customer in the shard, nothing to refresh")]
    private static partial void LogNothingRefreshed(ILogger logger, string shard, string modelVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Trained model {Version} from {Events} events of {Customers} customers, {Items} items")]
    private static partial void LogTrained(ILogger logger, string version, int events, int customers, int items);
}
