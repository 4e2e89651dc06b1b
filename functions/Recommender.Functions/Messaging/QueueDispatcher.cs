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
    /// <summary>The message can never succeed (malformed); it was dead-lettered with the reason.</summary>
    DeadLettered,
}

/// <summary>
/// Routes a queue message to its workflow step. Used by the queue-triggered function endpoints
/// (in Azure the host receives the message) and by the local queue pump (embedded mode).
/// A malformed message is dead-lettered and reported done, since retrying it cannot help; a step
/// that fails throws, so the queue redelivers it and poisons it after the last attempt.
/// </summary>
public sealed class QueueDispatcher(CartAbandonmentWorkflow cartAbandonment, BrowseAbandonmentWorkflow browseAbandonment, ErasureService erasure, RetrainingService retraining, TrainingWorkflow training,
    DeliveryService delivery, DeadLetters deadLetters, TimeProvider timeProvider, CatalogAlertsWorkflow catalogAlerts,
    PostPurchaseWorkflow postPurchase, ReplenishmentWorkflow replenishment, SegmentationWorkflow segmentation)
{
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

    public async Task<DispatchOutcome> DispatchAsync(string queue, string body, CancellationToken cancellationToken = default)
    {
        try
        {
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
        catch (MalformedMessageException ex)
        {
            var now = timeProvider.GetUtcNow();
            await deadLetters.WriteAsync($"queue-{queue}-{Guid.CreateVersion7(now):N}", [new DeadLetter(ex.Message, body, $"queue:{queue}", now)], now, cancellationToken).ConfigureAwait(false);
            return DispatchOutcome.DeadLettered;
        }
    }

    private static T Parse<T>(string body, Func<T, bool> isComplete)
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(body, Json.Options) ?? throw new MalformedMessageException("message is null");
            return isComplete(value) ? value : throw new MalformedMessageException($"message is not a complete {typeof(T).Name}");
        }
        catch (JsonException ex)
        {
            throw new MalformedMessageException($"message is not a valid {typeof(T).Name}: {ex.Message}");
        }
    }

    private sealed class MalformedMessageException(string message) : Exception(message);
}
