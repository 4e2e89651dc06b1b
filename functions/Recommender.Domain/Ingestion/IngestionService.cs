using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Experiments;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Workflows;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// Ingests one batch of raw events, whatever its source (Event Hubs invocation or HTTP):
/// <list type="number">
/// <item>validate each event — refusals (and automated traffic) are dead-lettered with the reason while the rest goes on;</item>
/// <item>archive the valid ones by data class (a redelivered batch is recognised by its name);</item>
/// <item>apply catalog changes to the catalog;</item>
/// <item>per subject (customer, or <c>anon:</c> visitor), in event-time order and exactly once, apply
/// them to the profile with ETag concurrency — behaviour only with analytics consent and never for
/// minors — merging an anonymous visitor into the customer at login;</item>
/// <item>update the anonymous aggregates: item counters, viewed/bought-together pairs, trending and popularity, experiment outcomes and attribution —
/// each event once, whatever batch carries it (<see cref="AggregateEventClaims"/>);</item>
/// <item>drive the lifecycle workflows (cart and browse abandonment, post-purchase, replenishment) and refresh the customer's cached recommendations;</item>
/// <item>record product watchers and detect catalog alerts (<see cref="CatalogAlertsWorkflow"/>).</item>
/// </list>
/// Profiles and their features are read and written at most once per subject per batch.
/// </summary>
public sealed partial class IngestionService(
    EventValidator validator,
    EventArchive archive,
    DeadLetters deadLetters,
    ProfileStore profiles,
    TrendingStore trending,
    VelocityTracker velocity,
    AggregateEventClaims aggregateClaims,
    CatalogProvider catalog,
    RecommendationService recommendations,
    CartAbandonmentWorkflow cartAbandonment,
    BrowseAbandonmentWorkflow browseAbandonment,
    CatalogAlertsWorkflow catalogAlerts,
    PostPurchaseWorkflow postPurchase,
    ReplenishmentWorkflow replenishment,
    ExperimentRecorder experiments,
    BanditPolicy bandit,
    TimeProvider timeProvider,
    ILogger<IngestionService> logger,
    ArchiveGate archiveGate,
    Attribution.AttributionRecorder attribution,
    EventWeights? eventWeights = null)
{
    /// <summary>The store's event weights (the injected table profiles, trainers and serving share).</summary>
    public EventWeights Weights { get; } = eventWeights ?? EventWeights.Default;

    /// <summary>Subjects processed at once within a batch.</summary>
    public const int MaxParallelCustomers = 8;

    private sealed class Counter
    {
        private int _value;
        public int Value => _value;
        public void Add(int n) => Interlocked.Add(ref _value, n);
    }

    /// <summary>
    /// The source of events recorded through the operator's privacy API (consents, rectifications):
    /// authenticated actions, never judged as automated traffic.
    /// </summary>
    public const string PrivacyApiSource = "privacy-api";

    public Task<IngestionResult> IngestAsync(IReadOnlyList<string> bodies, string source, CancellationToken cancellationToken = default) =>
        IngestAsync(bodies.Select(b => new RawEvent(b)).ToList(), source, cancellationToken);

    private async Task<IngestionResult> IngestBatchAsync(IReadOnlyList<RawEvent> bodies, string source, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var outcomes = new EventOutcome[bodies.Count];
        var valid = new List<(int Index, ClickstreamEvent Event)>();
        var refused = new List<DeadLetter>();
        var seenInBatch = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < bodies.Count; i++)
        {
            var validation = bodies[i].Refusal is { } refusal ? EventValidation.Invalid(bodies[i].EventId, refusal) : validator.Validate(bodies[i].Body);
            if (validation.Event is { } e)
            {
                var dropped = validation.DroppedFields.Count;
                var first = seenInBatch.Add(EventIdentity.Of(e));
                outcomes[i] = new EventOutcome(i, e.Id, true, DroppedFieldCount: dropped > 0 ? dropped : null, Duplicate: first ? null : true);
                if (first)
                {
                    valid.Add((i, e));
                }
            }
            else
            {
                outcomes[i] = new EventOutcome(i, validation.EventId, false, validation.Error);
                refused.Add(DeadLetterForms.Refused(validation.Error!, bodies[i].Body, source, now, validation.EventId));
            }
        }

        var humans = source == PrivacyApiSource ? valid.Select(v => v.Event).ToList() : RefuseAutomatedTraffic(valid, outcomes, refused, source, now, velocity);
        var operations = new Counter();
        var batchId = BatchIdOf(humans, now, refused.Count);
        if (refused.Count > 0)
        {
            await deadLetters.WriteAsync(batchId, refused, now, cancellationToken).ConfigureAwait(false);
            operations.Add(1);
            LogRefused(logger, refused.Count, bodies.Count, source);
        }

        // Privacy at the source (ArchiveGate): an erased subject's events stop at the door, kept nowhere.
        var notArchived = new Dictionary<string, int>(StringComparer.Ordinal);
        var markerClass = humans.Count > 0 ? EventArchive.MarkerClassOf(humans) : default;
        if (humans.Count > 0)
        {
            await archiveGate.RefuseErasedAsync(humans, outcomes, notArchived, cancellationToken).ConfigureAwait(false);
            operations.Add(1);
        }

        if (humans.Count == 0)
        {
            return new IngestionResult(outcomes, 0, 0, 0, operations.Value, notArchived);
        }

        var catalogChanges = humans.Where(e => e.Type == EventType.CatalogChange).ToList();
        if (catalogChanges.Count > 0)
        {
            // Alerts first, against the catalog as it was: a crash after this still finds the changes' alerts recorded.
            operations.Add(await catalogAlerts.OnCatalogChangesAsync(catalogChanges, cancellationToken).ConfigureAwait(false));
            await catalog.ApplyChangesAsync(catalogChanges, cancellationToken).ConfigureAwait(false);
            operations.Add(2);
        }

        var products = await catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var bySubject = AttributeToSubjects(humans);
        var applied = new ConcurrentBag<ProfileChanges>();
        await Parallel.ForEachAsync(bySubject, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelCustomers, CancellationToken = cancellationToken },
            async (group, ct) =>
            {
                foreach (var changes in await ApplyToSubjectAsync(group.Key, group.Value, products, now, operations, ct).ConfigureAwait(false))
                {
                    applied.Add(changes);
                }
            }).ConfigureAwait(false);

        // The archive takes what the profile updates decided may be kept (ArchiveGate), after they were written.
        var selection = archiveGate.Select(humans, applied, notArchived);
        ArchiveGate.MarkDropped(applied, outcomes);
        _ = await archive.AppendAsync(batchId, selection.Archived, now, markerClass, cancellationToken).ConfigureAwait(false);
        operations.Add(EventArchive.BlobsWritten(selection.Archived, markerClass));

        // Each event counts once in the aggregates, whatever batch carries it. A stored profile remembers the
        // events it applied (its write is ETag-guarded, so one batch applies each): they count. A subject with
        // no stored profile (no analytics consent) remembers nothing, so their events are claimed first (AggregateEventClaims).
        var unremembered = applied.Where(c => !c.MustWrite).SelectMany(c => c.Applied).ToList();
        var claimed = await aggregateClaims.ClaimAsync(unremembered, cancellationToken).ConfigureAwait(false);
        operations.Add(unremembered.Count(AggregateEventClaims.IsCounted));
        var counted = new HashSet<ClickstreamEvent>(applied.Where(c => c.MustWrite).SelectMany(c => c.Applied), ReferenceEqualityComparer.Instance);
        counted.UnionWith(claimed);
        if (counted.Count > 0)
        {
            operations.Add(await UpdateAggregatesAsync(applied, counted, cancellationToken).ConfigureAwait(false));
            operations.Add(await experiments.RecordAsync([.. applied.SelectMany(c => c.Applied).Where(counted.Contains)], cancellationToken).ConfigureAwait(false));
        }

        // Attribution keeps its own ledger of what it counted, so a batch delivered again after a crash finishes it (AttributionRecorder).
        operations.Add(await attribution.RecordAsync(applied, cancellationToken).ConfigureAwait(false));

        MarkDuplicates(outcomes, valid, applied, counted);
        var appliedCount = applied.Sum(c => c.Applied.Count);
        var attributed = bySubject.Values.Sum(v => v.Count);
        return new IngestionResult(outcomes, appliedCount, attributed - appliedCount, bySubject.Count, operations.Value, notArchived);
    }

    /// <summary>
    /// Known bot user agents and sources faster than a person (within this batch, or across the
    /// batches this process has seen) are refused: bots never reach profiles, counters or training.
    /// Records (<see cref="BotDetector.IsRecord"/>: orders, consents, account facts, logins) are never
    /// judged — they are not browsing, and refusing them would lose an order or a consent because
    /// someone else sent events in the customer's name — and do not count towards a source's pace.
    /// A source is the session, else the device, else the customer, within the ingestion channel.
    /// </summary>
    private static List<ClickstreamEvent> RefuseAutomatedTraffic(List<(int Index, ClickstreamEvent Event)> valid,
        EventOutcome[] outcomes, List<DeadLetter> refused, string source, DateTimeOffset now, VelocityTracker velocity)
    {
        string SourceOf(ClickstreamEvent e) => $"{source}\n{e.SessionId ?? e.AnonymousId ?? e.CustomerId}";
        var people = valid.Where(v => !BotDetector.IsRecord(v.Event.Type)).Select(v => (SourceOf(v.Event), v.Event.OccurredAt)).ToList();
        var tooFast = BotDetector.TooFast(people);
        tooFast.UnionWith(velocity.Record(people));
        var humans = new List<ClickstreamEvent>(valid.Count);
        foreach (var (index, e) in valid)
        {
            var reason = BotDetector.IsRecord(e.Type) ? null
                : BotDetector.IsKnownBot(e.Context?.UserAgent) ? "automated traffic: known bot user agent"
                : tooFast.Contains(SourceOf(e)) ? $"automated traffic: more than {BotDetector.MaxEventsPerMinute} events a minute from one source"
                : null;
            if (reason is null)
            {
                humans.Add(e);
                continue;
            }

            outcomes[index] = new EventOutcome(index, e.Id, false, reason);
            refused.Add(DeadLetterForms.Automated(reason, e, source, now));
        }

        return humans;
    }

    /// <summary>
    /// An accepted event that applied nothing because its subject had it already (an earlier batch,
    /// or earlier in this one) is answered <c>"duplicate": true</c>: "accepted" alone means applied.
    /// </summary>
    private static void MarkDuplicates(EventOutcome[] outcomes, List<(int Index, ClickstreamEvent Event)> valid, IEnumerable<ProfileChanges> applied,
        IReadOnlySet<ClickstreamEvent> counted)
    {
        var appliedNow = new HashSet<ClickstreamEvent>(applied.SelectMany(c => c.Applied), ReferenceEqualityComparer.Instance);
        foreach (var (index, e) in valid)
        {
            // Without a stored profile (no analytics consent) the aggregates' claim is what remembers an event.
            if (outcomes[index].Accepted && e.SubjectId is not null && (!appliedNow.Contains(e) || (AggregateEventClaims.IsCounted(e) && !counted.Contains(e))))
            {
                outcomes[index] = outcomes[index] with { Duplicate = true };
            }
        }
    }

    /// <summary>Same events in the same hour → same id, so a redelivered batch lands on the same archive name.</summary>
    private static string BatchIdOf(List<ClickstreamEvent> events, DateTimeOffset now, int refused)
    {
        var ids = string.Join('\n', events.Select(e => e.Id).Order(StringComparer.Ordinal));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(events.Count == 0 ? $"{Guid.NewGuid()}:{refused}" : ids)))[..32];
        return $"{now.UtcDateTime:yyyyMMddHH}-{hash}";
    }

    /// <summary>
    /// Groups events by subject. A login (<c>identify</c>) in the batch sends the visitor's anonymous
    /// events of the same batch to the customer too; catalog changes are about no one.
    /// </summary>
    private static Dictionary<string, List<ClickstreamEvent>> AttributeToSubjects(List<ClickstreamEvent> events)
    {
        var logins = events.Where(e => e.Type == EventType.Identify && e.AnonymousId is not null)
            .GroupBy(e => e.AnonymousId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.OccurredAt).Last().CustomerId!, StringComparer.Ordinal);
        var subjects = new Dictionary<string, List<ClickstreamEvent>>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var subject = e.CustomerId is null && e.AnonymousId is { } anonymousId && logins.TryGetValue(anonymousId, out var customerId)
                ? customerId
                : e.SubjectId;
            if (subject is null)
            {
                continue;
            }

            if (!subjects.TryGetValue(subject, out var list))
            {
                subjects[subject] = list = [];
            }

            list.Add(e);
        }

        return subjects;
    }

    private async Task<List<ProfileChanges>> ApplyToSubjectAsync(string subjectId, List<ClickstreamEvent> events,
        IReadOnlyDictionary<string, Product> products, DateTimeOffset now, Counter operations, CancellationToken cancellationToken)
    {
        var results = new List<ProfileChanges>();
        // A login first folds the visitor's profile in, so events the visitor already had are not applied twice.
        foreach (var anonymousId in events.Where(e => e.Type == EventType.Identify && e.CustomerId == subjectId).Select(e => e.AnonymousId!).Distinct(StringComparer.Ordinal))
        {
            await MergeVisitorAsync(subjectId, anonymousId, now, operations, cancellationToken).ConfigureAwait(false);
        }

        ProfileChanges changes = new();
        string? mergedInto = null;
        var profile = await profiles.UpdateAsync(subjectId, current =>
        {
            mergedInto = current?.MergedInto;
            if (mergedInto is not null)
            {
                return null; // a visitor who logged in: their events belong to the customer
            }

            var isNew = current is null;
            current ??= new CustomerProfile { CustomerId = subjectId, CreatedAt = now, UpdatedAt = now };
            changes = ProfileUpdater.Apply(current, events, products, now, Weights);
            changes.IsNewProfile = isNew;
            // Without profiling and without a record to keep, nothing about the subject is stored.
            return changes.MustWrite ? current : null;
        }, cancellationToken).ConfigureAwait(false);
        operations.Add(changes.MustWrite ? 2 : 1);

        if (mergedInto is not null)
        {
            return await ApplyToSubjectAsync(mergedInto, events, products, now, operations, cancellationToken).ConfigureAwait(false);
        }

        results.Add(changes);
        // A batch delivered again (Event Hubs retries from its last checkpoint, maybe after a crash between
        // the profile write and the steps below) applies nothing new, but the steps run again: each is
        // idempotent, and without them a crash there would lose what they start.
        if (profile is null || (!changes.MustWrite && changes.Replayed.Count == 0))
        {
            return results;
        }

        if (changes.IsNewProfile || changes.Replayed.Count > 0)
        {
            await profiles.RegisterCustomerAsync(subjectId, cancellationToken).ConfigureAwait(false);
            operations.Add(1);
        }

        await DriveAbandonmentAsync(profile, changes, now, operations, cancellationToken).ConfigureAwait(false);

        operations.Add(await catalogAlerts.OnCustomerEventsAsync(profile, changes, products, cancellationToken).ConfigureAwait(false));
        // Orders drive post-purchase cross-sell and replenishment — for customers who may be profiled
        // (their purchase history is behaviour; an objection stops it too); withdrawing that consent forgets the history. Replayed
        // order events go too: both workflows remember the events they applied, so a replay only finishes
        // what a crash interrupted (an event not yet recorded, a timer armed but not yet scheduled).
        var orderEvents = changes.Applied.Concat(changes.Replayed).Where(e => e.Type is EventType.Purchase or EventType.Delivery or EventType.Return)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
        if (orderEvents.Count > 0 && profile.MayBeProfiled(now) && !subjectId.StartsWith(ClickstreamEvent.AnonymousSubjectPrefix, StringComparison.Ordinal))
        {
            await postPurchase.OnOrderEventsAsync(subjectId, orderEvents, cancellationToken).ConfigureAwait(false);
            await replenishment.OnOrderEventsAsync(subjectId, orderEvents, cancellationToken).ConfigureAwait(false);
            operations.Add(2 * orderEvents.Count + 2);
        }
        else if (changes.BehaviourCleared)
        {
            await replenishment.DeleteAsync(subjectId, cancellationToken).ConfigureAwait(false);
            operations.Add(1);
        }

        if (changes.BehaviourCleared || (changes.ConsentChanged && !profile.PersonalizationAllowed(now)))
        {
            await recommendations.DeleteCacheAsync(subjectId, cancellationToken).ConfigureAwait(false);
            operations.Add(1);
        }
        else if (changes.Material || changes.Identified.Count > 0)
        {
            await recommendations.RefreshCacheAsync(profile, cancellationToken).ConfigureAwait(false);
            operations.Add(1);
        }

        return results;
    }

    /// <summary>
    /// Cart and browse abandonment, for the events applied now and those replayed. Both workflows
    /// recognise a cart change or a view they already handled (whatever became of it since), so a
    /// replay only finishes what a crash interrupted (an arm not yet scheduled, a cancel not yet written).
    /// </summary>
    private async Task DriveAbandonmentAsync(CustomerProfile profile, ProfileChanges changes, DateTimeOffset now, Counter operations, CancellationToken cancellationToken)
    {
        static bool TouchesCart(ClickstreamEvent e) => e.Type is EventType.AddToCart or EventType.RemoveFromCart or EventType.Purchase;
        var replayedCart = changes.Replayed.Where(TouchesCart).ToList();
        var purchased = changes.Purchased || replayedCart.Any(e => e.Type == EventType.Purchase);
        if (changes.CartChanged || changes.BehaviourCleared || replayedCart.Count > 0)
        {
            await cartAbandonment.OnCartChangedAsync(profile, purchased, cancellationToken).ConfigureAwait(false);
            // Replayed alone, a cart change ends only a wait armed by views before it (not one armed since).
            var notViewedAfter = changes.CartChanged || changes.BehaviourCleared ? (DateTimeOffset?)null : replayedCart.Max(e => e.OccurredAt);
            await browseAbandonment.CancelAsync(profile.CustomerId, purchased ? "purchase" : "cart changed", notViewedAfter, cancellationToken).ConfigureAwait(false);
            operations.Add(5);
        }
        else if ((changes.Profiled && changes.Applied.Any(e => e.Type == EventType.View))
            || (profile.MayBeProfiled(now) && changes.Replayed.Any(e => e.Type == EventType.View)))
        {
            await browseAbandonment.OnViewedAsync(profile, cancellationToken).ConfigureAwait(false);
            operations.Add(3);
        }
    }

    /// <summary>
    /// Login: the anonymous visitor's profile joins the customer's (once: the customer records the
    /// merge in the same write), then the visitor's record becomes a pointer to the customer so
    /// later anonymous events follow. Event ids merge too, so nothing is counted twice.
    /// </summary>
    private async Task MergeVisitorAsync(string customerId, string anonymousId, DateTimeOffset now, Counter operations, CancellationToken cancellationToken)
    {
        var visitorId = ClickstreamEvent.AnonymousSubjectPrefix + anonymousId;
        var visitor = await profiles.GetAsync(visitorId, cancellationToken).ConfigureAwait(false);
        operations.Add(1);
        if (visitor is null)
        {
            // A visitor with no profile still gets the pointer (a login record): their later cookie-only
            // events are then decided by the customer's consent, never archived under the anonymous id alone.
            await profiles.UpdateAsync(visitorId, v => v is not null ? null : new CustomerProfile
            {
                CustomerId = visitorId,
                CreatedAt = now,
                UpdatedAt = now,
                MergedInto = customerId,
            }, cancellationToken).ConfigureAwait(false);
            operations.Add(1);
            return;
        }

        if (visitor.MergedInto is not null)
        {
            return;
        }

        var created = false;
        await profiles.UpdateAsync(customerId, current =>
        {
            created = current is null;
            current ??= new CustomerProfile { CustomerId = customerId, CreatedAt = now, UpdatedAt = now };
            if (current.MergedVisitors.Contains(anonymousId))
            {
                return null;
            }

            ProfileMerger.MergeInto(current, visitor, now);
            return current;
        }, cancellationToken).ConfigureAwait(false);
        if (created)
        {
            await profiles.RegisterCustomerAsync(customerId, cancellationToken).ConfigureAwait(false);
        }

        await profiles.UpdateAsync(visitorId, v => v is null ? null : new CustomerProfile
        {
            CustomerId = visitorId,
            CreatedAt = v.CreatedAt,
            UpdatedAt = now,
            MergedInto = customerId,
            ProcessedEventIds = v.ProcessedEventIds,
        }, cancellationToken).ConfigureAwait(false);
        await recommendations.DeleteCacheAsync(visitorId, cancellationToken).ConfigureAwait(false);
        await profiles.UnregisterCustomerAsync(visitorId, cancellationToken).ConfigureAwait(false);
        operations.Add(7);
    }

    /// <summary>Item counters and pairs (one increment per product touched), trending buckets and popularity.</summary>
    private async Task<int> UpdateAggregatesAsync(IEnumerable<ProfileChanges> allChanges, IReadOnlySet<ClickstreamEvent> counted, CancellationToken cancellationToken)
    {
        // Only the events claimed now count; a co-viewed pair belongs to the view that made it.
        var changes = allChanges.Select(c => (Applied: c.Applied.Where(counted.Contains).ToList(), c.CoViewed)).ToList();
        var deltas = new Dictionary<string, ItemStats>(StringComparer.Ordinal);
        var interactions = new List<(string ProductId, DateTimeOffset At, double Weight)>();
        ItemStats For(string id) => deltas.TryGetValue(id, out var s) ? s : deltas[id] = new ItemStats { ProductId = id };
        foreach (var change in changes)
        {
            foreach (var e in change.Applied)
            {
                var (weight, count) = e.Type switch
                {
                    EventType.View => (Weights.View, (Action<ItemStats>)(s => s.Views++)),
                    EventType.AddToCart => (Weights.AddToCart, s => s.AddToCarts++),
                    EventType.WishlistAdd => (Weights.WishlistAdd, s => s.Wishlists++),
                    EventType.Purchase => (Weights.Purchase, s => s.Purchases++),
                    _ => (0.0, null!),
                };
                if (weight == 0)
                {
                    continue;
                }

                foreach (var productId in e.AllProductIds)
                {
                    count(For(productId));
                    interactions.Add((productId, e.OccurredAt, weight));
                }

                if (e.Type == EventType.Purchase)
                {
                    foreach (var (a, b) in PurchasePairs(e))
                    {
                        AddPair(For(a).BoughtTogether, For(b).BoughtTogether, a, b, e.OccurredAt);
                    }
                }
            }

            foreach (var (a, b, at) in change.CoViewed.Where(p => change.Applied.Any(e => e.Type == EventType.View && e.OccurredAt == p.At && e.ProductId == p.A)))
            {
                AddPair(For(a).CoViewed, For(b).CoViewed, a, b, at);
            }
        }

        // Counters and pairs by atomic increment: no read, no ETag race between concurrent batches.
        var itemOperations = 0;
        await Parallel.ForEachAsync(deltas.Values, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelCustomers, CancellationToken = cancellationToken },
            async (delta, ct) => Interlocked.Add(ref itemOperations, await profiles.IncrementItemAsync(delta, ct).ConfigureAwait(false))).ConfigureAwait(false);

        var operations = itemOperations + await trending.AddAsync(interactions, cancellationToken).ConfigureAwait(false);

        // The bandit learns which strategy earns clicks and revenue, from impressions, clicks and attributed purchase lines.
        operations += await bandit.RecordAsync(changes.SelectMany(c => c.Applied).SelectMany(e => e.Type switch
        {
            EventType.RecommendationImpression => [new BanditEvent(e.RecommendationId, BanditFeedback.Impression, e.OccurredAt)],
            EventType.RecommendationClick => [new BanditEvent(e.RecommendationId, BanditFeedback.Click, e.OccurredAt)],
            EventType.Purchase => e.Lines!.Where(l => l.RecommendationId is not null)
                .Select(l => new BanditEvent(l.RecommendationId, BanditFeedback.Purchase, e.OccurredAt, (l.Price ?? 0) * l.Quantity)),
            _ => Enumerable.Empty<BanditEvent>(),
        }), cancellationToken).ConfigureAwait(false);
        if (interactions.Count > 0)
        {
            var now = timeProvider.GetUtcNow();
            var popularity = interactions.GroupBy(i => i.ProductId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(i => i.Weight), StringComparer.Ordinal);
            await profiles.UpdatePopularityAsync(board =>
            {
                board ??= new PopularityBoard();
                board.Add(popularity, now);
                return board;
            }, cancellationToken).ConfigureAwait(false);
            operations += 2;
        }

        return operations;
    }

    /// <summary>A pair counts both ways, weighted forward-decayed by when it happened.</summary>
    private static void AddPair(Dictionary<string, double> ofA, Dictionary<string, double> ofB, string a, string b, DateTimeOffset at)
    {
        var weight = ItemStats.PairDecay.Scale(1, at);
        ofA[b] = ofA.GetValueOrDefault(b) + weight;
        ofB[a] = ofB.GetValueOrDefault(a) + weight;
    }

    private static IEnumerable<(string A, string B)> PurchasePairs(ClickstreamEvent e)
    {
        var ids = e.Lines!.Select(l => l.ProductId).Distinct(StringComparer.Ordinal).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            for (var j = i + 1; j < ids.Count; j++)
            {
                yield return (ids[i], ids[j]);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Refused} of {Total} events from {Source}")]
    private static partial void LogRefused(ILogger logger, int refused, int total, string source);
}
