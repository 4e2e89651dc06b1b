using System.Text.Json;
using Microsoft.Extensions.Logging;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Messaging;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;

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
public sealed class PostPurchaseWorkflow(WorkflowServices services, MessageSources sources, ILogger<PostPurchaseWorkflow> logger)
    : MessageTimerWorkflow<PostPurchaseState, PostPurchaseTimerMessage>(services, logger, Queue, Kind), IQueueStep<PostPurchaseTimerMessage>
{
    /// <summary>Its timers' queue: its entry in <c>Ports/Storage/queues.json</c> (<see cref="IQueueStep{TMessage}"/>).</summary>
    public static string Queue => "post-purchase";

    public const string InstancePrefix = "post-purchase:";
    public const string Kind = "post_purchase";
    public static readonly TimeSpan Delay = TimeSpan.FromDays(3);

    public static string InstanceId(string orderId) => InstancePrefix + orderId;

    public Task<PostPurchaseState?> GetAsync(string customerId, string orderId, CancellationToken cancellationToken = default) =>
        ReadStateAsync(customerId, InstanceId(orderId), cancellationToken);

    /// <summary>Every order instance of a customer (one single-partition read).</summary>
    public Task<IReadOnlyList<PostPurchaseState>> ListAsync(string customerId, CancellationToken cancellationToken = default) =>
        Services.Documents.ListAsync<PostPurchaseState>(Collections.Workflows, customerId, InstancePrefix, cancellationToken);

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

        state.Record(Now, $"purchase seen: {string.Join(", ", state.Bought.Keys)}");
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
            var now = Now;
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

        state.Record(Now, $"returned: {string.Join(", ", @return.Lines!.Select(l => l.ProductId))}");
        CancelIfWhollyReturned(state);
        return state;
    }

    /// <summary>A timer read from the queue names its customer and its order.</summary>
    public override bool IsComplete(PostPurchaseTimerMessage timer) => base.IsComplete(timer) && !string.IsNullOrEmpty(timer.OrderId);

    Task IQueueStep<PostPurchaseTimerMessage>.RunAsync(PostPurchaseTimerMessage message, CancellationToken cancellationToken) => WakeAsync(message, cancellationToken);

    /// <summary>Step 2, the timer fired: decide, then hand the message to the outbox (Armed → Sending → Sent), or not (→ Suppressed).</summary>
    public async Task WakeAsync(PostPurchaseTimerMessage message, CancellationToken cancellationToken = default)
    {
        var now = Now;
        if (await WakeUpAsync(message, now, cancellationToken).ConfigureAwait(false) is not { } state)
        {
            return;
        }

        var profile = await sources.Profiles.GetAsync(message.CustomerId, cancellationToken).ConfigureAwait(false);
        var products = await sources.Catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        // Sensitive products (health, religion, ...) are never shown nor used to pick recommendations.
        var kept = state.Kept.Where(p => !(products.TryGetValue(p, out var product) && product.Sensitive)).ToList();
        var suppression = sources.SuppressionReason(profile, Channel, now)
            ?? (kept.Count == 0 ? "suppressed: no product of the order to cross-sell (order unknown, or only sensitive products)" : null);
        if (suppression is not null)
        {
            await SuppressAsync(message, suppression, cancellationToken).ConfigureAwait(false);
            return;
        }

        var messageId = WorkflowMessages.MessageId(InstancePrefix.TrimEnd(':'), message.CustomerId, message.OrderId);
        if (await SendAsync(message, messageId, now, sending => ComposeAsync(sending, kept, products, now, cancellationToken), cancellationToken).ConfigureAwait(false)
            is not null)
        {
            await FinishAsync(message, TimerOutcome.Sent, $"sent to outbox {messageId}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An operator cancels an order's cross-sell not yet decided; false when there was none.</summary>
    public Task<bool> CancelAsync(string customerId, string orderId, string reason, CancellationToken cancellationToken = default) =>
        CancelInstanceAsync(customerId, InstanceId(orderId), reason, cancellationToken, state => state.IsOpen);

    protected override string InstanceIdOf(PostPurchaseTimerMessage timer) => InstanceId(timer.OrderId);

    protected override string Describe(PostPurchaseTimerMessage timer) => $"Post-purchase timer of generation {timer.Generation}";

    protected override string NoInstance => "no cross-sell is running for the order";

    private async Task<string> ComposeAsync(PostPurchaseState state, IReadOnlyList<string> kept, IReadOnlyDictionary<string, Product> products,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // "Bought with" the order's dearest product kept; nothing the order holds is recommended back.
        var seed = kept.OrderByDescending(p => products.TryGetValue(p, out var product) ? product.Price : 0).ThenBy(p => p, StringComparer.Ordinal).First();
        var request = new RecommendationRequest(state.CustomerId, Placement.AlsoBought, 4, seed) { ExcludeProductIds = state.Products.ToHashSet(StringComparer.Ordinal) };
        var recs = await sources.Recommendations.GetAsync(request, cancellationToken).ConfigureAwait(false);
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
            customerScores = await sources.LifecycleScores.ForAsync(state.CustomerId, cancellationToken: cancellationToken).ConfigureAwait(false),
        };
        return JsonSerializer.Serialize(message, Json.Options);
    }

    private static PostPurchaseState New(string customerId, string orderId) => new() { CustomerId = customerId, OrderId = orderId, Status = PostPurchaseStatus.AwaitingDelivery };

    /// <summary>Cancels an open instance whose order went back in full; true when it did.</summary>
    private bool CancelIfWhollyReturned(PostPurchaseState state)
    {
        if (!state.IsOpen || !state.WhollyReturned)
        {
            return false;
        }

        state.Cancel();
        state.Record(Now, "cancelled: the whole order was returned");
        return true;
    }

    private Task<PostPurchaseState?> UpdateAsync(string customerId, string orderId, Func<PostPurchaseState?, PostPurchaseState?> mutate, CancellationToken cancellationToken) =>
        UpdateStateAsync(customerId, InstanceId(orderId), mutate, cancellationToken);
}
