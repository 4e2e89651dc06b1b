using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Storage;
using Recommender.Domain.Workflows;

namespace Recommender.Domain.Privacy;

/// <summary>
/// Erasure of one customer everywhere: the request fans out one queue task per store; each task
/// is idempotent (deleting what is already gone is a success) and records its result on the
/// request with ETag concurrency; the last task to finish completes the request and replaces the
/// customer id by its hash. Failed tasks are retried by the queue and show their error meanwhile.
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
    AuditLog audit,
    TimeProvider timeProvider,
    ILogger<ErasureService> logger,
    ProductWatchers watchers)
{
    public async Task<ErasureRequest> StartAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var profile = await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false);
        var request = new ErasureRequest
        {
            RequestId = $"erasure-{Guid.CreateVersion7(now):N}",
            CustomerId = customerId,
            Subjects = [customerId, .. (profile?.AnonymousIds ?? []).Select(id => Events.ClickstreamEvent.AnonymousSubjectPrefix + id)],
            SubjectHash = HashOf(customerId),
            RequestedAt = now,
            Tasks = Enum.GetValues<ErasureTarget>().ToDictionary(t => t, _ => new ErasureTaskStatus()),
        };
        await documents.CreateAsync(Collections.Erasures, request.RequestId, request.RequestId, Json.ToElement(request), cancellationToken).ConfigureAwait(false);
        foreach (var target in request.Tasks.Keys)
        {
            await SendAsync(new ErasureTaskMessage(request.RequestId, target), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }

        await audit.RecordAsync("privacy-api", "erasure.started", customerId, "accepted", request.RequestId, cancellationToken).ConfigureAwait(false);
        LogStarted(logger, request.RequestId);
        return request;
    }

    /// <summary>How long a task that must wait for another one sleeps before it looks again.</summary>
    public static readonly TimeSpan NotReadyRetryDelay = TimeSpan.FromSeconds(30);

    private Task SendAsync(ErasureTaskMessage message, TimeSpan delay, CancellationToken cancellationToken) =>
        queue.SendAsync(Queues.ErasureTasks, JsonSerializer.Serialize(message, Json.Options), delay, cancellationToken);

    public Task<ErasureRequest?> GetAsync(string requestId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<ErasureRequest>(Collections.Erasures, requestId, requestId, cancellationToken);

    /// <summary>Runs one store's task; rethrows a failure after recording it so the queue retries.</summary>
    public async Task RunTaskAsync(ErasureTaskMessage message, CancellationToken cancellationToken = default)
    {
        var request = await GetAsync(message.RequestId, cancellationToken).ConfigureAwait(false);
        if (request?.CustomerId is not { } customerId || request.Tasks.GetValueOrDefault(message.Target)?.State == ErasureState.Done)
        {
            return; // unknown, finished, or this task already done: a redelivery
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

        if (updated?.Status == "completed")
        {
            await audit.RecordAsync("erasure-workflow", "erasure.completed", customerId, "completed", message.RequestId, cancellationToken).ConfigureAwait(false);
            LogCompleted(logger, message.RequestId);
        }
    }

    private Task<int> EraseAsync(ErasureTarget target, IReadOnlyList<string> subjects, CancellationToken cancellationToken) => target switch
    {
        ErasureTarget.Profile => ForEachAsync(subjects, s => profiles.DeleteAsync(s, cancellationToken)),
        ErasureTarget.Recommendations => ForEachAsync(subjects, s => recommendations.DeleteCacheAsync(s, cancellationToken)),
        ErasureTarget.Workflows => EraseWorkflowStateAsync(subjects, cancellationToken),
        ErasureTarget.CustomerDirectory => ForEachAsync(subjects, s => profiles.UnregisterCustomerAsync(s, cancellationToken)),
        ErasureTarget.ExperimentAssignments => experiments.EraseSubjectsAsync(subjects, cancellationToken),
        ErasureTarget.ProductWatchers => watchers.ForgetAsync(subjects, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "unknown erasure target"),
    };

    /// <summary>
    /// Once the archive holds none of the customer's events, retrains the served algorithm on it
    /// (excluding the subjects as well), serves the result, and bars every older version from being
    /// served again. Returns 1 when a model was replaced.
    /// </summary>
    private async Task<int> EraseFromModelsAsync(ErasureRequest request, IReadOnlyList<string> subjects, CancellationToken cancellationToken)
    {
        if (request.Tasks.GetValueOrDefault(ErasureTarget.EventArchive)?.State != ErasureState.Done)
        {
            throw new ErasureNotReadyException("waiting for the event archive task: the model is retrained from the cleaned archive");
        }

        var erasedAt = timeProvider.GetUtcNow();
        var replaced = 0;
        if (await models.GetPointerAsync(cancellationToken).ConfigureAwait(false) is not null)
        {
            await retraining.RetrainAsync(request.RequestId, new HashSet<string>(subjects, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            replaced = 1;
        }

        await models.RecordErasureAsync(erasedAt, cancellationToken).ConfigureAwait(false);
        return replaced;
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
                request.CustomerId = null;
                request.Subjects = [];
            }

            return request;
        }, cancellationToken);

    public static string HashOf(string customerId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(customerId)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Erasure {RequestId} started")]
    private static partial void LogStarted(ILogger logger, string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Erasure {RequestId} completed")]
    private static partial void LogCompleted(ILogger logger, string requestId);
}

/// <summary>A task that must wait for another one; the queue delivers it again later.</summary>
public sealed class ErasureNotReadyException(string message) : Exception(message);
