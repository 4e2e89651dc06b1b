using System.Text.Json;
using Microsoft.Extensions.Logging;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Storage;
using Recommender.Domain.Webhooks;

namespace Recommender.Domain.Workflows;

/// <summary>
/// Post-purchase cross-sell, one instance per order: the purchase tells what was bought, the
/// <c>delivery</c> event arms a timer <see cref="Delay"/> after the delivery, and a return of the whole
/// order before it fires cancels it. When it fires — only with email consent, when the customer may be
/// personalized for — one email goes to the outbox with the products kept and recommendations bought
/// with them (never the order's own products). Events may arrive in any order: a delivery before its
/// purchase arms from the delivered product ids, a return before the delivery stops it arming, and a
/// second delivery of the same order changes nothing. A delivery of an order whose products stay
/// unknown (no purchase event, no product ids) is suppressed with the reason when the timer fires.
/// Timer messages are at-least-once: the instance generation and status make stale ones do nothing.
/// Order events are at-least-once too: the instance remembers the ids of those it applied, so a replayed
/// purchase, delivery or return changes nothing — except that a replayed delivery of an armed instance
/// schedules its timer again (a crash may have come between arming and scheduling; a spare timer finds
/// its generation decided).
/// </summary>
public sealed partial class PostPurchaseWorkflow(
    IDocumentStore documents,
    LifecycleScores lifecycleScores,
    IWorkQueue queue,
    ProfileStore profiles,
    CatalogProvider catalog,
    RecommendationService recommendations,
    WebhookSender webhooks,
    MessageOutbox outbox,
    WorkflowStats stats,
    TimeProvider timeProvider,
    ILogger<PostPurchaseWorkflow> logger,
    Privacy.TimerSeal timerSeal)
{
    public const string InstancePrefix = "post-purchase:";
    public const string Channel = MessageChannels.Email;
    public const string Kind = "post_purchase";
    public static readonly TimeSpan Delay = TimeSpan.FromDays(3);

    public static string InstanceId(string orderId) => InstancePrefix + orderId;

    public Task<PostPurchaseState?> GetAsync(string customerId, string orderId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<PostPurchaseState>(Collections.Workflows, customerId, InstanceId(orderId), cancellationToken);

    /// <summary>Every order instance of a customer (one single-partition read).</summary>
    public Task<IReadOnlyList<PostPurchaseState>> ListAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.ListAsync<PostPurchaseState>(Collections.Workflows, customerId, InstancePrefix, cancellationToken);

    /// <summary>Step 1, at ingestion: a customer's purchases, deliveries and returns, in event-time order.</summary>
    public async Task OnOrderEventsAsync(string customerId, IEnumerable<ClickstreamEvent> events, CancellationToken cancellationToken = default)
    {
        foreach (var e in events)
        {
            switch (e.Type)
            {
                case EventType.Purchase:
                    await UpdateAsync(customerId, e.OrderId!, state => FirstTime(state, customerId, e) is { } s ? OnPurchased(s, e) : null, cancellationToken).ConfigureAwait(false);
                    break;
                case EventType.Delivery:
                    await OnDeliveredAsync(customerId, e, cancellationToken).ConfigureAwait(false);
                    break;
                case EventType.Return:
                    await UpdateAsync(customerId, e.OrderId!, state => FirstTime(state, customerId, e) is { } s ? OnReturned(s, e) : null, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>The order's instance (new if need be) with <paramref name="e"/> marked applied; null when it was already.</summary>
    private static PostPurchaseState? FirstTime(PostPurchaseState? state, string customerId, ClickstreamEvent e)
    {
        state ??= New(customerId, e.OrderId!);
        return state.MarkApplied(e.Id) ? state : null;
    }

    /// <summary>The purchase says what the order holds (the first one counts).</summary>
    private PostPurchaseState OnPurchased(PostPurchaseState state, ClickstreamEvent purchase)
    {
        if (state.Bought.Count > 0)
        {
            return state; // another purchase event of the order: only its id is remembered
        }

        foreach (var line in purchase.Lines!)
        {
            state.Bought[line.ProductId] = state.Bought.GetValueOrDefault(line.ProductId) + line.Quantity;
        }

        state.Record(timeProvider.GetUtcNow(), $"purchase seen: {string.Join(", ", state.Bought.Keys)}");
        CancelIfWhollyReturned(state); // a return that arrived before its purchase
        return state;
    }

    /// <summary>
    /// The first delivery arms the timer; a delivery of an order already returned, decided or cancelled arms
    /// nothing. The same delivery replayed while the instance is still armed schedules the timer again: a crash
    /// may have come after the arm was written and before its timer was sent.
    /// </summary>
    private async Task OnDeliveredAsync(string customerId, ClickstreamEvent delivery, CancellationToken cancellationToken)
    {
        bool armedNow = false, replayed = false;
        var state = await UpdateAsync(customerId, delivery.OrderId!, s =>
        {
            armedNow = false;
            replayed = s is not null && s.AppliedEvents.Contains(delivery.Id, StringComparer.Ordinal);
            if (FirstTime(s, customerId, delivery) is not { } first)
            {
                return null;
            }

            s = first;
            var now = timeProvider.GetUtcNow();
            if (s.DeliveredAt is not null)
            {
                return s; // delivered again (a repeated event): the first delivery counts
            }

            s.DeliveredAt = delivery.OccurredAt;
            s.Delivered = [.. delivery.ProductIds ?? []];
            if (s.Status != PostPurchaseStatus.AwaitingDelivery || CancelIfWhollyReturned(s))
            {
                s.Record(now, $"delivered at {delivery.OccurredAt:O}; nothing to arm ({Json.ToElement(s.Status).GetString()})");
                return s;
            }

            s.Generation++;
            s.Status = PostPurchaseStatus.Armed;
            s.DueAt = delivery.OccurredAt + Delay;
            s.Record(now, $"delivered at {delivery.OccurredAt:O}; cross-sell armed for {s.DueAt:O}");
            armedNow = true;
            return s;
        }, cancellationToken).ConfigureAwait(false);
        if ((armedNow || replayed) && state is { Status: PostPurchaseStatus.Armed, DueAt: { } dueAt })
        {
            await ScheduleAsync(new PostPurchaseTimerMessage(customerId, state.OrderId, state.Generation), dueAt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Returns add up; once every product went back, the cross-sell is cancelled (before it fires).</summary>
    private PostPurchaseState OnReturned(PostPurchaseState state, ClickstreamEvent @return)
    {
        foreach (var line in @return.Lines!)
        {
            state.Returned[line.ProductId] = state.Returned.GetValueOrDefault(line.ProductId) + line.Quantity;
        }

        state.Record(timeProvider.GetUtcNow(), $"returned: {string.Join(", ", @return.Lines!.Select(l => l.ProductId))}");
        CancelIfWhollyReturned(state);
        return state;
    }

    /// <summary>Step 2, the timer fired: decide, then hand the message to the outbox (Armed → Sending → Sent).</summary>
    public async Task WakeAsync(PostPurchaseTimerMessage message, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var state = await GetAsync(message.CustomerId, message.OrderId, cancellationToken).ConfigureAwait(false);
        if (state is null || !IsCurrent(state, message))
        {
            LogStale(logger, message.Generation, state switch
            {
                null => "no cross-sell is running for the order (never armed, expired, or erased)",
                _ when state.Generation != message.Generation => $"superseded by generation {state.Generation}",
                _ => $"the cross-sell is decided already ({state.Status})",
            });
            return;
        }

        if (state.DueAt is { } dueAt && now < dueAt)
        {
            await ScheduleAsync(message, dueAt, cancellationToken).ConfigureAwait(false); // woken early
            return;
        }

        var profile = await profiles.GetAsync(message.CustomerId, cancellationToken).ConfigureAwait(false);
        var products = await catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        // Sensitive products (health, religion, ...) are never shown nor used to pick recommendations.
        var kept = state.Kept.Where(p => !(products.TryGetValue(p, out var product) && product.Sensitive)).ToList();
        var suppression = WorkflowMessages.SuppressionReason(profile, Channel, webhooks.IsConfigured(Channel), now)
            ?? (kept.Count == 0 ? "suppressed: no product of the order to cross-sell (order unknown, or only sensitive products)" : null);
        if (suppression is not null)
        {
            LogSuppressed(logger, suppression);
            if (await FinishAsync(message, PostPurchaseStatus.Suppressed, suppression, cancellationToken).ConfigureAwait(false))
            {
                await stats.CountAsync(Kind, OutboxStatus.Suppressed, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // Record the decision and its key first: a crash and a redelivered timer hand the same message id to the outbox again.
        var messageId = WorkflowMessages.MessageId(InstancePrefix.TrimEnd(':'), message.CustomerId, message.OrderId);
        var sending = await UpdateAsync(message.CustomerId, message.OrderId, s =>
        {
            if (s is null || !IsCurrent(s, message) || s.Status == PostPurchaseStatus.Sending)
            {
                return null;
            }

            s.Status = PostPurchaseStatus.Sending;
            s.MessageId = messageId;
            s.Record(now, $"sending {messageId}");
            return s;
        }, cancellationToken).ConfigureAwait(false);
        if (sending is null || !IsCurrent(sending, message) || sending.Status != PostPurchaseStatus.Sending)
        {
            LogNotClaimed(logger, message.Generation);
            return;
        }

        var body = await ComposeAsync(sending, kept, products, now, cancellationToken).ConfigureAwait(false);
        await outbox.EnqueueAsync(new OutboundMessage(messageId, message.CustomerId, Channel, Kind, body, now, now), cancellationToken).ConfigureAwait(false);
        await FinishAsync(message, PostPurchaseStatus.Sent, $"sent to outbox {messageId}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An operator cancels an order's cross-sell not yet decided; false when there was none.</summary>
    public async Task<bool> CancelAsync(string customerId, string orderId, string reason, CancellationToken cancellationToken = default)
    {
        var cancelled = false;
        await UpdateAsync(customerId, orderId, state =>
        {
            cancelled = state is { IsOpen: true };
            return cancelled ? Cancel(state!, reason) : null;
        }, cancellationToken).ConfigureAwait(false);
        return cancelled;
    }

    private async Task<string> ComposeAsync(PostPurchaseState state, IReadOnlyList<string> kept, IReadOnlyDictionary<string, Product> products,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // "Bought with" the order's dearest product kept; nothing the order holds is recommended back.
        var seed = kept.OrderByDescending(p => products.TryGetValue(p, out var product) ? product.Price : 0).ThenBy(p => p, StringComparer.Ordinal).First();
        var request = new RecommendationRequest(state.CustomerId, Placement.AlsoBought, 4, seed) { ExcludeProductIds = state.Products.ToHashSet(StringComparer.Ordinal) };
        var recs = await recommendations.GetAsync(request, cancellationToken).ConfigureAwait(false);
        var message = new
        {
            messageId = state.MessageId,
            type = Kind,
            channel = Channel,
            customerId = state.CustomerId,
            createdAt = now,
            orderId = state.OrderId,
            deliveredAt = state.DeliveredAt,
            order = kept.Select(p => ProductCard.Of(p, products)).ToList(),
            recommendations = recs,
            customerScores = await lifecycleScores.ForAsync(state.CustomerId, cancellationToken: cancellationToken).ConfigureAwait(false),
        };
        return JsonSerializer.Serialize(message, Json.Options);
    }

    private static PostPurchaseState New(string customerId, string orderId) => new() { CustomerId = customerId, OrderId = orderId, Status = PostPurchaseStatus.AwaitingDelivery };

    private static bool IsCurrent(PostPurchaseState state, PostPurchaseTimerMessage message) =>
        state.Generation == message.Generation && state.Status is PostPurchaseStatus.Armed or PostPurchaseStatus.Sending;

    /// <summary>Cancels an open instance whose order went back in full; true when it did.</summary>
    private bool CancelIfWhollyReturned(PostPurchaseState state)
    {
        if (!state.IsOpen || !state.WhollyReturned)
        {
            return false;
        }

        Cancel(state, "the whole order was returned");
        return true;
    }

    private PostPurchaseState Cancel(PostPurchaseState state, string reason)
    {
        state.Generation++;
        state.Status = PostPurchaseStatus.Cancelled;
        state.DueAt = null;
        state.Record(timeProvider.GetUtcNow(), $"cancelled: {reason}");
        return state;
    }

    /// <summary>Ends the instance if <paramref name="message"/> is still current; true when this call did.</summary>
    private async Task<bool> FinishAsync(PostPurchaseTimerMessage message, PostPurchaseStatus status, string what, CancellationToken cancellationToken)
    {
        var finished = false;
        await UpdateAsync(message.CustomerId, message.OrderId, s =>
        {
            finished = s is not null && IsCurrent(s, message);
            if (!finished)
            {
                return null;
            }

            s!.Status = status;
            s.DueAt = null;
            s.Record(timeProvider.GetUtcNow(), what);
            return s;
        }, cancellationToken).ConfigureAwait(false);
        return finished;
    }

    private Task ScheduleAsync(PostPurchaseTimerMessage message, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        timerSeal.ScheduleAsync(queue, Queues.PostPurchase, message, message.CustomerId, dueAt, cancellationToken);

    private Task<PostPurchaseState?> UpdateAsync(string customerId, string orderId, Func<PostPurchaseState?, PostPurchaseState?> mutate, CancellationToken cancellationToken) =>
        documents.UpdateAsync(Collections.Workflows, customerId, InstanceId(orderId), mutate, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Post-purchase timer of generation {Generation} is stale, nothing to do: {Reason}")]
    private static partial void LogStale(ILogger logger, int generation, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Post-purchase timer of generation {Generation}: decided by a concurrent delivery of the same timer, or cancelled meanwhile; nothing to do")]
    private static partial void LogNotClaimed(ILogger logger, int generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Post-purchase cross-sell not sent: {Reason}")]
    private static partial void LogSuppressed(ILogger logger, string reason);
}
