using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Messaging;
using Recommender.Domain.Privacy;
using Recommender.Domain.Segments;
using Recommender.Domain.Storage;
using Recommender.Domain.Training;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Messaging;

/// <summary>The outcome of handling one queue message.</summary>
public enum DispatchOutcome
{
    Done,
    /// <summary>The message can never succeed (malformed, or naming what does not exist); it was dead-lettered with the reason.</summary>
    DeadLettered,
}

/// <summary>
/// Routes a queue message to its workflow step. Used by the queue-triggered function endpoints
/// (in Azure the host receives the message) and by the local queue pump (embedded mode).
/// A malformed message, or a well-formed one that could never do anything (<see cref="UnactionableMessageException"/>:
/// an erasure task for a request that does not exist), is dead-lettered with the reason, logged, and
/// reported done, since retrying it cannot help; a step that fails throws, so the queue redelivers it
/// and poisons it after the last attempt. A message with nothing left to do (a redelivery, a stale
/// timer) is logged by its step with why (Information), within a scope naming the queue and, for a sealed
/// timer, its customer's keyed reference (<see cref="TimerSeal.LogReferenceOf"/>; never a raw id); a sealed
/// timer whose customer was erased is logged here.
/// </summary>
public sealed partial class QueueDispatcher(CartAbandonmentWorkflow cartAbandonment, BrowseAbandonmentWorkflow browseAbandonment, ErasureService erasure, RetrainingService retraining, TrainingWorkflow training,
    DeliveryService delivery, DeadLetters deadLetters, TimeProvider timeProvider, CatalogAlertsWorkflow catalogAlerts,
    PostPurchaseWorkflow postPurchase, ReplenishmentWorkflow replenishment, TimerSeal timerSeal, SegmentationWorkflow segmentation, ILogger<QueueDispatcher> logger)
{
    /// <summary>Queues whose messages are workflow timers sealed for their customer (<see cref="TimerSeal"/>).</summary>
    private static readonly HashSet<string> SealedQueues = [Queues.CartAbandonment, Queues.BrowseAbandonment, Queues.PostPurchase, Queues.Replenishment, Queues.Delivery];

    public static readonly IReadOnlyDictionary<string, string> FunctionByQueue = new Dictionary<string, string>
    {
        [Queues.CartAbandonment] = "CartAbandonmentStep",
        [Queues.BrowseAbandonment] = "BrowseAbandonmentStep",
        [Queues.ErasureTasks] = "ErasureTask",
        [Queues.RecommendationRefresh] = "RefreshRecommendations",
        [Queues.Training] = "TrainingStep",
        [Queues.Delivery] = "DeliverMessage",
        [Queues.CatalogAlerts] = "CatalogAlertStep",
        [Queues.PostPurchase] = "PostPurchaseStep",
        [Queues.Replenishment] = "ReplenishmentStep",
        [Queues.Segmentation] = "SegmentationStep",
    };

    /// <param name="messageId">The queue message's own id (the host's metadata, the local queue's), named by its dead letter if it gets one.</param>
    private async Task<DispatchOutcome> DispatchStepAsync(string queue, string body, string? messageId, CancellationToken cancellationToken)
    {
        string? type = null; // the message type and the field a malformed message fails on, set by Parse: for the dead letter
        string? field = null;
        var subject = SealedQueues.Contains(queue) ? TimerSeal.LogReferenceOf(body) : null;
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["Queue"] = queue, ["SubjectRef"] = subject });
        try
        {
            if (SealedQueues.Contains(queue))
            {
                // A timer of an erased customer opens to nothing (its key is gone): discarded, nothing to do.
                if (await timerSeal.OpenAsync(queue, body, cancellationToken).ConfigureAwait(false) is not { } opened)
                {
                    LogShredded(logger, queue, subject ?? "none");
                    return DispatchOutcome.Done;
                }

                body = opened;
            }

            switch (queue)
            {
                case Queues.CartAbandonment:
                    await cartAbandonment.WakeAsync(Parse<CartTimerMessage>(body, m => !string.IsNullOrEmpty(m.CustomerId)), cancellationToken).ConfigureAwait(false);
                    break;
                case Queues.BrowseAbandonment:
                    await browseAbandonment.WakeAsync(Parse<BrowseTimerMessage>(body, m => !string.IsNullOrEmpty(m.CustomerId)), cancellationToken).ConfigureAwait(false);
                    break;
                case Queues.ErasureTasks:
                    await erasure.RunTaskAsync(Parse<ErasureTaskMessage>(body, m => !string.IsNullOrEmpty(m.RequestId) && Enum.IsDefined(m.Target)), cancellationToken).ConfigureAwait(false);
                    break;
                case Queues.RecommendationRefresh:
                    await retraining.RefreshShardAsync(Parse<RefreshMessage>(body, m => !string.IsNullOrEmpty(m.Shard) && !string.IsNullOrEmpty(m.ModelVersion)), cancellationToken).ConfigureAwait(false);
                    break;
                case Queues.Training:
                    await training.RunAsync(Parse<TrainingMessage>(body, m => !string.IsNullOrEmpty(m.RunId)), cancellationToken).ConfigureAwait(false);
                    break;
                case Queues.Delivery:
                    await delivery.DeliverAsync(Parse<DeliveryMessage>(body, m => !string.IsNullOrEmpty(m.CustomerId) && !string.IsNullOrEmpty(m.MessageId) && m.Generation >= 0), cancellationToken).ConfigureAwait(false);
                    break;
                case Queues.CatalogAlerts:
                    await catalogAlerts.HandleAsync(Parse<CatalogAlertMessage>(body, m => m.IsWellFormed), cancellationToken).ConfigureAwait(false);
                    break;
                case Queues.PostPurchase:
                    await postPurchase.WakeAsync(Parse<PostPurchaseTimerMessage>(body, m => !string.IsNullOrEmpty(m.CustomerId) && !string.IsNullOrEmpty(m.OrderId)), cancellationToken).ConfigureAwait(false);
                    break;
                case Queues.Replenishment:
                    await replenishment.WakeAsync(Parse<ReplenishmentTimerMessage>(body, m => !string.IsNullOrEmpty(m.CustomerId)), cancellationToken).ConfigureAwait(false);
                    break;
                case Queues.Segmentation:
                    await segmentation.HandleAsync(Parse<SegmentationMessage>(body, m => m.IsWellFormed), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new MalformedMessageException($"no handler for queue '{queue}'");
            }

            return DispatchOutcome.Done;
        }
        catch (Exception ex) when (ex is MalformedMessageException or UnactionableMessageException)
        {
            LogDeadLettered(logger, queue, ex.Message);
            var now = timeProvider.GetUtcNow();
            // Never the raw body: its identifiers that name no one, keyed references for those that do (DeadLetterForms.Queued).
            var letter = DeadLetterForms.Queued(ex.Message, queue, body, now, messageId, type, field, deadLetters.KeyedRef);
            await deadLetters.WriteAsync($"queue-{queue}-{Guid.CreateVersion7(now):N}", [letter], now, cancellationToken).ConfigureAwait(false);
            return DispatchOutcome.DeadLettered;
        }

        T Parse<T>(string text, Func<T, bool> isComplete)
        {
            type = typeof(T).Name;
            try
            {
                var value = JsonSerializer.Deserialize<T>(text, Json.Options) ?? throw new MalformedMessageException("message is null");
                return isComplete(value) ? value : throw new MalformedMessageException($"message is not a complete {type}");
            }
            catch (JsonException ex)
            {
                // The reason names the field and position, never the value read there (it may be personal data).
                field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
                throw new MalformedMessageException(field is null
                    ? $"message is not a valid {type}: not well-formed JSON (line {ex.LineNumber ?? 0}, byte {ex.BytePositionInLine ?? 0})"
                    : $"message is not a valid {type}: {field} is missing, null or of the wrong type");
            }
        }
    }

    private sealed class MalformedMessageException(string message) : Exception(message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: timer of subject {SubjectRef} discarded, nothing to do: its key is gone (the customer was erased) or it does not open")]
    private static partial void LogShredded(ILogger logger, string queue, string subjectRef);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: message dead-lettered, it can never do anything: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string queue, string reason);
}
