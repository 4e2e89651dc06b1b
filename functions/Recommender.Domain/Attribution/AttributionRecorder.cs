using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Events;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Segments;
using Recommender.Domain.Storage;

namespace Recommender.Domain.Attribution;

/// <summary>
/// Updates the attribution counters from the events ingestion counts (each event once, whatever batch
/// carries it: the caller passes only the events counted now, as for every other aggregate), per subject
/// in event-time order:
/// <list type="bullet">
/// <item>touches (recommendation impressions and clicks, email and push opens and clicks) count on their
/// row for everyone; for a customer who may be attributed individually they also join the journey;</item>
/// <item>a cart addition counts on the row of the journey's latest click of that product (or of none named) within the click window;</item>
/// <item>a purchase (its <c>total</c>, else its lines, in the store currency) is recorded once per order id and
/// split under the three models over the journey's eligible touches — the whole amount unattributed when there is
/// none, or when the customer may not be attributed individually;</item>
/// <item>a refund reverses what its order was credited with, on the order's day, once per return event.</item>
/// </list>
/// Segment rows (the customer's segments from the latest segmentation run) repeat the rows of consenting customers.
/// Each row touched is then incremented once per batch.
/// </summary>
public sealed partial class AttributionRecorder(
    AttributionStore store,
    IDocumentStore documents,
    IOptions<AttributionOptions> options,
    TimeProvider timeProvider,
    ILogger<AttributionRecorder> logger)
{
    private const int MaxParallelSubjects = 8;

    /// <summary>The event types attribution reads.</summary>
    public static bool IsRelevant(ClickstreamEvent e) => e.SubjectId is not null && e.Type is EventType.RecommendationImpression or EventType.RecommendationClick
        or EventType.EmailOpen or EventType.EmailClick or EventType.PushOpen or EventType.PushClick
        or EventType.AddToCart or EventType.Purchase or EventType.Return;

    /// <summary>Records the events of <paramref name="changes"/> that are in <paramref name="counted"/>; returns the store operations used.</summary>
    public async Task<int> RecordAsync(IEnumerable<ProfileChanges> changes, IReadOnlySet<ClickstreamEvent> counted, CancellationToken cancellationToken = default)
    {
        var subjects = changes
            .Select(c => (c.SubjectId, c.MayBeAttributed, Events: c.Applied.Where(e => counted.Contains(e) && IsRelevant(e)).ToList()))
            .Where(s => s.SubjectId is not null && s.Events.Count > 0)
            .ToList();
        if (subjects.Count == 0)
        {
            return 0;
        }

        var deltas = new RowDeltas();
        await Parallel.ForEachAsync(subjects, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelSubjects, CancellationToken = cancellationToken },
            async (s, ct) => await RecordSubjectAsync(s.SubjectId!, s.MayBeAttributed, [.. s.Events.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal)], deltas, ct)
                .ConfigureAwait(false)).ConfigureAwait(false);
        return deltas.Operations + await FlushAsync(deltas, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the rows' deltas, one increment per row touched.</summary>
    private async Task<int> FlushAsync(RowDeltas deltas, CancellationToken cancellationToken)
    {
        var operations = 0;
        await Parallel.ForEachAsync(deltas.Rows, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelSubjects, CancellationToken = cancellationToken },
            async (row, ct) =>
            {
                var increments = row.Value.Where(kv => kv.Value != 0).ToDictionary(StringComparer.Ordinal);
                if (increments.Count > 0)
                {
                    Interlocked.Add(ref operations, await store.IncrementAsync(row.Key.Day, row.Key.Bucket, row.Key.Segment, increments, ct).ConfigureAwait(false));
                }
            }).ConfigureAwait(false);
        return operations;
    }

    private async Task RecordSubjectAsync(string subjectId, bool attributable, List<ClickstreamEvent> events, RowDeltas deltas, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow();
        var skewed = events.Where(e => e.OccurredAt > now + settings.ClockSkewTolerance).ToList();
        foreach (var e in skewed)
        {
            deltas.Add(AttributionStore.DayOf(now), Totals, [], $"dropped.{DroppedReasons.ClockSkew}", 1);
            LogSkewed(logger, e.Id, e.OccurredAt);
        }

        events = [.. events.Except(skewed)];
        var segments = new List<string>();
        var journey = new List<Touchpoint>();
        if (attributable)
        {
            var segmentsDocument = await documents.GetAsync<CustomerSegments>(Collections.Workflows, subjectId, CustomerSegments.DocumentId, cancellationToken).ConfigureAwait(false);
            segments = segmentsDocument?.Segments ?? [];
            // The journey takes this batch's touches first (ETag-guarded; touches it holds already are not added again), then the purchases are split over it.
            var batchTouches = events.Select(Touchpoint.Of).OfType<Touchpoint>().ToList();
            var stored = batchTouches.Count > 0
                ? await store.UpdateJourneyAsync(subjectId, current => Merge(current, batchTouches, now, settings), cancellationToken).ConfigureAwait(false)
                : await store.GetJourneyAsync(subjectId, cancellationToken).ConfigureAwait(false);
            deltas.AddOperations(batchTouches.Count > 0 ? 3 : 2);
            journey = stored?.Touches ?? [];
        }

        foreach (var e in events)
        {
            var day = AttributionStore.DayOf(e.OccurredAt);
            switch (e.Type)
            {
                case EventType.Purchase:
                    await RecordPurchaseAsync(subjectId, attributable, e, journey, segments, deltas, cancellationToken).ConfigureAwait(false);
                    break;
                case EventType.Return:
                    await RecordRefundAsync(subjectId, e, deltas, cancellationToken).ConfigureAwait(false);
                    break;
                case EventType.AddToCart:
                    deltas.Add(day, Totals, segments, "addToCarts", 1);
                    if (attributable && LatestClickOf(journey, e) is { } click)
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
    }

    /// <summary>The journey with the batch's new touches, pruned to what can still earn a purchase (and to <see cref="AttributionOptions.MaxTouches"/>).</summary>
    private static AttributionJourney? Merge(AttributionJourney? current, List<Touchpoint> touches, DateTimeOffset now, AttributionOptions settings)
    {
        current ??= new AttributionJourney();
        var known = current.Touches.Select(t => t.EventId).ToHashSet(StringComparer.Ordinal);
        var added = touches.Where(t => known.Add(t.EventId)).ToList();
        if (added.Count == 0)
        {
            return null;
        }

        // A purchase is accepted up to EventValidator.MaxAge late: keep the touches it could still be earned by.
        var horizon = now - EventValidator.MaxAge - settings.LongestWindow;
        current.Touches = [.. current.Touches.Concat(added).Where(t => t.At >= horizon).OrderBy(t => t.At).ThenBy(t => t.EventId, StringComparer.Ordinal).TakeLast(settings.MaxTouches)];
        current.UpdatedAt = now;
        return current;
    }

    /// <summary>The latest click at or before the cart addition within the click window, of the same product or naming none.</summary>
    private Touchpoint? LatestClickOf(List<Touchpoint> journey, ClickstreamEvent addToCart) =>
        journey.Where(t => t.Kind == TouchKind.Click && (t.ProductId is null || t.ProductId == addToCart.ProductId)
                && t.At <= addToCart.OccurredAt && addToCart.OccurredAt - t.At <= options.Value.ClickWindow)
            .OrderBy(t => t.At).ThenBy(t => t.EventId, StringComparer.Ordinal).LastOrDefault();

    private async Task RecordPurchaseAsync(string subjectId, bool attributable, ClickstreamEvent purchase, List<Touchpoint> journey, List<string> segments,
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
        var influenced = split.Eligible.Any(t => t.Channel == AttributionChannels.Recommendation) || (attributable && lineIds.Any(known.Contains));
        var order = new OrderAttribution
        {
            Day = day,
            Amount = amount,
            Influenced = influenced,
            Segments = attributable ? segments : [],
            Shares = [.. split.ByModel.SelectMany(m => m.Value.Keys).Distinct().Select(b => new OrderShare(b.Channel, b.Source, b.Variant,
                split.ByModel[AttributionModel.LastTouch].GetValueOrDefault(b), split.ByModel[AttributionModel.Linear].GetValueOrDefault(b),
                split.ByModel[AttributionModel.TimeDecay].GetValueOrDefault(b)))],
        };
        deltas.AddOperations(1);
        if (!await store.TryAddOrderAsync(subjectId, purchase.OrderId!, order, cancellationToken).ConfigureAwait(false))
        {
            deltas.Add(day, Totals, [], $"dropped.{DroppedReasons.DuplicateOrder}", 1);
            return;
        }

        var rows = order.Segments;
        if (attributable && lineIds.Count(id => !known.Contains(id)) is > 0 and var unknown)
        {
            deltas.Add(day, Totals, [], $"dropped.{DroppedReasons.UnknownRecommendationId}", unknown);
            LogUnknownRecommendation(logger, purchase.Id, unknown);
        }

        var value = (double)amount;
        deltas.Add(day, Totals, rows, "orders", 1);
        deltas.Add(day, Totals, rows, "revenue", value);
        deltas.Add(day, split.LastTouchBucket, rows, "orders", 1);
        if (!attributable)
        {
            deltas.Add(day, Totals, rows, "ordersWithoutConsent", 1);
        }

        if (influenced)
        {
            deltas.Add(day, Totals, rows, "influencedOrders", 1);
            deltas.Add(day, Totals, rows, "influencedRevenue", value);
        }

        foreach (var share in order.Shares)
        {
            AddModels(deltas, day, share.Bucket, rows, share.LastTouch, share.Linear, share.TimeDecay);
        }

        AddModels(deltas, day, Totals, rows, amount, amount, amount);
    }

    /// <summary>A refund reverses its order's shares in proportion, on the order's day; an unknown order is reversed from the totals and the unattributed bucket.</summary>
    private async Task RecordRefundAsync(string subjectId, ClickstreamEvent refund, RowDeltas deltas, CancellationToken cancellationToken)
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
        var already = false;
        var order = await store.UpdateOrderAsync(subjectId, refund.OrderId!, current =>
        {
            already = current is not null && current.RefundEventIds.Contains(refund.Id);
            if (current is null || already)
            {
                return null;
            }

            reversed = Math.Min(amount, current.Amount - current.Refunded);
            current.Refunded += reversed;
            current.RefundEventIds.Add(refund.Id);
            return current;
        }, cancellationToken).ConfigureAwait(false);
        deltas.AddOperations(order is null || already ? 1 : 2);
        if (already)
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

    private static readonly AttributionBucket Totals = new(AttributionCounters.TotalsChannel, AttributionCounters.TotalsChannel, AttributionCounters.TotalsChannel);

    /// <summary>The batch's increments per row (day, bucket, segment); every delta goes to the all-customers row and to each of the customer's segment rows.</summary>
    private sealed class RowDeltas
    {
        private readonly Lock _lock = new();
        private int _operations;

        public Dictionary<(string Day, AttributionBucket Bucket, string Segment), Dictionary<string, double>> Rows { get; } = [];
        public int Operations => _operations;

        public void AddOperations(int n) => Interlocked.Add(ref _operations, n);

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {EventId} names {Count} recommendation ids its customer's journey does not hold")]
    private static partial void LogUnknownRecommendation(ILogger logger, string eventId, int count);
}
