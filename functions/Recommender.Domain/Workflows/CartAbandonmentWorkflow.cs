using System.Text.Json;
using Microsoft.Extensions.Logging;
using Recommender.Domain.Messaging;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Workflows;

/// <summary>
/// Cart abandonment: every cart change (re)arms reminders at 4 hours, 24 hours and 3 days after it
/// (<see cref="Stages"/>, each showing the cart as it is then);
/// checkout or an emptied cart cancels it. When the timer fires one email with the cart as it is now
/// and cart recommendations goes to the outbox (only with email consent and a provider), whose
/// delivery applies the send rules again at send time (<see cref="DeliveryService"/>); a reminder
/// decided not to send counts as suppressed in <see cref="WorkflowStats"/>.
/// Timer messages are at-least-once: each wake checks the instance generation, stage and status, so a
/// redelivered or superseded message does nothing (<see cref="TimerWorkflow{TState, TTimer}.WakeUpAsync"/>).
/// </summary>
public sealed class CartAbandonmentWorkflow(WorkflowServices services, MessageSources sources, ILogger<CartAbandonmentWorkflow> logger)
    : MessageTimerWorkflow<CartAbandonmentState, CartTimerMessage>(services, logger, Queue, Kind), IQueueStep<CartTimerMessage>
{
    /// <summary>Its timers' queue: its entry in <c>Ports/Storage/queues.json</c> (<see cref="IQueueStep{TMessage}"/>).</summary>
    public static string Queue => "cart-abandonment";

    public const string InstanceId = "cart-abandonment";
    public const string Kind = "cart_abandonment";
    public static readonly TimeSpan Delay = TimeSpan.FromHours(4);

    /// <summary>The reminders, counted from the last cart change: 4 hours, 24 hours and 3 days.</summary>
    public static readonly IReadOnlyList<TimeSpan> Stages = [Delay, TimeSpan.FromHours(24), TimeSpan.FromDays(3)];

    public Task<CartAbandonmentState?> GetAsync(string customerId, CancellationToken cancellationToken = default) =>
        ReadStateAsync(customerId, InstanceId, cancellationToken);

    /// <summary>Step 1, on every cart change: arm (or re-arm) the timer, or cancel after checkout / an empty cart.</summary>
    public async Task OnCartChangedAsync(CustomerProfile profile, bool checkedOut, CancellationToken cancellationToken = default)
    {
        if (checkedOut || profile.Cart.Count == 0)
        {
            await CancelInstanceAsync(profile.CustomerId, InstanceId, checkedOut ? "checkout" : "cart emptied", cancellationToken).ConfigureAwait(false);
            return;
        }

        var now = Now;
        var cartChangedAt = profile.CartChangedAt ?? now;
        var dueAt = cartChangedAt + Delay;
        var armed = await UpdateAsync(profile.CustomerId, state =>
        {
            state ??= new CartAbandonmentState { CustomerId = profile.CustomerId };
            if (state.Generation > 0 && state.CartChangedAt == cartChangedAt)
            {
                return null; // same cart change delivered again: its reminders run, ran or were cancelled already
            }

            state.Arm(dueAt, now);
            state.Stage = 0;
            state.CartChangedAt = cartChangedAt;
            return state;
        }, cancellationToken).ConfigureAwait(false);

        if (armed is { Status: CartAbandonmentStatus.Armed } && armed.DueAt == dueAt)
        {
            await ScheduleAsync(new CartTimerMessage(profile.CustomerId, armed.Generation), dueAt, cancellationToken).ConfigureAwait(false);
        }
    }

    Task IQueueStep<CartTimerMessage>.RunAsync(CartTimerMessage message, CancellationToken cancellationToken) => WakeAsync(message, cancellationToken);

    /// <summary>Step 2, the timer fired: decide, hand the reminder to the outbox (Armed → Sending), then arm the next one (→ Armed), or end (→ Sent).</summary>
    public async Task WakeAsync(CartTimerMessage message, CancellationToken cancellationToken = default)
    {
        var now = Now;
        if (await WakeUpAsync(message, now, cancellationToken).ConfigureAwait(false) is null)
        {
            return;
        }

        var profile = await sources.Profiles.GetAsync(message.CustomerId, cancellationToken).ConfigureAwait(false);
        if (WhyNotRemind(profile) is { } suppression)
        {
            await SuppressAsync(message, suppression, cancellationToken).ConfigureAwait(false);
            return;
        }

        var messageId = $"{InstanceId}:{message.CustomerId}:{message.Generation}:{message.Stage + 1}";
        if (await SendAsync(message, messageId, now, _ => ComposeAsync(profile!, messageId, now, cancellationToken), cancellationToken).ConfigureAwait(false)
            is not { } sent)
        {
            return;
        }

        if (message.Stage + 1 >= Stages.Count)
        {
            await FinishAsync(message, TimerOutcome.Sent, $"sent to outbox {messageId}", cancellationToken).ConfigureAwait(false);
            return;
        }

        await ArmNextReminderAsync(message, sent.CartChangedAt, messageId, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An operator cancels the running reminder (its pending timers become stale); false when none was running.</summary>
    public Task<bool> CancelAsync(string customerId, string reason, CancellationToken cancellationToken = default) =>
        CancelInstanceAsync(customerId, InstanceId, reason, cancellationToken);

    public Task<bool> DeleteAsync(string customerId, CancellationToken cancellationToken = default) =>
        Services.Documents.DeleteAsync(Collections.Workflows, customerId, InstanceId, cancellationToken);

    protected override string InstanceIdOf(CartTimerMessage timer) => InstanceId;

    protected override string Describe(CartTimerMessage timer) => $"Cart abandonment timer of generation {timer.Generation}, stage {timer.Stage}";

    protected override string NoInstance => "no reminder is running for the customer";

    private string? WhyNotRemind(CustomerProfile? profile) => profile switch
    {
        null => "suppressed: customer unknown",
        { Cart.Count: 0 } => "suppressed: cart is empty",
        _ when !profile.HasConsent(Channel) => "suppressed: no email consent",
        _ when !sources.CanSend(Channel) => "suppressed: no email provider configured",
        _ => null,
    };

    /// <summary>
    /// The next reminder, counted from the same cart change; the timer message names its stage. Its timer goes first:
    /// a crash before the state records it brings this timer back, which schedules it again (the spare one finds its
    /// stage passed when it fires).
    /// </summary>
    private async Task ArmNextReminderAsync(CartTimerMessage message, DateTimeOffset cartChangedAt, string messageId, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var next = message with { Stage = message.Stage + 1 };
        await ScheduleAsync(next, cartChangedAt + Stages[next.Stage], cancellationToken).ConfigureAwait(false);
        await UpdateAsync(message.CustomerId, s =>
        {
            if (s is null || !IsCurrent(s, message) || s.Status != CartAbandonmentStatus.Sending)
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

    private async Task<string> ComposeAsync(CustomerProfile profile, string messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var products = await sources.Catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var cart = profile.Cart.Values.OrderBy(l => l.AddedAt).Select(l =>
        {
            products.TryGetValue(l.ProductId, out var p);
            return new { productId = l.ProductId, name = p?.Name, quantity = l.Quantity, price = l.Price ?? p?.Price, imageUrl = p?.ImageUrl };
        }).ToList();
        var recs = await sources.Recommendations.GetAsync(new RecommendationRequest(profile.CustomerId, Placement.Cart, 4), cancellationToken).ConfigureAwait(false);
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
            customerScores = await sources.LifecycleScores.ForAsync(profile.CustomerId, profile, cancellationToken).ConfigureAwait(false),
        };
        return JsonSerializer.Serialize(message, Json.Options);
    }

    private Task<CartAbandonmentState?> UpdateAsync(string customerId, Func<CartAbandonmentState?, CartAbandonmentState?> mutate, CancellationToken cancellationToken) =>
        UpdateStateAsync(customerId, InstanceId, mutate, cancellationToken);
}
