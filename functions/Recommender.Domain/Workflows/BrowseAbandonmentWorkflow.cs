using System.Text.Json;
using Microsoft.Extensions.Logging;
using Recommender.Domain.Messaging;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Workflows;

/// <summary>State of a customer's browse-abandonment reminder (collection <c>workflows</c>, id <see cref="BrowseAbandonmentWorkflow.InstanceId"/>).</summary>
public sealed class BrowseAbandonmentState : AbandonmentState
{
    /// <summary>A suppressed reminder keeps no message id.</summary>
    protected override void End(TimerOutcome outcome)
    {
        base.End(outcome);
        if (outcome == TimerOutcome.Suppressed)
        {
            MessageId = null;
        }
    }
}

/// <summary>The browse-abandonment timer message.</summary>
public sealed record BrowseTimerMessage(string CustomerId, int Generation) : ITimerMessage;

/// <summary>
/// Browse abandonment: product views with nothing added to the cart and nothing bought arm a
/// reminder <see cref="Delay"/> after the latest view (every new view moves it); a cart add or a
/// purchase cancels it. When it fires — only with email consent and an empty cart — one message
/// goes to the outbox with the products viewed and recommendations related to them; a reminder decided
/// not to send counts as suppressed in <see cref="WorkflowStats"/>. Timer messages are at-least-once:
/// the instance generation makes superseded ones do nothing.
/// </summary>
public sealed class BrowseAbandonmentWorkflow(WorkflowServices services, MessageSources sources, ILogger<BrowseAbandonmentWorkflow> logger)
    : MessageTimerWorkflow<BrowseAbandonmentState, BrowseTimerMessage>(services, logger, Queue, Kind), IQueueStep<BrowseTimerMessage>
{
    /// <summary>Its timers' queue: its entry in <c>Ports/Storage/queues.json</c> (<see cref="IQueueStep{TMessage}"/>).</summary>
    public static string Queue => "browse-abandonment";

    public const string InstanceId = "browse-abandonment";
    public const string Kind = "browse_abandonment";
    public static readonly TimeSpan Delay = TimeSpan.FromHours(2);

    public Task<BrowseAbandonmentState?> GetAsync(string customerId, CancellationToken cancellationToken = default) =>
        ReadStateAsync(customerId, InstanceId, cancellationToken);

    /// <summary>After a batch with product views: (re)arm for two hours after the latest view, unless the cart holds something.</summary>
    public async Task OnViewedAsync(CustomerProfile profile, CancellationToken cancellationToken = default)
    {
        if (profile.Cart.Count > 0 || profile.RecentViews.Count == 0)
        {
            return;
        }

        var now = Now;
        var dueAt = profile.RecentViews[0].At + Delay;
        var armed = await UpdateStateAsync(profile.CustomerId, InstanceId, state =>
        {
            state ??= new BrowseAbandonmentState { CustomerId = profile.CustomerId };
            if (state.Generation > 0 && state.DueAt == dueAt)
            {
                return null; // these views were handled before (a replayed batch): armed, sent or cancelled, that stands
            }

            state.Arm(dueAt, now);
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
    public Task<bool> CancelAsync(string customerId, string reason, DateTimeOffset? notViewedAfter = null, CancellationToken cancellationToken = default) =>
        CancelInstanceAsync(customerId, InstanceId, reason, cancellationToken,
            state => state.Status == CartAbandonmentStatus.Armed && !(state.DueAt - Delay > notViewedAfter));

    Task IQueueStep<BrowseTimerMessage>.RunAsync(BrowseTimerMessage message, CancellationToken cancellationToken) => WakeAsync(message, cancellationToken);

    /// <summary>The timer fired: decide, then hand the message to the outbox (Armed → Sending → Sent), or not (→ Suppressed).</summary>
    public async Task WakeAsync(BrowseTimerMessage message, CancellationToken cancellationToken = default)
    {
        var now = Now;
        if (await WakeUpAsync(message, now, cancellationToken).ConfigureAwait(false) is not { } state)
        {
            return;
        }

        var profile = await sources.Profiles.GetAsync(message.CustomerId, cancellationToken).ConfigureAwait(false);
        var suppression = state.Status == CartAbandonmentStatus.Sending ? null // decided before a crash: hand it over
            : profile is { Cart.Count: > 0 } ? "suppressed: the cart holds something (cart abandonment takes over)"
            : sources.SuppressionReason(profile, Channel, now);
        if (profile is null || suppression is not null)
        {
            await SuppressAsync(message, suppression ?? "suppressed: customer unknown", cancellationToken).ConfigureAwait(false);
            return;
        }

        var messageId = $"{InstanceId}:{message.CustomerId}:{message.Generation}";
        if (await SendAsync(message, messageId, now, _ => ComposeAsync(profile, messageId, now, cancellationToken), cancellationToken).ConfigureAwait(false) is not null)
        {
            await FinishAsync(message, TimerOutcome.Sent, $"sent to outbox {messageId}", cancellationToken).ConfigureAwait(false);
        }
    }

    protected override string InstanceIdOf(BrowseTimerMessage timer) => InstanceId;

    protected override string Describe(BrowseTimerMessage timer) => $"Browse abandonment timer of generation {timer.Generation}";

    protected override string NoInstance => "no reminder is running for the customer";

    private async Task<string> ComposeAsync(CustomerProfile profile, string messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var products = await sources.Catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var viewed = profile.RecentViews.Take(3).Select(v => ProductCard.Of(v.ProductId, products)).ToList();
        var recs = await sources.Recommendations.GetAsync(new RecommendationRequest(profile.CustomerId, Placement.Product, 4, profile.RecentViews[0].ProductId), cancellationToken)
            .ConfigureAwait(false);
        var customerScores = await sources.LifecycleScores.ForAsync(profile.CustomerId, profile, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Serialize(new { messageId, type = Kind, channel = Channel, customerId = profile.CustomerId, createdAt = now, viewed, recommendations = recs, customerScores },
            Json.Options);
    }
}
