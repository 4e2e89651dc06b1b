using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Segments;

/// <summary>
/// The daily segmentation run (timer and on demand): train the churn and lifetime-value models on
/// the archive → fan out one <c>measure</c> message per directory shard (each shard's RFM histogram)
/// → the last shard merges the histograms into the base's quintile boundaries → fan out one
/// <c>score</c> message per shard (each customer who may be profiled gets scores and segments; the
/// others lose any they had) → the last shard adds up the sizes, records them for the day and marks
/// the run completed. Every step is redelivery-safe: a shard's result is a document written whole
/// (idempotent), the run records which shards finished (a set), and a finished shard or phase is
/// skipped; a crash between a phase's transition and its fan-out is resumed by the next delivery.
/// </summary>
public sealed partial class SegmentationWorkflow(
    IDocumentStore documents,
    IBlobStore blobs,
    IWorkQueue queue,
    EventArchive archive,
    ProfileStore profiles,
    IOptions<SegmentationOptions> options,
    TimeProvider timeProvider,
    ILogger<SegmentationWorkflow> logger) : IQueueStep<SegmentationMessage>
{
    /// <summary>Its runs' queue: its entry in <c>Ports/Storage/queues.json</c> (<see cref="IQueueStep{TMessage}"/>).</summary>
    public static string Queue => "segmentation";

    bool IQueueStep<SegmentationMessage>.IsComplete(SegmentationMessage message) => message.IsWellFormed;

    Task IQueueStep<SegmentationMessage>.RunAsync(SegmentationMessage message, CancellationToken cancellationToken) => HandleAsync(message, cancellationToken);

    /// <summary>Blob folder of each run's models (deleted when a later run completes).</summary>
    public const string ModelFolder = "segmentation/";
    /// <summary>Customer ids per member chunk document.</summary>
    public const int ChunkSize = 2000;
    private static readonly DocumentTimeToLive ShardResultLifetime = DocumentTimeToLive.After(TimeSpan.FromDays(7));

    private readonly Lock _cacheLock = new();
    private (string RunId, CustomerScoreModels Models)? _cached;

    /// <summary>Whether a customer's behaviour may be turned into scores: analytics consent, no objection, not a minor.</summary>
    public static bool MayProfile(CustomerProfile profile, DateTimeOffset now) => profile.ProfilingAllowed(now) && !profile.ObjectedToProfiling;

    public async Task<SegmentationRun> StartAsync(string trigger, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var run = new SegmentationRun { RunId = $"segmentation-{Guid.CreateVersion7(now):N}", Trigger = trigger, RequestedAt = now, Day = DayOf(now) };
        await documents.CreateAsync(Collections.Workflows, SegmentationRun.PartitionKey, run.RunId, Json.ToElement(run), cancellationToken).ConfigureAwait(false);
        await SendAsync(new SegmentationMessage(run.RunId, SegmentationMessage.Train), cancellationToken).ConfigureAwait(false);
        return run;
    }

    public Task<SegmentationRun?> GetAsync(string runId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<SegmentationRun>(Collections.Workflows, SegmentationRun.PartitionKey, runId, cancellationToken);

    public Task<CustomerSegments?> GetCustomerAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<CustomerSegments>(Collections.Workflows, customerId, CustomerSegments.DocumentId, cancellationToken);

    public async Task HandleAsync(SegmentationMessage message, CancellationToken cancellationToken = default)
    {
        var run = await GetAsync(message.RunId, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            throw new UnactionableMessageException($"segmentation message names run {message.RunId}, which does not exist: nothing to do");
        }

        if (run.Status == SegmentationStatus.Completed)
        {
            LogNothingToDo(logger, run.RunId, message.Step, message.Shard, "the run is completed already; redelivered message ignored");
            return;
        }

        try
        {
            switch (message.Step)
            {
                case SegmentationMessage.Train:
                    await TrainAsync(run, cancellationToken).ConfigureAwait(false);
                    break;
                case SegmentationMessage.Measure:
                    await MeasureAsync(run, message.Shard!, cancellationToken).ConfigureAwait(false);
                    break;
                case SegmentationMessage.Score:
                    await ScoreAsync(run, message.Shard!, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await UpdateAsync(run.RunId, r =>
            {
                r.Error = $"{message.Step}{(message.Shard is null ? "" : " " + message.Shard)}: {ex.Message}";
                return r;
            }, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    private async Task TrainAsync(SegmentationRun run, CancellationToken cancellationToken)
    {
        if (run.Status is not (SegmentationStatus.Queued or SegmentationStatus.Training) && !(run.Status == SegmentationStatus.Measuring && !run.MeasureFannedOut))
        {
            LogNothingToDo(logger, run.RunId, SegmentationMessage.Train, null, $"the run is trained already ({run.Status}); redelivered message ignored");
            return;
        }

        if (run.Status is SegmentationStatus.Queued or SegmentationStatus.Training)
        {
            var now = timeProvider.GetUtcNow();
            await UpdateAsync(run.RunId, r =>
            {
                r.Status = SegmentationStatus.Training;
                r.Attempts++;
                r.StartedAt ??= now;
                return r;
            }, cancellationToken).ConfigureAwait(false);

            var histories = await TrainingHistoriesAsync(now, cancellationToken).ConfigureAwait(false);
            var (models, report) = CustomerScoreModels.Train(histories, now, options.Value);
            await SaveModelsAsync(run.RunId, models, cancellationToken).ConfigureAwait(false);
            lock (_cacheLock)
            {
                _cached = (run.RunId, models);
            }

            LogTrained(logger, run.RunId, report.ChurnAuc, report.LifetimeMethod, report.LifetimeMaeModel, report.LifetimeMaeRunRate);
            run = (await UpdateAsync(run.RunId, r =>
            {
                if (r.Status == SegmentationStatus.Training)
                {
                    r.Models = report;
                    r.Status = SegmentationStatus.Measuring;
                    r.Error = null;
                }

                return r;
            }, cancellationToken).ConfigureAwait(false))!;
        }

        if (run.Status == SegmentationStatus.Measuring && !run.MeasureFannedOut)
        {
            await FanOutAsync(run.RunId, SegmentationMessage.Measure, r => r.MeasureFannedOut = true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The archived history of every customer who may be profiled (within the training sample).</summary>
    private async Task<IReadOnlyCollection<CustomerHistory>> TrainingHistoriesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var percent = options.Value.TrainingSamplePercent;
        var histories = new Dictionary<string, CustomerHistory>(StringComparer.Ordinal);
        await foreach (var e in archive.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (e.CustomerId is not { } customerId || e.IsPseudonymized || e.OccurredAt > now || (percent < 100 && StableHash.Fnv1a(customerId) % 100 >= (uint)percent))
            {
                continue;
            }

            if (!histories.TryGetValue(customerId, out var history))
            {
                histories[customerId] = history = new CustomerHistory();
            }

            history.Add(e);
        }

        var allowed = new List<CustomerHistory>(histories.Count);
        foreach (var (customerId, history) in histories)
        {
            if (await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false) is { } profile && MayProfile(profile, now))
            {
                allowed.Add(history);
            }
        }

        return allowed;
    }

    private async Task MeasureAsync(SegmentationRun run, string shard, CancellationToken cancellationToken)
    {
        if (run.Status != SegmentationStatus.Measuring && run.Status != SegmentationStatus.Scoring)
        {
            LogNothingToDo(logger, run.RunId, SegmentationMessage.Measure, shard, $"the run is not measuring ({run.Status})");
            return;
        }

        var acted = false;
        if (!run.MeasuredShards.Contains(shard, StringComparer.Ordinal))
        {
            acted = true;
            var now = timeProvider.GetUtcNow();
            var histogram = new RfmHistogram();
            await foreach (var customerId in profiles.CustomersInShardAsync(shard, cancellationToken).ConfigureAwait(false))
            {
                if (await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false) is { } profile && MayProfile(profile, now) && ValuesOf(profile, now) is { } values)
                {
                    histogram.Add(values);
                }
            }

            await documents.UpsertAsync(Collections.Workflows, SegmentationRun.PartitionKey, $"{run.RunId}:measure:{shard}",
                Json.ToElement(new ShardHistogram(shard, histogram)), ShardResultLifetime, cancellationToken).ConfigureAwait(false);
            run = (await UpdateAsync(run.RunId, r =>
            {
                if (!r.MeasuredShards.Contains(shard, StringComparer.Ordinal))
                {
                    r.MeasuredShards.Add(shard);
                }

                return r;
            }, cancellationToken).ConfigureAwait(false))!;
        }

        if (run.Status == SegmentationStatus.Measuring && run.MeasuredShards.Count == ProfileStore.DirectoryShards)
        {
            var merged = new RfmHistogram();
            foreach (var s in ProfileStore.AllShards)
            {
                var part = await documents.GetAsync<ShardHistogram>(Collections.Workflows, SegmentationRun.PartitionKey, $"{run.RunId}:measure:{s}", cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"the histogram of {s} is missing");
                merged.Merge(part.Histogram);
            }

            acted = true;
            var quintiles = QuintileBoundaries.Of(merged);
            run = (await UpdateAsync(run.RunId, r =>
            {
                if (r.Status == SegmentationStatus.Measuring)
                {
                    r.Quintiles = quintiles;
                    r.Status = SegmentationStatus.Scoring;
                }

                return r;
            }, cancellationToken).ConfigureAwait(false))!;
        }

        if (run.Status == SegmentationStatus.Scoring && !run.ScoreFannedOut)
        {
            acted = true;
            await FanOutAsync(run.RunId, SegmentationMessage.Score, r => r.ScoreFannedOut = true, cancellationToken).ConfigureAwait(false);
        }

        if (!acted)
        {
            LogNothingToDo(logger, run.RunId, SegmentationMessage.Measure, shard, "the shard is measured already; redelivered message ignored");
        }
    }

    private async Task ScoreAsync(SegmentationRun run, string shard, CancellationToken cancellationToken)
    {
        if (run.Status != SegmentationStatus.Scoring)
        {
            LogNothingToDo(logger, run.RunId, SegmentationMessage.Score, shard, $"the run is not scoring ({run.Status})");
            return;
        }

        var acted = false;
        if (!run.ScoredShards.Contains(shard, StringComparer.Ordinal))
        {
            acted = true;
            var result = await ScoreShardAsync(run, shard, cancellationToken).ConfigureAwait(false);
            await documents.UpsertAsync(Collections.Workflows, SegmentationRun.PartitionKey, $"{run.RunId}:score:{shard}",
                Json.ToElement(result), ShardResultLifetime, cancellationToken).ConfigureAwait(false);
            run = (await UpdateAsync(run.RunId, r =>
            {
                if (!r.ScoredShards.Contains(shard, StringComparer.Ordinal))
                {
                    r.ScoredShards.Add(shard);
                }

                return r;
            }, cancellationToken).ConfigureAwait(false))!;
        }

        if (run.Status == SegmentationStatus.Scoring && run.ScoredShards.Count == ProfileStore.DirectoryShards)
        {
            acted = true;
            await CompleteAsync(run, cancellationToken).ConfigureAwait(false);
        }

        if (!acted)
        {
            LogNothingToDo(logger, run.RunId, SegmentationMessage.Score, shard, "the shard is scored already; redelivered message ignored");
        }
    }

    private async Task<ShardScores> ScoreShardAsync(SegmentationRun run, string shard, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var models = await ModelsOfAsync(run, cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        var members = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        long scored = 0, passedOver = 0;
        await foreach (var customerId in profiles.CustomersInShardAsync(shard, cancellationToken).ConfigureAwait(false))
        {
            var profile = await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false);
            if (profile is null || !MayProfile(profile, now))
            {
                // Consent withdrawn, an objection, a minor: no scores, and none left from an earlier run.
                await documents.DeleteAsync(Collections.Workflows, customerId, CustomerSegments.DocumentId, cancellationToken).ConfigureAwait(false);
                await Recommendations.ProfileSnapshot.KeepSegmentsAsync(documents, customerId, [], cancellationToken).ConfigureAwait(false);
                passedOver++;
                continue;
            }

            var result = Score(profile, run, models, now, settings);
            await documents.UpsertAsync(Collections.Workflows, customerId, CustomerSegments.DocumentId, Json.ToElement(result), cancellationToken).ConfigureAwait(false);
            // Serving reads the segments with the customer's cached list (the bandit's context, targeted experiments).
            await Recommendations.ProfileSnapshot.KeepSegmentsAsync(documents, customerId, result.Segments, cancellationToken).ConfigureAwait(false);
            scored++;
            foreach (var segment in result.Segments)
            {
                if (!members.TryGetValue(segment, out var list))
                {
                    members[segment] = list = [];
                }

                list.Add(customerId);
            }
        }

        foreach (var (segment, ids) in members)
        {
            var chunk = 0;
            foreach (var part in ids.Chunk(ChunkSize))
            {
                await documents.UpsertAsync(Collections.Workflows, MembersPartition(run.RunId, segment), $"{shard}:{chunk++:D4}",
                    Json.ToElement(new SegmentMemberChunk(segment, run.RunId, [.. part])), ShardResultLifetime, cancellationToken).ConfigureAwait(false);
            }
        }

        return new ShardScores(shard, members.ToDictionary(p => p.Key, p => (long)p.Value.Count, StringComparer.Ordinal), scored, passedOver);
    }

    /// <summary>One customer's scores and segments against the run's quintiles and models.</summary>
    public static CustomerSegments Score(CustomerProfile profile, SegmentationRun run, CustomerScoreModels models, DateTimeOffset now, SegmentationOptions settings)
    {
        var values = ValuesOf(profile, now);
        var rfm = values is { } v && run.Quintiles is { } q ? q.Score(v) : null;
        var activity = new CustomerActivity(profile.OrderCount, profile.TotalSpent, profile.FirstOrderAt, profile.LastOrderAt,
            profile.LastEventAt == default ? null : profile.LastEventAt, profile.EventCount);
        var churn = models.Churn(activity, now);
        var segments = SegmentRules.Evaluate(SegmentInputs.Of(profile, rfm, churn, now), now, settings);
        return new CustomerSegments
        {
            CustomerId = profile.CustomerId,
            RunId = run.RunId,
            ComputedAt = now,
            RecencyDays = values?.RecencyDays,
            Frequency = profile.OrderCount,
            Monetary = profile.TotalSpent,
            Rfm = rfm,
            ChurnProbability = churn,
            ChurnWindowDays = models.ChurnWindowDays,
            PredictedLifetimeValue = models.Lifetime(activity, now, settings.LifetimeHorizon.TotalDays),
            PredictedNextPurchaseAt = CustomerScoreModels.NextPurchase(churn, models.ChurnWindowDays, now),
            Segments = [.. segments],
        };
    }

    /// <summary>RFM values of a customer with at least one order; null otherwise (no order: no RFM score).</summary>
    public static RfmValues? ValuesOf(CustomerProfile profile, DateTimeOffset now) =>
        profile.OrderCount > 0 && profile.LastOrderAt is { } last ? new RfmValues(Math.Max(0, (now - last).TotalDays), profile.OrderCount, profile.TotalSpent) : null;

    private async Task CompleteAsync(SegmentationRun run, CancellationToken cancellationToken)
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        long scored = 0, passedOver = 0;
        foreach (var s in ProfileStore.AllShards)
        {
            var part = await documents.GetAsync<ShardScores>(Collections.Workflows, SegmentationRun.PartitionKey, $"{run.RunId}:score:{s}", cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"the scores of {s} are missing");
            foreach (var (segment, count) in part.Sizes)
            {
                sizes[segment] = sizes.GetValueOrDefault(segment) + count;
            }

            scored += part.Scored;
            passedOver += part.NotProfiled;
        }

        var now = timeProvider.GetUtcNow();
        await documents.PutAsync(Collections.Workflows, SegmentationRun.PartitionKey, SizesId(run.Day), new SegmentSizes(run.Day, run.RunId, now, scored, sizes), cancellationToken).ConfigureAwait(false);
        await documents.UpsertAsync(Collections.Workflows, SegmentationRun.PartitionKey, "latest", Json.ToElement(new LatestSegmentation(run.RunId, run.Day, now)),
            DocumentTimeToLive.Never, cancellationToken).ConfigureAwait(false);
        await UpdateAsync(run.RunId, r =>
        {
            r.Status = SegmentationStatus.Completed;
            r.CompletedAt ??= now;
            r.Sizes = sizes;
            r.Scored = scored;
            r.NotProfiled = passedOver;
            r.Error = null;
            return r;
        }, cancellationToken).ConfigureAwait(false);
        await foreach (var blob in blobs.ListAsync(ModelFolder, cancellationToken).ConfigureAwait(false))
        {
            if (!blob.Name.StartsWith($"{ModelFolder}{run.RunId}/", StringComparison.Ordinal))
            {
                await blobs.DeleteAsync(blob.Name, cancellationToken).ConfigureAwait(false);
            }
        }

        LogCompleted(logger, run.RunId, scored, passedOver);
    }

    private async Task FanOutAsync(string runId, string step, Action<SegmentationRun> markDone, CancellationToken cancellationToken)
    {
        foreach (var shard in ProfileStore.AllShards)
        {
            await SendAsync(new SegmentationMessage(runId, step, shard), cancellationToken).ConfigureAwait(false);
        }

        await UpdateAsync(runId, r =>
        {
            markDone(r);
            return r;
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task SaveModelsAsync(string runId, CustomerScoreModels models, CancellationToken cancellationToken)
    {
        using var churn = new MemoryStream();
        using var ltv = new MemoryStream();
        models.Save(churn, ltv);
        var meta = JsonSerializer.SerializeToUtf8Bytes(new ModelMeta(models.ChurnWindowDays, models.LifetimeScale), Json.Options);
        await blobs.PutAsync($"{ModelFolder}{runId}/meta.json", meta, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (churn.Length > 0)
        {
            await blobs.PutAsync($"{ModelFolder}{runId}/churn.zip", churn.ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (ltv.Length > 0)
        {
            await blobs.PutAsync($"{ModelFolder}{runId}/ltv.zip", ltv.ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<CustomerScoreModels> ModelsOfAsync(SegmentationRun run, CancellationToken cancellationToken)
    {
        lock (_cacheLock)
        {
            if (_cached is { } cached && cached.RunId == run.RunId)
            {
                return cached.Models;
            }
        }

        var meta = await blobs.GetAsync($"{ModelFolder}{run.RunId}/meta.json", cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the models of {run.RunId} are missing");
        var info = JsonSerializer.Deserialize<ModelMeta>(meta.Content, Json.Options)!;
        var churn = await blobs.GetAsync($"{ModelFolder}{run.RunId}/churn.zip", cancellationToken).ConfigureAwait(false);
        var ltv = await blobs.GetAsync($"{ModelFolder}{run.RunId}/ltv.zip", cancellationToken).ConfigureAwait(false);
        using var churnStream = churn is { } c ? new MemoryStream(c.Content) : null;
        using var ltvStream = ltv is { } l ? new MemoryStream(l.Content) : null;
        var models = CustomerScoreModels.Load(churnStream, ltvStream, info.ChurnWindowDays, info.LifetimeScale);
        lock (_cacheLock)
        {
            _cached = (run.RunId, models);
        }

        return models;
    }

    private Task SendAsync(SegmentationMessage message, CancellationToken cancellationToken) =>
        queue.SendAsync(Queue, JsonSerializer.Serialize(message, Json.Options), cancellationToken: cancellationToken);

    private Task<SegmentationRun?> UpdateAsync(string runId, Func<SegmentationRun, SegmentationRun?> mutate, CancellationToken cancellationToken) =>
        documents.UpdateAsync<SegmentationRun>(Collections.Workflows, SegmentationRun.PartitionKey, runId, r => r is null ? null : mutate(r), cancellationToken);

    public static string DayOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static string SizesId(string day) => $"sizes:{day}";

    public static string MembersPartition(string runId, string segment) => $"_segment:{runId}:{segment}";

    private sealed record ModelMeta(double ChurnWindowDays, double LifetimeScale);

    [LoggerMessage(Level = LogLevel.Information, Message = "Segmentation run {RunId}: churn AUC {Auc}, lifetime value by {Method} (MAE {MaeModel} vs run rate {MaeRunRate})")]
    private static partial void LogTrained(ILogger logger, string runId, double? auc, string method, double? maeModel, double? maeRunRate);

    [LoggerMessage(Level = LogLevel.Information, Message = "Segmentation run {RunId}, {Step} message of shard {Shard}: nothing to do: {Reason}")]
    private static partial void LogNothingToDo(ILogger logger, string runId, string step, string? shard, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Segmentation run {RunId} completed: {Scored} customers scored, {NotProfiled} not profiled")]
    private static partial void LogCompleted(ILogger logger, string runId, long scored, long notProfiled);
}
