using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Webhooks;
using Recommender.Domain.Workflows;

namespace Recommender.Domain.Privacy;

/// <summary>
/// Erasure of one customer everywhere: the request fans out one queue task per store; each task
/// is idempotent (deleting what is already gone is a success) and records its result on the
/// request with ETag concurrency; the last task to finish completes the request and replaces the
/// customer id by its hash. Failed store tasks are retried by the queue and show their error
/// meanwhile. Provider tasks post a signed deletion webhook (<see cref="ProviderErasure"/>) and retry
/// as message delivery does — 5xx, timeouts and transport failures with exponential backoff and full
/// jitter, 429 after its <c>Retry-After</c>, up to <see cref="MessagingOptions.MaxAttempts"/> — while
/// any other 4xx (or the last failed attempt) fails the task with the provider's answer and the
/// request with it, until <see cref="RetryAsync"/>.
/// </summary>
public sealed partial class ErasureService(
    IDocumentStore documents,
    IWorkQueue queue,
    ProfileStore profiles,
    RecommendationService recommendations,
    EventArchive archive,
    Training.RetrainingService retraining,
    ModelStore models,
    Experiments.ExperimentStore experiments,
    DeadLetters deadLetters,
    WebhookSender webhooks,
    IOptions<MessagingOptions> messaging,
    AuditLog audit,
    TimeProvider timeProvider,
    ILogger<ErasureService> logger,
    ProductWatchers watchers,
    ErasureTombstones tombstones,
    TimerSeal timerSeal,
    Attribution.AttributionStore attribution) : IQueueStep<ErasureTaskMessage>
{
    /// <summary>The erasure fan-out's queue: its entry in <c>Ports/Storage/queues.json</c> (<see cref="IQueueStep{TMessage}"/>).</summary>
    public static string Queue => "erasure-tasks";

    bool IQueueStep<ErasureTaskMessage>.IsComplete(ErasureTaskMessage message) => !string.IsNullOrEmpty(message.RequestId) && Enum.IsDefined(message.Target);

    Task IQueueStep<ErasureTaskMessage>.RunAsync(ErasureTaskMessage message, CancellationToken cancellationToken) => RunTaskAsync(message, cancellationToken);

    /// <summary>Starts erasing <paramref name="customerId"/>; <paramref name="actor"/> is who asked, for the audit log.</summary>
    public async Task<ErasureRequest> StartAsync(string customerId, string actor = "privacy-api", CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var profile = await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false);
        var request = new ErasureRequest
        {
            RequestId = $"erasure-{Guid.CreateVersion7(now):N}",
            CustomerId = customerId,
            Subjects = [customerId, .. (profile?.AnonymousIds ?? []).Select(id => Events.ClickstreamEvent.AnonymousSubjectPrefix + id)],
            SubjectHash = HashOf(customerId),
            EmailSha256 = profile?.EmailSha256,
            PhoneSha256 = profile?.PhoneSha256,
            RequestedAt = now,
            KnownCustomer = profile is not null,
            Note = profile is null ? NothingKnownNote : null,
            Tasks = Enum.GetValues<ErasureTarget>().ToDictionary(t => t, _ => new ErasureTaskStatus()),
        };
        await documents.CreateAsync(Collections.Erasures, request.RequestId, request.RequestId, Json.ToElement(request), cancellationToken).ConfigureAwait(false);
        // Tombstones first: from now on ingestion refuses their events and training skips them, so no task
        // below races a batch that would put something back (a replay, a late batch, a restored backup).
        await tombstones.AddAsync(customerId, profile?.AnonymousIds ?? [], profile?.EmailSha256, profile?.PhoneSha256, cancellationToken).ConfigureAwait(false);
        // Their queued timers are sealed under a key of theirs: deleting it neutralizes every one at once.
        await timerSeal.ForgetAsync(customerId, cancellationToken).ConfigureAwait(false);
        foreach (var target in request.Tasks.Keys)
        {
            await SendAsync(new ErasureTaskMessage(request.RequestId, target), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }

        await audit.RecordAsync(actor, "erasure.started", customerId, "accepted", request.RequestId, cancellationToken).ConfigureAwait(false);
        LogStarted(logger, request.RequestId);
        return request;
    }

    /// <summary>What the request says when the customer had no profile at the time of the request.</summary>
    public const string NothingKnownNote = "nothing known: no profile is held for this customer; every store is still searched and every provider still asked to delete";

    /// <summary>How long a task that must wait for another one sleeps before it looks again.</summary>
    public static readonly TimeSpan NotReadyRetryDelay = TimeSpan.FromSeconds(30);

    private Task SendAsync(ErasureTaskMessage message, TimeSpan delay, CancellationToken cancellationToken) =>
        queue.SendAsync(Queue, JsonSerializer.Serialize(message, Json.Options), delay, cancellationToken);

    public Task<ErasureRequest?> GetAsync(string requestId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<ErasureRequest>(Collections.Erasures, requestId, requestId, cancellationToken);

    /// <summary>Runs one store's task; rethrows a failure after recording it so the queue retries.</summary>
    public async Task RunTaskAsync(ErasureTaskMessage message, CancellationToken cancellationToken = default)
    {
        var request = await GetAsync(message.RequestId, cancellationToken).ConfigureAwait(false);
        if (request is null || request.Tasks.GetValueOrDefault(message.Target) is null)
        {
            throw new UnactionableMessageException(request is null
                ? $"erasure task {message.Target} names request {message.RequestId}, which does not exist: nothing to erase"
                : $"erasure request {message.RequestId} has no {message.Target} task: nothing to do");
        }

        if (request.CustomerId is not { } customerId || request.Tasks[message.Target] is not { State: not ErasureState.Done } task)
        {
            LogTaskAlreadyDone(logger, message.RequestId, message.Target);
            return; // the request is finished, or this task is done: a redelivery
        }

        if (ProviderErasure.ChannelOf(message.Target) is { } channel)
        {
            await NotifyProviderAsync(request, task, message, channel, cancellationToken).ConfigureAwait(false);
            return;
        }

        int removed, retained = 0;
        try
        {
            var subjects = request.Subjects.Count > 0 ? request.Subjects : [customerId];
            if (message.Target == ErasureTarget.EventArchive)
            {
                var outcome = await archive.EraseSubjectsAsync(new HashSet<string>(subjects, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
                (removed, retained) = (outcome.Removed, outcome.Pseudonymized);
            }
            else
            {
                removed = message.Target == ErasureTarget.Models
                    ? await EraseFromModelsAsync(request, subjects, cancellationToken).ConfigureAwait(false)
                    : await EraseAsync(message.Target, subjects, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ErasureNotReadyException ex)
        {
            // Not a failure: note why, and look again later (the archive task also wakes this one when it finishes).
            await RecordAsync(message, task => task.LastError = ex.Message, cancellationToken, countAttempt: false).ConfigureAwait(false);
            await SendAsync(message, NotReadyRetryDelay, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await RecordAsync(message, task =>
            {
                task.State = ErasureState.Failed;
                task.LastError = ex.Message;
            }, cancellationToken).ConfigureAwait(false);
            throw;
        }

        var updated = await RecordAsync(message, task =>
        {
            task.State = ErasureState.Done;
            task.Removed = removed;
            task.Retained = retained;
            task.LastError = null;
            task.CompletedAt = timeProvider.GetUtcNow();
        }, cancellationToken).ConfigureAwait(false);
        if (message.Target == ErasureTarget.EventArchive)
        {
            await SendAsync(message with { Target = ErasureTarget.Models }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }

        await AuditCompletionAsync(updated, customerId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One attempt of a provider task: no provider configured is nothing to notify (done); otherwise
    /// one signed POST, and the provider's answer decides — done, a retry later, or failed for good.
    /// </summary>
    private async Task NotifyProviderAsync(ErasureRequest request, ErasureTaskStatus task, ErasureTaskMessage message, string channel, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (task.State == ErasureState.Failed || (task.NextAttemptAt is { } due && now < due - EarlyTolerance))
        {
            // Failed for good (until retried), or an older message while a later attempt is scheduled.
            LogProviderMessageIgnored(logger, message.RequestId, channel, task.State == ErasureState.Failed ? "the task failed for good" : "a later attempt is scheduled");
            return;
        }

        if (!webhooks.IsConfigured(channel))
        {
            var skipped = await RecordAsync(message, t => Finish(t, ErasureState.Done, $"no {channel} provider configured: nothing to notify"), cancellationToken).ConfigureAwait(false);
            await AuditCompletionAsync(skipped, request.CustomerId!, cancellationToken).ConfigureAwait(false);
            return;
        }

        var result = await webhooks.SendAsync(channel, ProviderErasure.IdempotencyKeyOf(request.RequestId, channel), ProviderErasure.BodyOf(request, channel), cancellationToken).ConfigureAwait(false);
        var attempts = task.Attempts + 1;
        if (result.IsDelivered || result.Outcome == DeliveryOutcome.Rejected || attempts >= messaging.Value.MaxAttempts)
        {
            var updated = await RecordAsync(message, t =>
            {
                if (result.IsDelivered)
                {
                    Finish(t, ErasureState.Done, $"deletion acknowledged: {result.Detail}");
                }
                else
                {
                    Finish(t, ErasureState.Failed, "deletion not confirmed");
                    t.LastError = result.Outcome == DeliveryOutcome.Rejected ? result.Detail : $"gave up after {attempts} attempts: {result.Detail}";
                }
            }, cancellationToken).ConfigureAwait(false);
            if (!result.IsDelivered)
            {
                LogProviderFailed(logger, message.RequestId, channel, result.Detail);
            }

            await AuditCompletionAsync(updated, request.CustomerId!, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Queue the next attempt first, then record it: a crash in between only repeats an idempotent POST.
        var wait = result.Outcome == DeliveryOutcome.Throttled && result.RetryAfter is { } retryAfter
            ? retryAfter
            : DeliveryService.BackoffCeiling(attempts, messaging.Value) * Random.Shared.NextDouble();
        wait = wait > IWorkQueue.MaxDelay ? IWorkQueue.MaxDelay : wait;
        await SendAsync(message, wait, cancellationToken).ConfigureAwait(false);
        await RecordAsync(message, t =>
        {
            t.State = ErasureState.Pending;
            t.LastError = result.Detail;
            t.NextAttemptAt = now + wait;
        }, cancellationToken).ConfigureAwait(false);
        LogProviderRetry(logger, message.RequestId, channel, attempts, result.Detail, wait);
    }

    private void Finish(ErasureTaskStatus task, ErasureState state, string outcome)
    {
        task.State = state;
        task.Outcome = outcome;
        task.LastError = null;
        task.NextAttemptAt = null;
        task.CompletedAt = timeProvider.GetUtcNow();
    }

    /// <summary>A message this much before its task's next attempt time counts as on time.</summary>
    private static readonly TimeSpan EarlyTolerance = TimeSpan.FromSeconds(1);

    private async Task AuditCompletionAsync(ErasureRequest? updated, string customerId, CancellationToken cancellationToken)
    {
        if (updated?.Status == "completed")
        {
            await audit.RecordAsync("erasure-workflow", "erasure.completed", customerId, "completed", updated.RequestId, cancellationToken).ConfigureAwait(false);
            LogCompleted(logger, updated.RequestId);
        }
    }

    /// <summary>
    /// Resumes a request that failed (a provider refused the deletion or ran out of attempts): its
    /// failed tasks run again, with fresh attempts. False when the request is unknown or not failed.
    /// </summary>
    public async Task<bool> RetryAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var retried = new List<ErasureTarget>();
        await documents.UpdateAsync<ErasureRequest>(Collections.Erasures, requestId, requestId, request =>
        {
            retried.Clear();
            if (request is not { Status: "failed" })
            {
                return null;
            }

            foreach (var (target, task) in request.Tasks.Where(t => t.Value.State == ErasureState.Failed))
            {
                task.State = ErasureState.Pending;
                task.Attempts = 0;
                task.NextAttemptAt = null;
                retried.Add(target);
            }

            request.Status = "in_progress";
            return request;
        }, cancellationToken).ConfigureAwait(false);
        foreach (var target in retried)
        {
            await SendAsync(new ErasureTaskMessage(requestId, target), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }

        return retried.Count > 0;
    }

    private Task<int> EraseAsync(ErasureTarget target, IReadOnlyList<string> subjects, CancellationToken cancellationToken) => target switch
    {
        ErasureTarget.Profile => ForEachAsync(subjects, s => profiles.DeleteAsync(s, cancellationToken)),
        ErasureTarget.Recommendations => ForEachAsync(subjects, s => recommendations.DeleteCacheAsync(s, cancellationToken)),
        ErasureTarget.Workflows => EraseWorkflowStateAsync(subjects, cancellationToken),
        ErasureTarget.CustomerDirectory => ForEachAsync(subjects, s => profiles.UnregisterCustomerAsync(s, cancellationToken)),
        ErasureTarget.ExperimentAssignments => experiments.EraseSubjectsAsync(subjects, cancellationToken),
        ErasureTarget.ProductWatchers => watchers.ForgetAsync(subjects, cancellationToken),
        ErasureTarget.DeadLetters => deadLetters.EraseMentionsAsync(subjects.Select(IdentifierOf).ToList(), cancellationToken),
        ErasureTarget.AttributionJourneys => attribution.EraseSubjectsAsync(subjects, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "unknown erasure target"),
    };

    /// <summary>
    /// Once the archive holds none of the customer's events, retrains the served algorithm on it
    /// (excluding the subjects as well), serves the result, bars every older version from being
    /// served again and deletes their models (their manifests stay). Returns how many models went.
    /// </summary>
    private async Task<int> EraseFromModelsAsync(ErasureRequest request, IReadOnlyList<string> subjects, CancellationToken cancellationToken)
    {
        if (request.Tasks.GetValueOrDefault(ErasureTarget.EventArchive)?.State != ErasureState.Done)
        {
            throw new ErasureNotReadyException("waiting for the event archive task: the model is retrained from the cleaned archive");
        }

        var erasedAt = timeProvider.GetUtcNow();
        if (await models.GetPointerAsync(cancellationToken).ConfigureAwait(false) is not null)
        {
            await retraining.RetrainAsync(request.RequestId, new HashSet<string>(subjects, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        }

        await models.RecordErasureAsync(erasedAt, cancellationToken).ConfigureAwait(false);
        return await models.DeleteVersionsTrainedBeforeAsync(erasedAt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every workflow document of the subjects: cart-abandonment state, outbox entries with their message history, suppression flags.</summary>
    private async Task<int> EraseWorkflowStateAsync(IReadOnlyList<string> subjects, CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var subject in subjects)
        {
            var ids = new List<string>();
            await foreach (var doc in documents.ReadPartitionAsync(Collections.Workflows, subject, cancellationToken).ConfigureAwait(false))
            {
                ids.Add(doc.Id);
            }

            foreach (var id in ids)
            {
                removed += await documents.DeleteAsync(Collections.Workflows, subject, id, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
        }

        return removed;
    }

    /// <summary>The identifier as events carry it: the customer id, or the anonymous id without its <c>anon:</c> prefix.</summary>
    private static string IdentifierOf(string subject) =>
        subject.StartsWith(Events.ClickstreamEvent.AnonymousSubjectPrefix, StringComparison.Ordinal) ? subject[Events.ClickstreamEvent.AnonymousSubjectPrefix.Length..] : subject;

    /// <summary>Runs a deletion per subject; counts what existed.</summary>
    private static async Task<int> ForEachAsync(IEnumerable<string> subjects, Func<string, Task<bool>> delete)
    {
        var removed = 0;
        foreach (var subject in subjects)
        {
            removed += await delete(subject).ConfigureAwait(false) ? 1 : 0;
        }

        return removed;
    }

    private Task<ErasureRequest?> RecordAsync(ErasureTaskMessage message, Action<ErasureTaskStatus> change, CancellationToken cancellationToken, bool countAttempt = true) =>
        documents.UpdateAsync<ErasureRequest>(Collections.Erasures, message.RequestId, message.RequestId, request =>
        {
            if (request is null || request.Status == "completed")
            {
                return null;
            }

            var task = request.Tasks[message.Target];
            task.Attempts += countAttempt ? 1 : 0;
            change(task);
            if (request.AllDone)
            {
                request.Status = "completed";
                request.CompletedAt = timeProvider.GetUtcNow();
                request.Receipt = ErasureReceipt.Of(request);
                request.ForgetSubject();
            }
            else if (task.State == ErasureState.Failed && ProviderErasure.ChannelOf(message.Target) is not null)
            {
                request.Status = "failed"; // a provider failed for good: the request waits for a retry
            }

            return request;
        }, cancellationToken);

    public static string HashOf(string customerId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(customerId)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Erasure {RequestId} started")]
    private static partial void LogStarted(ILogger logger, string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Erasure {RequestId}: the {Target} task (or the whole request) is done already; redelivered message ignored")]
    private static partial void LogTaskAlreadyDone(ILogger logger, string requestId, ErasureTarget target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Erasure {RequestId}: {Channel} provider message ignored: {Why}")]
    private static partial void LogProviderMessageIgnored(ILogger logger, string requestId, string channel, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Erasure {RequestId} completed")]
    private static partial void LogCompleted(ILogger logger, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Erasure {RequestId}: the {Channel} provider's deletion attempt {Attempt} failed ({Detail}); retrying in {Wait}")]
    private static partial void LogProviderRetry(ILogger logger, string requestId, string channel, int attempt, string detail, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Erasure {RequestId}: the {Channel} provider did not confirm the deletion ({Detail}); the request failed")]
    private static partial void LogProviderFailed(ILogger logger, string requestId, string channel, string detail);
}

/// <summary>A task that must wait for another one; the queue delivers it again later.</summary>
public sealed class ErasureNotReadyException(string message) : Exception(message);
