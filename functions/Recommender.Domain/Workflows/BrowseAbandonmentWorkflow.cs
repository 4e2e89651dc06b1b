using System.Text.Json;
using Microsoft.Extensions.Logging;
using Recommender.Domain.Catalog;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Storage;
using Recommender.Domain.Webhooks;

namespace Recommender.Domain.Workflows;

/// <summary>State of a customer's browse-abandonment reminder (collection <c>workflows</c>, id <see cref="BrowseAbandonmentWorkflow.InstanceId"/>).</summary>
public sealed class BrowseAbandonmentState
{
    public required string CustomerId { get; init; }
    public CartAbandonmentStatus Status { get; set; }
    public int Generation { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public string? MessageId { get; set; }
    public List<WorkflowEvent> History { get; set; } = [];

    public void Record(DateTimeOffset at, string what) => WorkflowEvent.Append(History, at, what, CartAbandonmentState.MaxHistory);
}

/// <summary>The browse-abandonment timer message.</summary>
public sealed record BrowseTimerMessage(string CustomerId, int Generation);

/// <summary>
/// Browse abandonment: product views with nothing added to the cart and nothing bought arm a
/// reminder <see cref="Delay"/> after the latest view (every new view moves it); a cart add or a
/// purchase cancels it. When it fires — only with email consent and an empty cart — one message
/// goes to the outbox with the products viewed and recommendations related to them; a reminder decided
/// not to send counts as suppressed in <see cref="WorkflowStats"/>. Timer messages are at-least-once:
/// the instance generation makes superseded ones do nothing.
/// </summary>
public sealed partial class BrowseAbandonmentWorkflow(
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
    ILogger<BrowseAbandonmentWorkflow> logger,
    Privacy.TimerSeal timerSeal)
{
    public const string InstanceId = "browse-abandonment";
    public const string Channel = MessageChannels.Email;
    public const string Kind = "browse_abandonment";
    public static readonly TimeSpan Delay = TimeSpan.FromHours(2);

    public Task<BrowseAbandonmentState?> GetAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<BrowseAbandonmentState>(Collections.Workflows, customerId, InstanceId, cancellationToken);

    /// <summary>After a batch with product views: (re)arm for two hours after the latest view, unless the cart holds something.</summary>
    public async Task OnViewedAsync(CustomerProfile profile, CancellationToken cancellationToken = default)
    {
        if (profile.Cart.Count > 0 || profile.RecentViews.Count == 0)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        var dueAt = profile.RecentViews[0].At + Delay;
        var armed = await UpdateAsync(profile.CustomerId, state =>
        {
            state ??= new BrowseAbandonmentState { CustomerId = profile.CustomerId };
            if (state.Generation > 0 && state.DueAt == dueAt)
            {
                return null; // these views were handled before (a replayed batch): armed, sent or cancelled, that stands
            }

            state.Generation++;
            state.Status = CartAbandonmentStatus.Armed;
            state.DueAt = dueAt;
            state.MessageId = null;
            state.Record(now, $"armed for {dueAt:O}");
            return state;
        }, cancellationToken).ConfigureAwait(false);
        if (armed is { Status: CartAbandonmentStatus.Armed } && armed.DueAt == dueAt)
        {
            await ScheduleAsync(new BrowseTimerMessage(profile.CustomerId, armed.Generation), dueAt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A cart add, a purchase or an operator ends the wait (its pending timer becomes stale) — with
    /// <paramref name="notViewedAfter"/> (a replayed cart change), only a wait armed by views no later
    /// than it. False when none was running.
    /// </summary>
    public async Task<bool> CancelAsync(string customerId, string reason, DateTimeOffset? notViewedAfter = null, CancellationToken cancellationToken = default)
    {
        var cancelled = false;
        await UpdateAsync(customerId, state =>
        {
            cancelled = state is { Status: CartAbandonmentStatus.Armed } && !(state.DueAt - Delay > notViewedAfter);
            if (!cancelled)
            {
                return null;
            }

            state!.Generation++;
            state.Status = CartAbandonmentStatus.Cancelled;
            state.Record(timeProvider.GetUtcNow(), $"cancelled: {reason}");
            return state;
        }, cancellationToken).ConfigureAwait(false);
        return cancelled;
    }

    public async Task WakeAsync(BrowseTimerMessage message, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var state = await GetAsync(message.CustomerId, cancellationToken).ConfigureAwait(false);
        if (state is null || state.Generation != message.Generation || state.Status is not (CartAbandonmentStatus.Armed or CartAbandonmentStatus.Sending))
        {
            LogStale(logger, message.Generation, state switch
            {
                null => "no reminder is running for the customer (never armed, expired, or erased)",
                _ when state.Generation != message.Generation => $"superseded by the browse session of generation {state.Generation}",
                _ => $"the reminder is decided already ({state.Status})",
            });
            return;
        }

        if (now < state.DueAt)
        {
            await ScheduleAsync(message, state.DueAt, cancellationToken).ConfigureAwait(false);
            return;
        }

        var profile = await profiles.GetAsync(message.CustomerId, cancellationToken).ConfigureAwait(false);
        var suppression = state.Status == CartAbandonmentStatus.Sending ? null // decided before a crash: hand it over
            : profile is { Cart.Count: > 0 } ? "suppressed: the cart holds something (cart abandonment takes over)"
            : WorkflowMessages.SuppressionReason(profile, Channel, webhooks.IsConfigured(Channel), now);
        if (profile is null || suppression is not null)
        {
            if (await DecideAsync(message, CartAbandonmentStatus.Suppressed, suppression ?? "suppressed: customer unknown", cancellationToken).ConfigureAwait(false))
            {
                await stats.CountAsync(Kind, OutboxStatus.Suppressed, cancellationToken).ConfigureAwait(false); // once: a redelivered timer finds it decided
            }

            return;
        }

        // Armed → Sending → Sent: the decision and its message id are recorded before the outbox hears of
        // it, so a crash anywhere brings the timer back to a Sending state that hands the same id over
        // again — and the outbox keeps the first message per id (it runs the send rules at send time).
        var messageId = $"{InstanceId}:{message.CustomerId}:{message.Generation}";
        if (await DecideAsync(message, CartAbandonmentStatus.Sending, $"sending {messageId}", cancellationToken).ConfigureAwait(false))
        {
            var body = await ComposeAsync(profile, messageId, now, cancellationToken).ConfigureAwait(false);
            await outbox.EnqueueAsync(new OutboundMessage(messageId, message.CustomerId, Channel, Kind, body, now, now), cancellationToken).ConfigureAwait(false);
            await DecideAsync(message, CartAbandonmentStatus.Sent, $"sent to outbox {messageId}", cancellationToken).ConfigureAwait(false);
        }
        else
        {
            LogNotClaimed(logger, message.Generation);
        }
    }

    /// <summary>Moves the instance of <paramref name="message"/> on to <paramref name="status"/>; false when it moved on otherwise (superseded, decided).</summary>
    private async Task<bool> DecideAsync(BrowseTimerMessage message, CartAbandonmentStatus status, string what, CancellationToken cancellationToken)
    {
        var state = await UpdateAsync(message.CustomerId, s =>
        {
            if (s is null || s.Generation != message.Generation || s.Status is not (CartAbandonmentStatus.Armed or CartAbandonmentStatus.Sending)
                || s.Status == status)
            {
                return null;
            }

            s.Status = status;
            s.MessageId = status == CartAbandonmentStatus.Suppressed ? null : $"{InstanceId}:{message.CustomerId}:{message.Generation}";
            s.Record(timeProvider.GetUtcNow(), what);
            return s;
        }, cancellationToken).ConfigureAwait(false);
        return state is not null && state.Generation == message.Generation && state.Status == status;
    }

    private async Task<string> ComposeAsync(CustomerProfile profile, string messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var products = await catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var viewed = profile.RecentViews.Take(3).Select(v => ProductCard.Of(v.ProductId, products)).ToList();
        var recs = await recommendations.GetAsync(new RecommendationRequest(profile.CustomerId, Placement.Product, 4, profile.RecentViews[0].ProductId), cancellationToken).ConfigureAwait(false);
        var customerScores = await lifecycleScores.ForAsync(profile.CustomerId, profile, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Serialize(new { messageId, type = Kind, channel = Channel, customerId = profile.CustomerId, createdAt = now, viewed, recommendations = recs, customerScores },
            Json.Options);
    }

    private Task ScheduleAsync(BrowseTimerMessage message, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        timerSeal.ScheduleAsync(queue, Queues.BrowseAbandonment, message, message.CustomerId, dueAt, cancellationToken);

    private Task<BrowseAbandonmentState?> UpdateAsync(string customerId, Func<BrowseAbandonmentState?, BrowseAbandonmentState?> mutate, CancellationToken cancellationToken) =>
        documents.UpdateAsync(Collections.Workflows, customerId, InstanceId, mutate, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Browse abandonment timer of generation {Generation} is stale, nothing to do: {Reason}")]
    private static partial void LogStale(ILogger logger, int generation, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Browse abandonment timer of generation {Generation}: decided by a concurrent delivery of the same timer, or superseded meanwhile; nothing to do")]
    private static partial void LogNotClaimed(ILogger logger, int generation);
}
