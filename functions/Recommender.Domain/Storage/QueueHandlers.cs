using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Messaging;
using Recommender.Domain.Privacy;
using Recommender.Domain.Segments;
using Recommender.Domain.Training;
using Recommender.Domain.Workflows;

namespace Recommender.Domain.Storage;

/// <summary>
/// The handler of each queue of <c>queues.json</c>: its message type, when a message is complete, and the
/// step it runs. One line per queue, next to the registry entry; the dispatcher refuses to start when a
/// queue of the registry has no handler here, or a handler names a queue the registry does not declare.
/// </summary>
public static class QueueHandlers
{
    public static IServiceCollection AddQueueHandlers(this IServiceCollection services) => services
        .AddQueueHandler<CartAbandonmentWorkflow, CartTimerMessage>(Queues.CartAbandonment, (workflow, m, ct) => workflow.WakeAsync(m, ct),
            m => !string.IsNullOrEmpty(m.CustomerId))
        .AddQueueHandler<BrowseAbandonmentWorkflow, BrowseTimerMessage>(Queues.BrowseAbandonment, (workflow, m, ct) => workflow.WakeAsync(m, ct),
            m => !string.IsNullOrEmpty(m.CustomerId))
        .AddQueueHandler<ErasureService, ErasureTaskMessage>(Queues.ErasureTasks, (erasure, m, ct) => erasure.RunTaskAsync(m, ct),
            m => !string.IsNullOrEmpty(m.RequestId) && Enum.IsDefined(m.Target))
        .AddQueueHandler<RetrainingService, RefreshMessage>(Queues.RecommendationRefresh, (retraining, m, ct) => retraining.RefreshShardAsync(m, ct),
            m => !string.IsNullOrEmpty(m.Shard) && !string.IsNullOrEmpty(m.ModelVersion))
        .AddQueueHandler<TrainingWorkflow, TrainingMessage>(Queues.Training, (training, m, ct) => training.RunAsync(m, ct),
            m => !string.IsNullOrEmpty(m.RunId))
        .AddQueueHandler<DeliveryService, DeliveryMessage>(Queues.Delivery, (delivery, m, ct) => delivery.DeliverAsync(m, ct),
            m => !string.IsNullOrEmpty(m.CustomerId) && !string.IsNullOrEmpty(m.MessageId) && m.Generation >= 0)
        .AddQueueHandler<CatalogAlertsWorkflow, CatalogAlertMessage>(Queues.CatalogAlerts, (workflow, m, ct) => workflow.HandleAsync(m, ct),
            m => m.IsWellFormed)
        .AddQueueHandler<PostPurchaseWorkflow, PostPurchaseTimerMessage>(Queues.PostPurchase, (workflow, m, ct) => workflow.WakeAsync(m, ct),
            m => !string.IsNullOrEmpty(m.CustomerId) && !string.IsNullOrEmpty(m.OrderId))
        .AddQueueHandler<ReplenishmentWorkflow, ReplenishmentTimerMessage>(Queues.Replenishment, (workflow, m, ct) => workflow.WakeAsync(m, ct),
            m => !string.IsNullOrEmpty(m.CustomerId))
        .AddQueueHandler<SegmentationWorkflow, SegmentationMessage>(Queues.Segmentation, (segmentation, m, ct) => segmentation.HandleAsync(m, ct),
            m => m.IsWellFormed);
}
