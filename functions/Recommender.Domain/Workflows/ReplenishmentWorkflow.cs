using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Workflows;

/// <summary>
/// Replenishment: every purchase of a product with an interval — the catalog's
/// <c>replenishAfterDays</c>, else the customer's learned repeat interval (<see cref="LearnedInterval"/>)
/// — arms a reminder at the purchase + the interval − the lead time (at most half the interval); a new
/// purchase of the product moves it, a return of the purchase it counts from cancels it. One timer
/// per customer runs to the earliest reminder; when it fires — only with email consent, when the
/// customer may be personalized for — one message goes to the outbox with every product due within
/// <see cref="ReplenishmentOptions.GroupWindow"/> (one message a day at most), plus recommendations.
/// Each product is reminded about once per purchase. Timer messages are at-least-once: the instance
/// generation grows whenever the timer moves, so stale ones do nothing. Order events are at-least-once
/// too: the instance remembers the ids of those it applied, and a replayed one only schedules the timer
/// of an armed instance again (a crash may have come between moving the timer and scheduling it). A wake
/// that moves the timer on (after a message, or a suppressed reminder) schedules the next timer before
/// the state records it, so a crash in between brings the wake back to do it again.
/// </summary>
public sealed partial class ReplenishmentWorkflow(WorkflowServices services, MessageSources sources, IOptions<ReplenishmentOptions> options,
    ILogger<ReplenishmentWorkflow> logger)
    : TimerWorkflow<ReplenishmentState, ReplenishmentTimerMessage>(services, logger, Queue, Kind), IQueueStep<ReplenishmentTimerMessage>
{
    /// <summary>Its timers' queue: its entry in <c>Ports/Storage/queues.json</c> (<see cref="IQueueStep{TMessage}"/>).</summary>
    public static string Queue => "replenishment";

    public const string InstanceId = "replenishment";
    public const string Kind = "replenishment";
    /// <summary>Repeat purchases closer together than this count as one (a split order, a same-day top-up).</summary>
    public static readonly TimeSpan MinimumRepeatGap = TimeSpan.FromDays(1);
    /// <summary>Gaps between repeat purchases needed before an interval is learned.</summary>
    public const int MinimumRepeatGaps = 2;

    /// <summary>
    /// How long the instance (the purchase history the intervals are learned from) outlives its last
    /// write: 2 years, overriding the <c>workflows</c> collection's 90 days, so yearly and half-yearly
    /// repeat purchases are learned and a reminder more than 90 days out still fires. Erasure and
    /// withdrawn analytics consent still delete it at once.
    /// </summary>
    public static readonly TimeSpan HistoryTimeToLive = TimeSpan.FromDays(730);

    public Task<ReplenishmentState?> GetAsync(string customerId, CancellationToken cancellationToken = default) =>
        ReadStateAsync(customerId, InstanceId, cancellationToken);

    /// <summary>
    /// The learned repeat interval: the median gap between the customer's purchases of one product,
    /// once there are at least <see cref="MinimumRepeatGaps"/> gaps of at least <see cref="MinimumRepeatGap"/>; null before.
    /// </summary>
    public static TimeSpan? LearnedInterval(IEnumerable<DateTimeOffset> purchases)
    {
        var gaps = new List<TimeSpan>();
        DateTimeOffset? previous = null;
        foreach (var at in purchases.Order())
        {
            if (previous is { } p && at - p < MinimumRepeatGap)
            {
                continue;
            }

            if (previous is { } q)
            {
                gaps.Add(at - q);
            }

            previous = at;
        }

        if (gaps.Count < MinimumRepeatGaps)
        {
            return null;
        }

        gaps.Sort();
        var middle = gaps.Count / 2;
        return gaps.Count % 2 == 1 ? gaps[middle] : (gaps[middle - 1] + gaps[middle]) / 2;
    }

    /// <summary>Step 1, at ingestion: a customer's purchases and returns, in event-time order (sensitive products are never tracked).</summary>
    public async Task OnOrderEventsAsync(string customerId, IEnumerable<ClickstreamEvent> events, CancellationToken cancellationToken = default)
    {
        var orders = events.Where(e => e.Type is EventType.Purchase or EventType.Return).ToList();
        if (orders.Count == 0)
        {
            return;
        }

        var products = await sources.Catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        bool moved = false, replayed = false;
        var state = await UpdateAsync(customerId, s =>
        {
            moved = false;
            s ??= new ReplenishmentState { CustomerId = customerId };
            var now = Now;
            var changed = false;
            var fresh = orders.Where(e => s.MarkApplied(e.Id)).ToList();
            replayed = fresh.Count < orders.Count;
            foreach (var e in fresh)
            {
                foreach (var productId in e.Lines!.Select(l => l.ProductId).Distinct(StringComparer.Ordinal))
                {
                    if (products.TryGetValue(productId, out var product) && product.Sensitive)
                    {
                        continue;
                    }

                    changed |= e.Type == EventType.Purchase ? OnPurchased(s, productId, e, products, now) : OnReturned(s, productId, e, products, now);
                }
            }

            if (!changed)
            {
                return null;
            }

            // While a message is being handed over, its last step points the timer (it sees these changes).
            moved = s.Status != ReplenishmentStatus.Sending && MoveTimer(s, now);
            Forget(s);
            return s;
        }, cancellationToken).ConfigureAwait(false);
        // Replayed events schedule the armed timer again: a spare one finds its generation decided or moved on.
        if ((moved || replayed) && state is { Status: ReplenishmentStatus.Armed, DueAt: { } dueAt })
        {
            await ScheduleAsync(new ReplenishmentTimerMessage(customerId, state.Generation), dueAt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A purchase joins the product's history and (re)arms its reminder from the latest purchase.</summary>
    private bool OnPurchased(ReplenishmentState state, string productId, ClickstreamEvent purchase, IReadOnlyDictionary<string, Product> products, DateTimeOffset now)
    {
        if (!state.Products.TryGetValue(productId, out var item))
        {
            state.Products[productId] = item = new ReplenishmentItem { ProductId = productId };
        }

        if (item.Purchases.Any(p => p.OrderId == purchase.OrderId) || item.ReturnedOrders.Contains(purchase.OrderId!))
        {
            return false; // the same order again, or one already returned
        }

        var bought = new ProductPurchase(purchase.OrderId!, purchase.OccurredAt);
        item.Purchases.Add(bought);
        item.Purchases.Sort((a, b) => a.At.CompareTo(b.At));
        if (item.Purchases.Count > ReplenishmentItem.MaxPurchases)
        {
            item.Purchases.RemoveRange(0, item.Purchases.Count - ReplenishmentItem.MaxPurchases);
        }

        Relearn(item, products);
        if (item.Last == bought || item.Status is ReminderStatus.Armed or ReminderStatus.Learning)
        {
            Rearm(state, item, now); // an older purchase arriving late only moves a pending reminder (its interval may change)
        }

        return true;
    }

    /// <summary>A returned purchase leaves the history; if the reminder counted from it, the reminder is cancelled.</summary>
    private bool OnReturned(ReplenishmentState state, string productId, ClickstreamEvent @return, IReadOnlyDictionary<string, Product> products, DateTimeOffset now)
    {
        if (!state.Products.TryGetValue(productId, out var item))
        {
            state.Products[productId] = item = new ReplenishmentItem { ProductId = productId, Status = ReminderStatus.Cancelled };
        }

        if (item.ReturnedOrders.Contains(@return.OrderId!))
        {
            return false;
        }

        item.ReturnedOrders.Add(@return.OrderId!);
        if (item.ReturnedOrders.Count > ReplenishmentItem.MaxPurchases)
        {
            item.ReturnedOrders.RemoveAt(0);
        }

        var index = item.Purchases.FindIndex(p => p.OrderId == @return.OrderId);
        if (index < 0)
        {
            return true; // returned before its purchase arrived: that purchase will not count
        }

        var wasLatest = index == item.Purchases.Count - 1;
        item.Purchases.RemoveAt(index);
        Relearn(item, products);
        if (!wasLatest)
        {
            if (item.Status is ReminderStatus.Armed or ReminderStatus.Learning)
            {
                Rearm(state, item, now); // an older purchase: only the learned interval, and so the pending reminder, changes
            }

            return true;
        }

        item.Status = ReminderStatus.Cancelled;
        item.RemindAt = null;
        state.Record(now, $"{productId}: order {@return.OrderId} returned; reminder cancelled");
        return true;
    }

    /// <summary>The product's interval: the catalog's, else the one learned from the purchases kept.</summary>
    private static void Relearn(ReplenishmentItem item, IReadOnlyDictionary<string, Product> products)
    {
        var fromCatalog = products.TryGetValue(item.ProductId, out var product) ? product.ReplenishmentInterval : null;
        item.Interval = fromCatalog ?? LearnedInterval(item.Purchases.Select(p => p.At));
        item.IntervalSource = fromCatalog is not null ? "catalog" : item.Interval is not null ? "learned" : null;
    }

    /// <summary>The product's reminder from its latest purchase, unless that purchase was already reminded about.</summary>
    private void Rearm(ReplenishmentState state, ReplenishmentItem item, DateTimeOffset now)
    {
        if (item.Last is not { } last || item.RemindedFor == last.OrderId)
        {
            return;
        }

        if (item.Interval is not { } interval)
        {
            item.Status = ReminderStatus.Learning;
            item.RemindAt = null;
            state.Record(now, $"{item.ProductId}: bought {last.At:O}; no interval yet");
            return;
        }

        var lead = options.Value.LeadTime < interval / 2 ? options.Value.LeadTime : interval / 2;
        item.Status = ReminderStatus.Armed;
        item.RemindAt = last.At + interval - lead;
        state.Record(now, $"{item.ProductId}: bought {last.At:O}, lasts {interval.TotalDays:0.#} days ({item.IntervalSource}); reminder at {item.RemindAt:O}");
    }

    Task IQueueStep<ReplenishmentTimerMessage>.RunAsync(ReplenishmentTimerMessage message, CancellationToken cancellationToken) => WakeAsync(message, cancellationToken);

    /// <summary>Step 2, the timer fired: decide which products are due, then hand one message to the outbox (Armed → Sending → Armed for the next, or Idle).</summary>
    public async Task WakeAsync(ReplenishmentTimerMessage message, CancellationToken cancellationToken = default)
    {
        var now = Now;
        if (await WakeUpAsync(message, now, cancellationToken).ConfigureAwait(false) is not { } woken)
        {
            return;
        }

        var state = woken.Status == ReplenishmentStatus.Armed ? await DecideAsync(woken, message, now, cancellationToken).ConfigureAwait(false) : woken;

        // Sending (just decided, or found so after a crash): the outbox keeps the first message per id.
        if (state is not { Status: ReplenishmentStatus.Sending, MessageId: { } messageId } sending || sending.Generation != message.Generation)
        {
            // Suppressed (logged by the decision), nothing due yet (the timer moved on), or decided by a concurrent delivery.
            LogNothingToSend(Logger, message.Generation, state is null ? "the reminders are gone (erased or expired)"
                : state.Generation != message.Generation ? $"the timer moved on to generation {state.Generation} (suppressed, or nothing due yet)"
                : $"decided meanwhile ({state.Status})");
            return;
        }

        await HandOverAsync(message, messageId, now, () => ComposeAsync(sending, now, cancellationToken), cancellationToken).ConfigureAwait(false);
        // The timer to the next reminder goes before the state moves to it: a crash in between brings this timer
        // back (the state is still Sending), which schedules it again; a spare one finds its generation decided.
        var ahead = await ScheduleAheadAsync(sending, [], cancellationToken).ConfigureAwait(false);
        var moved = false;
        var done = await UpdateAsync(message.CustomerId, s =>
        {
            moved = false;
            if (s is null || s.Generation != message.Generation || s.Status != ReplenishmentStatus.Sending)
            {
                return null;
            }

            s.Record(now, $"sent to outbox {s.MessageId}");
            s.Sending = [];
            moved = MoveTimer(s, now);
            return s;
        }, cancellationToken).ConfigureAwait(false);
        await ScheduleNextAsync(moved, done, ahead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every product due by now + the group window is reminded about (or suppressed) once; the decision and its key are recorded first.</summary>
    private async Task<ReplenishmentState?> DecideAsync(ReplenishmentState current, ReplenishmentTimerMessage message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var profile = await sources.Profiles.GetAsync(message.CustomerId, cancellationToken).ConfigureAwait(false);
        var suppression = sources.SuppressionReason(profile, Channel, now);
        var messageId = WorkflowMessages.MessageId(InstanceId, message.CustomerId, message.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Suppressed (or nothing due), the decision moves the timer on in the same write: that timer goes first,
        // so a crash before the write brings this timer back to decide again.
        var dueNow = DueBy(current, now).Select(i => i.ProductId).ToHashSet(StringComparer.Ordinal);
        var ahead = suppression is not null || dueNow.Count == 0
            ? await ScheduleAheadAsync(current, dueNow, cancellationToken).ConfigureAwait(false)
            : null;
        bool decided = false, moved = false;
        var state = await UpdateAsync(message.CustomerId, s =>
        {
            decided = moved = false;
            if (s is null || s.Generation != message.Generation || s.Status != ReplenishmentStatus.Armed)
            {
                return null;
            }

            var due = DueBy(s, now);
            foreach (var item in due)
            {
                item.Status = suppression is null ? ReminderStatus.Reminded : ReminderStatus.Suppressed;
                item.RemindedFor = item.Last?.OrderId;
                item.RemindAt = null;
            }

            decided = due.Count > 0;
            if (suppression is not null || due.Count == 0)
            {
                s.Record(now, $"{suppression ?? "nothing due"}{(due.Count > 0 ? $": {string.Join(", ", due.Select(i => i.ProductId))}" : "")}");
                moved = MoveTimer(s, now);
                return s;
            }

            s.Status = ReplenishmentStatus.Sending;
            s.MessageId = messageId;
            s.Sending = [.. due.Select(i => i.ProductId).Order(StringComparer.Ordinal)];
            s.Record(now, $"sending {messageId}: {string.Join(", ", s.Sending)}");
            return s;
        }, cancellationToken).ConfigureAwait(false);
        if (decided && suppression is not null)
        {
            await CountSuppressedAsync(message, suppression, cancellationToken).ConfigureAwait(false);
        }

        await ScheduleNextAsync(moved, state, ahead, cancellationToken).ConfigureAwait(false);
        return state;
    }

    /// <summary>An operator cancels every pending reminder of the customer (a later purchase arms again); false when none was pending.</summary>
    public async Task<bool> CancelAsync(string customerId, string reason, CancellationToken cancellationToken = default)
    {
        var cancelled = false;
        await UpdateAsync(customerId, s =>
        {
            cancelled = s is { Status: ReplenishmentStatus.Armed or ReplenishmentStatus.Sending };
            if (!cancelled)
            {
                return null;
            }

            foreach (var item in s!.Products.Values.Where(i => i.Status == ReminderStatus.Armed))
            {
                item.Status = ReminderStatus.Cancelled;
                item.RemindAt = null;
            }

            s.Generation++;
            s.Status = ReplenishmentStatus.Idle;
            s.DueAt = null;
            s.Sending = [];
            s.Record(Now, $"cancelled: {reason}");
            return s;
        }, cancellationToken).ConfigureAwait(false);
        return cancelled;
    }

    /// <summary>Forgets the purchase history (analytics consent withdrawn): pending timers find nothing and stop.</summary>
    public Task<bool> DeleteAsync(string customerId, CancellationToken cancellationToken = default) =>
        Services.Documents.DeleteAsync(Collections.Workflows, customerId, InstanceId, cancellationToken);

    private async Task<string> ComposeAsync(ReplenishmentState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var products = await sources.Catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var due = state.Sending.Select(id => state.Products.GetValueOrDefault(id)).OfType<ReplenishmentItem>().Select(item =>
        {
            var card = ProductCard.Of(item.ProductId, products);
            return new
            {
                card.ProductId, card.Name, card.Price, card.ImageUrl, card.Url,
                lastPurchasedAt = item.Last?.At,
                intervalDays = item.Interval is { } interval ? Math.Round(interval.TotalDays, 1) : (double?)null,
                intervalSource = item.IntervalSource,
            };
        }).ToList();
        var request = new RecommendationRequest(state.CustomerId, Placement.Email, 4) { ExcludeProductIds = state.Sending.ToHashSet(StringComparer.Ordinal) };
        var recs = await sources.Recommendations.GetAsync(request, cancellationToken).ConfigureAwait(false);
        var customerScores = await sources.LifecycleScores.ForAsync(state.CustomerId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var message = new { messageId = state.MessageId, type = Kind, channel = Channel, customerId = state.CustomerId, createdAt = now, products = due, recommendations = recs, customerScores };
        return JsonSerializer.Serialize(message, Json.Options);
    }

    /// <summary>Points the timer at the earliest pending reminder (a new generation); true when a timer message must be sent.</summary>
    private static bool MoveTimer(ReplenishmentState state, DateTimeOffset now)
    {
        var next = state.Products.Values.Where(i => i.Status == ReminderStatus.Armed).Min(i => i.RemindAt);
        if ((state.Status == ReplenishmentStatus.Armed && state.DueAt == next) || (state.Status == ReplenishmentStatus.Idle && next is null))
        {
            return false;
        }

        state.Generation++;
        state.Status = next is null ? ReplenishmentStatus.Idle : ReplenishmentStatus.Armed;
        state.DueAt = next;
        state.Record(now, next is null ? "no reminder pending" : $"next reminder at {next:O}");
        return next is not null;
    }

    /// <summary>Beyond <see cref="ReplenishmentState.MaxProducts"/>, the products bought longest ago without a pending reminder are forgotten.</summary>
    private static void Forget(ReplenishmentState state)
    {
        var excess = state.Products.Count - ReplenishmentState.MaxProducts;
        foreach (var item in state.Products.Values.Where(i => i.Status != ReminderStatus.Armed && !state.Sending.Contains(i.ProductId))
            .OrderBy(i => i.Last?.At ?? DateTimeOffset.MinValue).Take(Math.Max(0, excess)).ToList())
        {
            state.Products.Remove(item.ProductId);
        }
    }

    /// <summary>The armed products due by <paramref name="now"/> + the group window: one message reminds about them all.</summary>
    private List<ReplenishmentItem> DueBy(ReplenishmentState state, DateTimeOffset now) =>
        [.. state.Products.Values.Where(i => i.Status == ReminderStatus.Armed && i.RemindAt <= now + options.Value.GroupWindow)];

    /// <summary>
    /// Schedules, before the write, the timer <see cref="MoveTimer"/> will point at once the <paramref name="leaving"/>
    /// products are decided: the next generation, at the earliest reminder left; null when the timer will not move to one.
    /// </summary>
    private async Task<(ReplenishmentTimerMessage Message, DateTimeOffset DueAt)?> ScheduleAheadAsync(ReplenishmentState state,
        IReadOnlyCollection<string> leaving, CancellationToken cancellationToken)
    {
        var next = state.Products.Values.Where(i => i.Status == ReminderStatus.Armed && !leaving.Contains(i.ProductId)).Min(i => i.RemindAt);
        if (next is not { } dueAt || (state.Status == ReplenishmentStatus.Armed && state.DueAt == next))
        {
            return null;
        }

        var ahead = new ReplenishmentTimerMessage(state.CustomerId, state.Generation + 1);
        await ScheduleAsync(ahead, dueAt, cancellationToken).ConfigureAwait(false);
        return (ahead, dueAt);
    }

    /// <summary>After the timer moved: its message, unless the one scheduled ahead is it already.</summary>
    private Task ScheduleNextAsync(bool moved, ReplenishmentState? state, (ReplenishmentTimerMessage Message, DateTimeOffset DueAt)? ahead, CancellationToken cancellationToken) =>
        moved && state is { Status: ReplenishmentStatus.Armed, DueAt: { } dueAt }
            && (ahead is not { } scheduled || scheduled.Message.Generation != state.Generation || scheduled.DueAt != dueAt)
            ? ScheduleAsync(new ReplenishmentTimerMessage(state.CustomerId, state.Generation), dueAt, cancellationToken)
            : Task.CompletedTask;

    protected override DocumentTimeToLive TimeToLive => DocumentTimeToLive.After(HistoryTimeToLive);

    protected override string InstanceIdOf(ReplenishmentTimerMessage timer) => InstanceId;

    protected override string Describe(ReplenishmentTimerMessage timer) => $"Replenishment timer of generation {timer.Generation}";

    protected override string NoInstance => "no reminder is pending for the customer";

    protected override string WhyStale(ReplenishmentState? state, ReplenishmentTimerMessage timer) =>
        state is { Status: ReplenishmentStatus.Idle } && state.Generation == timer.Generation ? "no reminder is pending (Idle)" : base.WhyStale(state, timer);

    private Task<ReplenishmentState?> UpdateAsync(string customerId, Func<ReplenishmentState?, ReplenishmentState?> mutate, CancellationToken cancellationToken) =>
        UpdateStateAsync(customerId, InstanceId, mutate, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replenishment timer of generation {Generation}: nothing to send: {Reason}")]
    private static partial void LogNothingToSend(ILogger logger, int generation, string reason);
}
