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

/// <summary>
/// Cart abandonment: every cart change (re)arms reminders at 4 hours, 24 hours and 3 days after it
/// (<see cref="Stages"/>, each showing the cart as it is then);
/// checkout or an emptied cart cancels it. When the timer fires one email with the cart as it is now
/// and cart recommendations goes to the outbox (only with email consent and a provider), whose
/// delivery applies the send rules again at send time (<see cref="DeliveryService"/>); a reminder
/// decided not to send counts as suppressed in <see cref="WorkflowStats"/>.
/// Timer messages are at-least-once: each wake checks the instance generation and status, so a
/// redelivered or superseded message does nothing.
/// </summary>
public sealed partial class CartAbandonmentWorkflow(
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
    ILogger<CartAbandonmentWorkflow> logger,
    Privacy.TimerSeal timerSeal)
{
    public const string InstanceId = "cart-abandonment";
    public const string Channel = MessageChannels.Email;
    public const string Kind = "cart_abandonment";
    public static readonly TimeSpan Delay = TimeSpan.FromHours(4);

    /// <summary>The reminders, counted from the last cart change: 4 hours, 24 hours and 3 days.</summary>
    public static readonly IReadOnlyList<TimeSpan> Stages = [Delay, TimeSpan.FromHours(24), TimeSpan.FromDays(3)];

    public Task<CartAbandonmentState?> GetAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<CartAbandonmentState>(Collections.Workflows, customerId, InstanceId, cancellationToken);

    /// <summary>Step 1, on every cart change: arm (or re-arm) the timer, or cancel after checkout / an empty cart.</summary>
    public async Task OnCartChangedAsync(CustomerProfile profile, bool checkedOut, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        if (checkedOut || profile.Cart.Count == 0)
        {
            await UpdateAsync(profile.CustomerId, state =>
            {
                if (state is null || state.Status is not (CartAbandonmentStatus.Armed or CartAbandonmentStatus.Sending))
                {
                    return null;
                }

                state.Generation++;
                state.Status = CartAbandonmentStatus.Cancelled;
                state.Record(now, checkedOut ? "cancelled: checkout" : "cancelled: cart emptied");
                return state;
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var dueAt = (profile.CartChangedAt ?? now) + Delay;
        var armed = await UpdateAsync(profile.CustomerId, state =>
        {
            state ??= new CartAbandonmentState { CustomerId = profile.CustomerId };
            if (state.Generation > 0 && state.CartChangedAt == dueAt - Delay)
            {
                return null; // same cart change delivered again: its reminders run, ran or were cancelled already
            }

            state.Generation++;
            state.Status = CartAbandonmentStatus.Armed;
            state.DueAt = dueAt;
            state.Stage = 0;
            state.CartChangedAt = dueAt - Delay;
            state.MessageId = null;
            state.Record(now, $"armed for {dueAt:O}");
            return state;
        }, cancellationToken).ConfigureAwait(false);

        if (armed is { Status: CartAbandonmentStatus.Armed } && armed.DueAt == dueAt)
        {
            await ScheduleAsync(new CartTimerMessage(profile.CustomerId, armed.Generation), dueAt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Step 2, the timer fired: decide, then hand the message to the outbox (Armed → Sending → Sent = in the outbox).</summary>
    public async Task WakeAsync(CartTimerMessage message, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var state = await GetAsync(message.CustomerId, cancellationToken).ConfigureAwait(false);
        if (state is not null && state.Generation == message.Generation && state.Stage < message.Stage)
        {
            // Scheduled by a step that crashed before recording it; that step's timer comes back and records it.
            throw new InvalidOperationException($"cart reminder {message.Stage + 1} of {message.CustomerId} is ahead of its instance (stage {state.Stage + 1})");
        }

        if (state is null || state.Generation != message.Generation || state.Stage != message.Stage
            || state.Status is not (CartAbandonmentStatus.Armed or CartAbandonmentStatus.Sending))
        {
            LogStale(logger, message.Generation, message.Stage, state switch
            {
                null => "no reminder is running for the customer (never armed, expired, or erased)",
                _ when state.Generation != message.Generation => $"superseded by the cart change of generation {state.Generation}",
                _ when state.Stage != message.Stage => $"its stage has passed (the reminder is at stage {state.Stage})",
                _ => $"the reminder is decided already ({state.Status})",
            });
            return;
        }

        if (now < state.DueAt)
        {
            // Woken early (a wait longer than one queue hop): sleep again for what is left.
            await ScheduleAsync(message, state.DueAt, cancellationToken).ConfigureAwait(false);
            return;
        }

        var profile = await profiles.GetAsync(message.CustomerId, cancellationToken).ConfigureAwait(false);
        var suppression = profile switch
        {
            null => "suppressed: customer unknown",
            { Cart.Count: 0 } => "suppressed: cart is empty",
            _ when !profile.HasConsent(Channel) => "suppressed: no email consent",
            _ when !webhooks.IsConfigured(Channel) => "suppressed: no email provider configured",
            _ => null,
        };
        if (suppression is not null)
        {
            // Counted once: only the wake that ended the instance counts (a redelivered timer finds it decided).
            if (await FinishAsync(message, CartAbandonmentStatus.Suppressed, suppression, cancellationToken).ConfigureAwait(false))
            {
                await stats.CountAsync(Kind, OutboxStatus.Suppressed, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // Record the decision and its idempotency key first, so a crash and a redelivered timer hand
        // the same message id to the outbox again (which keeps the first one).
        var messageId = $"{InstanceId}:{message.CustomerId}:{message.Generation}:{message.Stage + 1}";
        var sending = await UpdateAsync(message.CustomerId, s =>
        {
            if (s is null || s.Generation != message.Generation || s.Stage != message.Stage || s.Status is not (CartAbandonmentStatus.Armed or CartAbandonmentStatus.Sending))
            {
                return null;
            }

            if (s.Status == CartAbandonmentStatus.Armed)
            {
                s.Status = CartAbandonmentStatus.Sending;
                s.MessageId = messageId;
                s.Record(now, $"sending {messageId}");
            }

            return s;
        }, cancellationToken).ConfigureAwait(false);
        if (sending is null || sending.Generation != message.Generation || sending.Stage != message.Stage || sending.Status != CartAbandonmentStatus.Sending)
        {
            LogNotClaimed(logger, message.Generation, message.Stage);
            return;
        }

        var body = await ComposeAsync(profile!, messageId, now, cancellationToken).ConfigureAwait(false);
        await outbox.EnqueueAsync(new OutboundMessage(messageId, message.CustomerId, Channel, Kind, body, now, now), cancellationToken).ConfigureAwait(false);
        if (message.Stage + 1 >= Stages.Count)
        {
            await FinishAsync(message, CartAbandonmentStatus.Sent, $"sent to outbox {messageId}", cancellationToken).ConfigureAwait(false);
            return;
        }

        // The next reminder, counted from the same cart change; the timer message names its stage. Its timer
        // goes first: a crash before the state records it brings this timer back, which schedules it again
        // (the spare one finds its stage passed when it fires).
        var next = message with { Stage = message.Stage + 1 };
        await ScheduleAsync(next, sending.CartChangedAt + Stages[next.Stage], cancellationToken).ConfigureAwait(false);
        await UpdateAsync(message.CustomerId, s =>
        {
            if (s is null || s.Generation != message.Generation || s.Stage != message.Stage || s.Status != CartAbandonmentStatus.Sending)
            {
                return null;
            }

            s.Stage = next.Stage;
            s.Status = CartAbandonmentStatus.Armed;
            s.DueAt = s.CartChangedAt + Stages[next.Stage];
            s.Record(now, $"sent to outbox {messageId}; next reminder at {s.DueAt:O}");
            return s;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An operator cancels the running reminder (its pending timers become stale); false when none was running.</summary>
    public async Task<bool> CancelAsync(string customerId, string reason, CancellationToken cancellationToken = default)
    {
        var cancelled = false;
        await UpdateAsync(customerId, state =>
        {
            cancelled = false;
            if (state is null || state.Status is not (CartAbandonmentStatus.Armed or CartAbandonmentStatus.Sending))
            {
                return null;
            }

            state.Generation++;
            state.Status = CartAbandonmentStatus.Cancelled;
            state.Record(timeProvider.GetUtcNow(), $"cancelled: {reason}");
            cancelled = true;
            return state;
        }, cancellationToken).ConfigureAwait(false);
        return cancelled;
    }

    public Task<bool> DeleteAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.DeleteAsync(Collections.Workflows, customerId, InstanceId, cancellationToken);

    private async Task<string> ComposeAsync(CustomerProfile profile, string messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var products = await catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var cart = profile.Cart.Values.OrderBy(l => l.AddedAt).Select(l =>
        {
            products.TryGetValue(l.ProductId, out var p);
            return new { productId = l.ProductId, name = p?.Name, quantity = l.Quantity, price = l.Price ?? p?.Price, imageUrl = p?.ImageUrl };
        }).ToList();
        var recs = await recommendations.GetAsync(new RecommendationRequest(profile.CustomerId, Placement.Cart, 4), cancellationToken).ConfigureAwait(false);
        var message = new
        {
            messageId,
            type = Kind,
            channel = Channel,
            customerId = profile.CustomerId,
            createdAt = now,
            cart,
            cartValue = cart.Sum(l => (l.price ?? 0) * l.quantity),
            recommendations = recs,
            customerScores = await lifecycleScores.ForAsync(profile.CustomerId, profile, cancellationToken).ConfigureAwait(false),
        };
        return JsonSerializer.Serialize(message, Json.Options);
    }

    /// <summary>Ends the instance if <paramref name="message"/> is still current; true when this call did.</summary>
    private async Task<bool> FinishAsync(CartTimerMessage message, CartAbandonmentStatus status, string what, CancellationToken cancellationToken)
    {
        var finished = false;
        await UpdateAsync(message.CustomerId, s =>
        {
            finished = s is not null && s.Generation == message.Generation && s.Status is CartAbandonmentStatus.Armed or CartAbandonmentStatus.Sending;
            if (!finished)
            {
                return null;
            }

            s!.Status = status;
            s.Record(timeProvider.GetUtcNow(), what);
            return s;
        }, cancellationToken).ConfigureAwait(false);
        return finished;
    }

    private Task ScheduleAsync(CartTimerMessage message, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        timerSeal.ScheduleAsync(queue, Queues.CartAbandonment, message, message.CustomerId, dueAt, cancellationToken);

    private Task<CartAbandonmentState?> UpdateAsync(string customerId, Func<CartAbandonmentState?, CartAbandonmentState?> mutate, CancellationToken cancellationToken) =>
        documents.UpdateAsync(Collections.Workflows, customerId, InstanceId, mutate, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cart abandonment timer of generation {Generation}, stage {Stage}: claimed by a concurrent delivery of the same timer, or the cart changed; nothing to do")]
    private static partial void LogNotClaimed(ILogger logger, int generation, int stage);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cart abandonment timer of generation {Generation}, stage {Stage} is stale, nothing to do: {Reason}")]
    private static partial void LogStale(ILogger logger, int generation, int stage, string reason);
}
