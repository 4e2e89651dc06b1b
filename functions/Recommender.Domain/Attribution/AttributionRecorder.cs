using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Segments;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Attribution;

/// <summary>
/// Updates the attribution counters from each ingested batch, per subject in event-time order:
/// <list type="bullet">
/// <item>touches (recommendation impressions and clicks, email and push opens and clicks) count on their
/// row for everyone; for a customer who may be attributed individually they also join the journey;</item>
/// <item>a cart addition counts on the row of the journey's latest click of that product (or of none named) within the click window;</item>
/// <item>a purchase (its <c>total</c>, else its lines, in the store currency) is recorded once per order id and
/// split under the three models over the journey's eligible touches — the whole amount unattributed when there is
/// none, or when the customer may not be attributed individually;</item>
/// <item>a refund reverses what its order was credited with, on the order's day, once per return event;</item>
/// <item>a touch that arrives after a purchase it preceded re-attributes that order (<see cref="AttributionOptions.LateTouchGrace"/>);</item>
/// <item>at login (<c>identify</c>) the visitor's journey joins the customer's, when the customer may be attributed.</item>
/// </list>
/// Segment rows (the customer's segments from the latest segmentation run) repeat the rows of consenting customers.
/// <para>
/// Exactly once, crash or not: attribution keeps its own ledger of the events it took on (per subject, ETag-guarded,
/// <see cref="AttributionLedger"/>), so it does not depend on the profile's memory of applied events (written before it). The batch's increments are written as one unit
/// (<see cref="AttributionUnit"/>) before any row is touched, each row remembers the units applied to it, and the unit
/// is marked done last: a delivery of the same batch after a crash at any step finishes exactly what is missing.
/// </para>
/// </summary>
public partial class AttributionRecorder(
    AttributionStore store,
    IDocumentStore documents,
    IOptions<AttributionOptions> options,
    TimeProvider timeProvider,
    ILogger<AttributionRecorder> logger)
{
    private const int MaxParallelSubjects = 8;
    /// <summary>At most this many ledger entries are kept per subject (the newest).</summary>
    public const int MaxLedgerEntries = 5000;

    /// <summary>The event types attribution reads.</summary>
    public static bool IsRelevant(ClickstreamEvent e) => e.SubjectId is not null && e.Type is EventType.RecommendationImpression or EventType.RecommendationClick
        or EventType.EmailOpen or EventType.EmailClick or EventType.PushOpen or EventType.PushClick
        or EventType.AddToCart or EventType.Purchase or EventType.Return;

    /// <summary>
    /// Records the batch's attribution events — those applied now and those the profile had applied already (a
    /// redelivery: the ledger tells which are done).
    /// </summary>
    public virtual async Task RecordAsync(IEnumerable<ProfileChanges> changes, CancellationToken cancellationToken = default)
    {
        var subjects = changes.Where(c => c.SubjectId is not null).GroupBy(c => c.SubjectId!, StringComparer.Ordinal).Select(g =>
        {
            var all = g.SelectMany(c => c.Applied.Concat(c.Replayed)).DistinctBy(EventIdentity.Of, StringComparer.Ordinal).ToList();
            return new SubjectBatch(g.Key, g.Last().MayBeAttributed,
                [.. all.Where(IsRelevant).OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal)],
                [.. all.Where(e => e.Type == EventType.Identify && e.AnonymousId is not null && e.CustomerId == g.Key).Select(e => e.AnonymousId!).Distinct(StringComparer.Ordinal)],
                g.Any(c => c.BehaviourCleared));
        }).Where(s => s.Events.Count > 0 || s.Visitors.Count > 0 || s.Forget).ToList();
        if (subjects.Count == 0)
        {
            return;
        }

        var identities = subjects.SelectMany(s => s.Events).Select(EventIdentity.Of).ToList();
        var unitId = AttributionStore.UnitId(identities);
        AttributionUnit? unit = null;
        if (identities.Count > 0)
        {
            unit = await store.GetUnitAsync(unitId, cancellationToken).ConfigureAwait(false);
            if (unit is { Done: true })
            {
                return; // this batch was recorded before
            }
        }

        StoredDocument?[]? rows = null;
        if (unit is null)
        {
            var deltas = new RowDeltas();
            await Parallel.ForEachAsync(subjects, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelSubjects, CancellationToken = cancellationToken },
                async (s, ct) => await RecordSubjectAsync(s, unitId, deltas, ct).ConfigureAwait(false)).ConfigureAwait(false);
            if (identities.Count == 0)
            {
                return;
            }

            (unit, rows) = await store.BeginUnitAsync(unitId, deltas.ToUnitRows(), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            LogResumed(logger, unitId, unit.Rows.Count);
        }

        await store.ApplyUnitAsync(unitId, unit, rows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One subject's events of the batch, whether they may be attributed individually, the visitors they logged in as, and
    /// whether their behaviour must be forgotten (analytics consent withdrawn, a minor): their journey goes.
    /// </summary>
    private sealed record SubjectBatch(string SubjectId, bool Attributable, List<ClickstreamEvent> Events, List<string> Visitors, bool Forget);

    private async Task RecordSubjectAsync(SubjectBatch s, string unitId, RowDeltas deltas, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow();
        var subjectId = s.SubjectId;
        var attributable = s.Attributable;
        var skewed = new HashSet<ClickstreamEvent>(s.Events.Where(e => e.OccurredAt > now + settings.ClockSkewTolerance), ReferenceEqualityComparer.Instance);

        // Login: the visitor's journey (kept only if the visitor consented) joins the customer's when the customer may be attributed;
        // when the customer may not (their own decision, or the visitor's, refuses analytics), it is forgotten, as the customer's own is.
        var visitorJourneys = new List<(string SubjectId, AttributionJourney Journey)>();
        foreach (var anonymousId in s.Visitors)
        {
            var visitorId = ClickstreamEvent.AnonymousSubjectPrefix + anonymousId;
            if (!attributable)
            {
                await documents.DeleteAsync(Collections.Workflows, visitorId, AttributionStore.JourneyId, cancellationToken).ConfigureAwait(false);
            }
            else if (await store.GetJourneyAsync(visitorId, cancellationToken).ConfigureAwait(false) is { } visitor)
            {
                visitorJourneys.Add((visitorId, visitor));
            }
        }

        if (s.Forget && !attributable)
        {
            await documents.DeleteAsync(Collections.Workflows, subjectId, AttributionStore.JourneyId, cancellationToken).ConfigureAwait(false);
        }

        // The ledger decides which events are this unit's: new, or taken by a delivery of this batch that crashed.
        var keys = new Dictionary<ClickstreamEvent, string>(ReferenceEqualityComparer.Instance);
        foreach (var e in s.Events)
        {
            keys[e] = AttributionStore.LedgerKey(EventIdentity.Of(e));
        }

        List<ClickstreamEvent> ours = [];
        if (s.Events.Count > 0)
        {
            await store.UpdateLedgerAsync(subjectId, current =>
            {
                current ??= new AttributionLedger();
                var recorded = current.Recorded.ToDictionary(r => r.Key, r => r.Unit, StringComparer.Ordinal);
                ours = [.. s.Events.Where(e => !recorded.TryGetValue(keys[e], out var unit) || unit == unitId)];
                var taken = ours.Where(e => !recorded.ContainsKey(keys[e])).ToList();
                if (taken.Count == 0)
                {
                    return null;
                }

                var oldest = now - AttributionStore.UnitLifetime;
                current.Recorded = [.. current.Recorded.Where(r => r.At >= oldest).Concat(taken.Select(e => new LedgerEntry(keys[e], unitId, e.OccurredAt))).TakeLast(MaxLedgerEntries)];
                current.UpdatedAt = now;
                return current;
            }, cancellationToken).ConfigureAwait(false);
        }

        // The journey takes this unit's touches (once, by event id) and purchases, and the visitor's touches at login.
        List<string> late = [];
        var journeyTouches = new List<Touchpoint>();
        if (attributable && (ours.Count > 0 || visitorJourneys.Count > 0))
        {
            var counted = ours.Where(e => !skewed.Contains(e)).ToList();
            var touches = counted.Select(Touchpoint.Of).OfType<Touchpoint>().ToList();
            var journey = await store.UpdateJourneyAsync(subjectId, current =>
            {
                current ??= new AttributionJourney();
                var known = current.Touches.Select(t => t.EventId).ToHashSet(StringComparer.Ordinal);
                var added = touches.Concat(visitorJourneys.SelectMany(v => v.Journey.Touches)).Where(t => known.Add(t.EventId)).ToList();
                var changed = added.Count > 0;
                current.Touches = [.. current.Touches.Concat(added)];
                foreach (var purchase in counted.Where(e => e.Type == EventType.Purchase && !current.Orders.Any(o => o.EventId == e.Id)))
                {
                    current.Orders.Add(new JourneyOrder(purchase.OrderId!, purchase.Id, purchase.OccurredAt, unitId, now));
                    changed = true;
                }

                // Touches of this unit that happened before an order recorded by an earlier one, within its window and the grace period, re-attribute it.
                late = [.. current.Orders.Where(o => o.Unit != unitId && now - o.RecordedAt <= settings.LateTouchGrace
                        && touches.Any(t => AttributionModels.IsEligible(t, o.PurchaseAt, settings)))
                    .Select(o => o.OrderId).Distinct(StringComparer.Ordinal)];
                if (!changed)
                {
                    return null;
                }

                Prune(current, now, settings);
                return current;
            }, cancellationToken).ConfigureAwait(false);
            journeyTouches = journey?.Touches ?? [];
        }

        foreach (var (visitorId, _) in visitorJourneys)
        {
            // Merged (the touches are the customer's now): the visitor's copy goes.
            await documents.DeleteAsync(Collections.Workflows, visitorId, AttributionStore.JourneyId, cancellationToken).ConfigureAwait(false);
        }

        if (ours.Count == 0 && late.Count == 0)
        {
            return;
        }

        var segments = new List<string>();
        if (attributable)
        {
            var segmentsDocument = await documents.GetAsync<CustomerSegments>(Collections.Workflows, subjectId, CustomerSegments.DocumentId, cancellationToken).ConfigureAwait(false);
            segments = segmentsDocument?.Segments ?? [];
        }

        foreach (var e in ours)
        {
            var day = AttributionStore.DayOf(e.OccurredAt);
            if (skewed.Contains(e))
            {
                deltas.Add(AttributionStore.DayOf(now), Totals, [], $"dropped.{DroppedReasons.ClockSkew}", 1);
                LogSkewed(logger, e.Id, e.OccurredAt);
                continue;
            }

            switch (e.Type)
            {
                case EventType.Purchase:
                    await RecordPurchaseAsync(subjectId, unitId, attributable, e, journeyTouches, segments, deltas, cancellationToken).ConfigureAwait(false);
                    break;
                case EventType.Return:
                    await RecordRefundAsync(subjectId, unitId, e, deltas, cancellationToken).ConfigureAwait(false);
                    break;
                case EventType.AddToCart:
                    deltas.Add(day, Totals, segments, "addToCarts", 1);
                    if (attributable && LatestClickOf(journeyTouches, e) is { } click)
                    {
                        deltas.Add(day, click.Bucket, segments, "addToCarts", 1);
                    }

                    break;
                default:
                    var touch = Touchpoint.Of(e)!;
                    var field = touch.Kind == TouchKind.Click ? "clicks" : touch.Channel == AttributionChannels.Recommendation ? "impressions" : "opens";
                    deltas.Add(day, touch.Bucket, attributable ? segments : [], field, 1);
                    break;
            }
        }

        foreach (var orderId in late)
        {
            await ReattributeAsync(subjectId, orderId, unitId, journeyTouches, deltas, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Keeps what can still matter: touches a purchase arriving late (events are accepted up to <see cref="EventValidator.MaxAge"/>) could
    /// still be earned by (at most <see cref="AttributionOptions.MaxTouches"/>), and orders within the grace period.
    /// </summary>
    private static void Prune(AttributionJourney journey, DateTimeOffset now, AttributionOptions settings)
    {
        var horizon = now - EventValidator.MaxAge - settings.LongestWindow;
        journey.Touches = [.. journey.Touches.Where(t => t.At >= horizon).OrderBy(t => t.At).ThenBy(t => t.EventId, StringComparer.Ordinal).TakeLast(settings.MaxTouches)];
        journey.Orders = [.. journey.Orders.Where(o => now - o.RecordedAt <= settings.LateTouchGrace)];
        journey.UpdatedAt = now;
    }

    /// <summary>The latest click at or before the cart addition within the click window, of the same product or naming none.</summary>
    private Touchpoint? LatestClickOf(List<Touchpoint> journey, ClickstreamEvent addToCart) =>
        journey.Where(t => t.Kind == TouchKind.Click && (t.ProductId is null || t.ProductId == addToCart.ProductId)
                && t.At <= addToCart.OccurredAt && addToCart.OccurredAt - t.At <= options.Value.ClickWindow)
            .OrderBy(t => t.At).ThenBy(t => t.EventId, StringComparer.Ordinal).LastOrDefault();

    private static List<OrderShare> SharesOf(AttributionSplit split) =>
        [.. split.ByModel.SelectMany(m => m.Value.Keys).Distinct().Select(b => new OrderShare(b.Channel, b.Source, b.Variant,
            split.ByModel[AttributionModel.LastTouch].GetValueOrDefault(b), split.ByModel[AttributionModel.Linear].GetValueOrDefault(b),
            split.ByModel[AttributionModel.TimeDecay].GetValueOrDefault(b)))];

    private async Task RecordPurchaseAsync(string subjectId, string unitId, bool attributable, ClickstreamEvent purchase, List<Touchpoint> journey, List<string> segments,
        RowDeltas deltas, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var day = AttributionStore.DayOf(purchase.OccurredAt);
        var gross = purchase.Total ?? purchase.Lines?.Sum(l => (l.Price ?? 0) * l.Quantity) ?? 0;
        if (settings.ToStoreCurrency(gross, purchase.Currency) is not { } amount)
        {
            deltas.Add(day, Totals, [], $"dropped.{DroppedReasons.CurrencyMismatch}", 1);
            return;
        }

        var split = AttributionModels.Split(amount, purchase.OccurredAt, attributable ? journey : [], settings);
        var known = journey.Select(t => t.RecommendationId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var lineIds = (purchase.Lines ?? []).Select(l => l.RecommendationId).OfType<string>().ToList();
        var order = new OrderAttribution
        {
            Day = day,
            Amount = amount,
            EventId = purchase.Id,
            Unit = unitId,
            PurchaseAt = purchase.OccurredAt,
            Influenced = split.Eligible.Any(t => t.Channel == AttributionChannels.Recommendation) || (attributable && lineIds.Any(known.Contains)),
            Segments = attributable ? segments : [],
            Shares = SharesOf(split),
            LastTouchBucket = split.LastTouchBucket,
        };
        if (await store.TryAddOrderAsync(subjectId, purchase.OrderId!, order, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            if (existing.EventId != purchase.Id || existing.Unit != unitId)
            {
                deltas.Add(day, Totals, [], $"dropped.{DroppedReasons.DuplicateOrder}", 1);
                return;
            }

            // Recorded by a delivery of this batch that crashed before its unit was written: count it as it was decided then.
            var first = existing.Revisions.FirstOrDefault();
            order = new OrderAttribution
            {
                Day = existing.Day,
                Amount = existing.Amount,
                EventId = existing.EventId,
                Unit = existing.Unit,
                PurchaseAt = existing.PurchaseAt,
                Influenced = first?.Influenced ?? existing.Influenced,
                Segments = existing.Segments,
                Shares = first?.Shares ?? existing.Shares,
                LastTouchBucket = first is null ? existing.LastTouchBucket : first.LastTouchBucket,
            };
        }

        var rows = order.Segments;
        if (attributable && lineIds.Count(id => !known.Contains(id)) is > 0 and var unknown)
        {
            deltas.Add(day, Totals, [], $"dropped.{DroppedReasons.UnknownRecommendationId}", unknown);
            LogUnknownRecommendation(logger, purchase.Id, unknown);
        }

        var value = (double)order.Amount;
        deltas.Add(day, Totals, rows, "orders", 1);
        deltas.Add(day, Totals, rows, "revenue", value);
        deltas.Add(day, LastBucketOf(order.LastTouchBucket, order.Shares), rows, "orders", 1);
        if (!attributable)
        {
            deltas.Add(day, Totals, rows, "ordersWithoutConsent", 1);
        }

        if (order.Influenced)
        {
            deltas.Add(day, Totals, rows, "influencedOrders", 1);
            deltas.Add(day, Totals, rows, "influencedRevenue", value);
        }

        foreach (var share in order.Shares)
        {
            AddModels(deltas, day, share.Bucket, rows, share.LastTouch, share.Linear, share.TimeDecay);
        }

        AddModels(deltas, day, Totals, rows, order.Amount, order.Amount, order.Amount);
    }

    /// <summary>The bucket credited with the order (records written before it was stored: the one share with a last-touch amount, else unattributed).</summary>
    private static AttributionBucket LastBucketOf(AttributionBucket? stored, List<OrderShare> shares) =>
        stored ?? shares.FirstOrDefault(s => s.LastTouch != 0)?.Bucket ?? shares.FirstOrDefault()?.Bucket ?? AttributionBucket.Unattributed;

    /// <summary>
    /// A touch of this unit arrived after an order it preceded was recorded: the order is split again over the journey as it is now,
    /// and the rows of the order's day move by the difference (each model's difference adds up to zero: reconciliation holds). Once per
    /// unit (the order remembers its revisions); an order with a refund keeps its attribution.
    /// </summary>
    private async Task ReattributeAsync(string subjectId, string orderId, string unitId, List<Touchpoint> journey, RowDeltas deltas, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        OrderRevision? revision = null;
        var refunded = false;
        var order = await store.UpdateOrderAsync(subjectId, orderId, current =>
        {
            (revision, refunded) = (null, false);
            if (current is null)
            {
                return null;
            }

            if (current.Revisions.FirstOrDefault(r => r.Unit == unitId) is { } done)
            {
                revision = done; // a delivery of this batch that crashed revised it already
                return null;
            }

            if (current.Refunded > 0 || current.Refunds.Count > 0)
            {
                refunded = true;
                return null;
            }

            var split = AttributionModels.Split(current.Amount, current.PurchaseAt, journey, settings);
            var shares = SharesOf(split);
            var lastBucket = LastBucketOf(current.LastTouchBucket, current.Shares);
            if (split.LastTouchBucket == lastBucket && shares.Count == current.Shares.Count && shares.All(current.Shares.Contains))
            {
                return null;
            }

            revision = new OrderRevision(unitId, current.Shares, current.Influenced, lastBucket);
            current.Revisions.Add(revision);
            current.Shares = shares;
            current.LastTouchBucket = split.LastTouchBucket;
            current.Influenced |= split.Eligible.Any(t => t.Channel == AttributionChannels.Recommendation);
            return current;
        }, cancellationToken).ConfigureAwait(false);
        if (order is null || revision is null)
        {
            if (refunded)
            {
                deltas.Add(order!.Day, Totals, [], $"dropped.{DroppedReasons.LateTouchAfterRefund}", 1);
            }

            return;
        }

        // What the order was after this revision: the next revision's "before", or the order as it stands.
        var index = order.Revisions.FindIndex(r => r.Unit == unitId);
        var next = index + 1 < order.Revisions.Count ? order.Revisions[index + 1] : null;
        var (afterShares, afterInfluenced, afterBucket) = next is null
            ? (order.Shares, order.Influenced, LastBucketOf(order.LastTouchBucket, order.Shares))
            : (next.Shares, next.Influenced, LastBucketOf(next.LastTouchBucket, next.Shares));
        var beforeBucket = LastBucketOf(revision.LastTouchBucket, revision.Shares);
        var (day, rows) = (order.Day, order.Segments);
        foreach (var bucket in revision.Shares.Select(x => x.Bucket).Concat(afterShares.Select(x => x.Bucket)).Distinct())
        {
            OrderShare Of(List<OrderShare> shares) => shares.FirstOrDefault(x => x.Bucket == bucket) ?? new OrderShare(bucket.Channel, bucket.Source, bucket.Variant, 0, 0, 0);
            var (before, after) = (Of(revision.Shares), Of(afterShares));
            AddModels(deltas, day, bucket, rows, after.LastTouch - before.LastTouch, after.Linear - before.Linear, after.TimeDecay - before.TimeDecay);
        }

        if (beforeBucket != afterBucket)
        {
            deltas.Add(day, beforeBucket, rows, "orders", -1);
            deltas.Add(day, afterBucket, rows, "orders", 1);
        }

        if (afterInfluenced && !revision.Influenced)
        {
            deltas.Add(day, Totals, rows, "influencedOrders", 1);
            deltas.Add(day, Totals, rows, "influencedRevenue", (double)(order.Amount - order.Refunded));
        }

        deltas.Add(day, Totals, rows, "reattributedOrders", 1);
        LogReattributed(logger, unitId);
    }

    /// <summary>A refund reverses its order's shares in proportion, on the order's day; an unknown order is reversed from the totals and the unattributed bucket.</summary>
    private async Task RecordRefundAsync(string subjectId, string unitId, ClickstreamEvent refund, RowDeltas deltas, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var returnDay = AttributionStore.DayOf(refund.OccurredAt);
        var gross = refund.RefundAmount ?? refund.Lines?.Sum(l => (l.Price ?? 0) * l.Quantity) ?? 0;
        if (settings.ToStoreCurrency(gross, refund.Currency) is not { } amount)
        {
            deltas.Add(returnDay, Totals, [], $"dropped.{DroppedReasons.CurrencyMismatch}", 1);
            return;
        }

        decimal reversed = 0;
        var counted = false;
        var order = await store.UpdateOrderAsync(subjectId, refund.OrderId!, current =>
        {
            counted = false;
            if (current is null)
            {
                return null;
            }

            if (current.Refunds.FirstOrDefault(r => r.EventId == refund.Id) is { } applied)
            {
                // Applied by a delivery of this batch that crashed: reverse what it decided. By another unit: counted already.
                reversed = applied.Reversed;
                counted = applied.Unit != unitId;
                return null;
            }

            reversed = Math.Min(amount, current.Amount - current.Refunded);
            current.Refunded += reversed;
            current.Refunds.Add(new RefundApplied(refund.Id, reversed, unitId));
            return current;
        }, cancellationToken).ConfigureAwait(false);
        if (counted)
        {
            return;
        }

        if (order is null)
        {
            deltas.Add(returnDay, Totals, [], $"dropped.{DroppedReasons.RefundOfUnknownOrder}", 1);
            Reverse(deltas, returnDay, [], amount, [new OrderShare(AttributionChannels.None, AttributionBucket.NotSet, AttributionBucket.NotSet, amount, amount, amount)], amount, influenced: false);
            return;
        }

        if (reversed < amount)
        {
            deltas.Add(order.Day, Totals, [], $"dropped.{DroppedReasons.RefundExceedsOrder}", 1);
        }

        if (reversed > 0)
        {
            Reverse(deltas, order.Day, order.Segments, reversed, order.Shares, order.Amount, order.Influenced);
        }
    }

    /// <summary>Takes <paramref name="reversed"/> off the rows <paramref name="shares"/> credited, in proportion (in cents, each model exactly).</summary>
    private static void Reverse(RowDeltas deltas, string day, List<string> segments, decimal reversed, List<OrderShare> shares, decimal orderAmount, bool influenced)
    {
        var value = (double)reversed;
        deltas.Add(day, Totals, segments, "refunds", 1);
        deltas.Add(day, Totals, segments, "refundedRevenue", value);
        deltas.Add(day, Totals, segments, "revenue", -value);
        if (influenced)
        {
            deltas.Add(day, Totals, segments, "influencedRevenue", -value);
        }

        AddModels(deltas, day, Totals, segments, -reversed, -reversed, -reversed);
        foreach (var model in AttributionSplit.Models)
        {
            var given = 0m;
            var credited = shares.Where(s => s.Of(model) != 0).ToList();
            for (var i = 0; i < credited.Count; i++)
            {
                var part = i == credited.Count - 1 ? reversed - given : Math.Round(reversed * credited[i].Of(model) / orderAmount, 2, MidpointRounding.ToEven);
                given += part;
                deltas.Add(day, credited[i].Bucket, segments, FieldOf(model), -(double)part);
            }
        }
    }

    private static void AddModels(RowDeltas deltas, string day, AttributionBucket bucket, List<string> segments, decimal lastTouch, decimal linear, decimal timeDecay)
    {
        deltas.Add(day, bucket, segments, FieldOf(AttributionModel.LastTouch), (double)lastTouch);
        deltas.Add(day, bucket, segments, FieldOf(AttributionModel.Linear), (double)linear);
        deltas.Add(day, bucket, segments, FieldOf(AttributionModel.TimeDecay), (double)timeDecay);
    }

    public static string FieldOf(AttributionModel model) => model switch
    {
        AttributionModel.LastTouch => "lastTouch",
        AttributionModel.Linear => "linear",
        _ => "timeDecay",
    };

    private static readonly AttributionBucket Totals = AttributionStore.TotalsBucket;

    /// <summary>The batch's increments per row (day, bucket, segment); every delta goes to the all-customers row and to each of the customer's segment rows.</summary>
    private sealed class RowDeltas
    {
        private readonly Lock _lock = new();

        public Dictionary<(string Day, AttributionBucket Bucket, string Segment), Dictionary<string, double>> Rows { get; } = [];

        public void Add(string day, AttributionBucket bucket, IReadOnlyList<string> segments, string field, double value)
        {
            lock (_lock)
            {
                AddOne((day, bucket, AttributionCounters.AllSegments), field, value);
                foreach (var segment in segments)
                {
                    AddOne((day, bucket, segment), field, value);
                }
            }
        }

        /// <summary>The rows with an increment other than zero, as a unit records them.</summary>
        public List<UnitRow> ToUnitRows() =>
        [
            .. Rows.Select(r => (r.Key, Increments: r.Value.Where(kv => kv.Value != 0).ToDictionary(StringComparer.Ordinal)))
                .Where(r => r.Increments.Count > 0)
                .OrderBy(r => r.Key.Day, StringComparer.Ordinal).ThenBy(r => r.Key.Bucket.Channel, StringComparer.Ordinal).ThenBy(r => r.Key.Bucket.Source, StringComparer.Ordinal)
                .ThenBy(r => r.Key.Bucket.Variant, StringComparer.Ordinal).ThenBy(r => r.Key.Segment, StringComparer.Ordinal)
                .Select(r => new UnitRow
                {
                    Day = r.Key.Day, Channel = r.Key.Bucket.Channel, Source = r.Key.Bucket.Source, Variant = r.Key.Bucket.Variant, Segment = r.Key.Segment,
                    Increments = r.Increments,
                }),
        ];

        private void AddOne((string, AttributionBucket, string) key, string field, double value)
        {
            if (!Rows.TryGetValue(key, out var row))
            {
                Rows[key] = row = new Dictionary<string, double>(StringComparer.Ordinal);
            }

            row[field] = row.GetValueOrDefault(field) + value;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} is stamped {OccurredAt}, beyond the clock-skew tolerance: not attributed")]
    private static partial void LogSkewed(ILogger logger, string eventId, DateTimeOffset occurredAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Attribution unit {UnitId} was begun by a delivery that did not finish it: applying what is missing of its {Rows} rows")]
    private static partial void LogResumed(ILogger logger, string unitId, int rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "A touch that arrived after its purchase re-attributed the order (unit {UnitId})")]
    private static partial void LogReattributed(ILogger logger, string unitId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {EventId} names {Count} recommendation ids its customer's journey does not hold")]
    private static partial void LogUnknownRecommendation(ILogger logger, string eventId, int count);
}
