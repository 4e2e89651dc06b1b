using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion.Handlers;
using Recommender.Domain.Profiles;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// Ingests one batch of raw events, whatever its source (Event Hubs invocation or HTTP):
/// <list type="number">
/// <item>validate each event — refusals (and automated traffic) are dead-lettered with the reason while the rest goes on;</item>
/// <item>archive the valid ones by data class (a redelivered batch is recognised by its name);</item>
/// <item>apply catalog changes to the catalog, after the <see cref="ICatalogChangesHandler"/>s saw them (against the catalog as it was);</item>
/// <item>per subject (customer, or <c>anon:</c> visitor), in event-time order and exactly once, apply
/// them to the profile with ETag concurrency — behaviour only with analytics consent and never for
/// minors — merging an anonymous visitor into the customer at login (<see cref="VisitorMerger"/>);
/// then hand the subject's changes to every <see cref="ISubjectChangesHandler"/> (lifecycle workflows,
/// customer directory, cached recommendations), in registration order;</item>
/// <item>archive what the profile updates decided may be kept (<see cref="ArchiveGate"/>);</item>
/// <item>hand the batch's changes to every <see cref="IBatchChangesHandler"/> (item counters, trending, bandit,
/// popularity, experiment outcomes, attribution), with the events the anonymous aggregates count now —
/// each event once, whatever batch carries it (<see cref="AggregateEventClaims"/>).</item>
/// </list>
/// The handlers come from the container (<see cref="IngestionHandlers"/>): a new reaction is a new handler,
/// never an edit here. Profiles and their features are read and written at most once per subject per batch;
/// the batch's storage calls are counted where they are made (<see cref="StorageCallTally"/>).
/// </summary>
public sealed partial class IngestionService(
    EventValidator validator,
    EventArchive archive,
    DeadLetters deadLetters,
    ProfileStore profiles,
    VelocityTracker velocity,
    AggregateEventClaims aggregateClaims,
    CatalogProvider catalog,
    VisitorMerger visitors,
    IEnumerable<ICatalogChangesHandler> catalogHandlers,
    IEnumerable<ISubjectChangesHandler> subjectHandlers,
    IEnumerable<IBatchChangesHandler> batchHandlers,
    TimeProvider timeProvider,
    ILogger<IngestionService> logger,
    ArchiveGate archiveGate,
    EventWeights? eventWeights = null)
{
    /// <summary>The store's event weights (the injected table profiles, trainers and serving share).</summary>
    public EventWeights Weights { get; } = eventWeights ?? EventWeights.Default;

    /// <summary>Subjects processed at once within a batch.</summary>
    public const int MaxParallelCustomers = 8;

    private readonly ICatalogChangesHandler[] _catalogHandlers = [.. catalogHandlers];
    private readonly ISubjectChangesHandler[] _subjectHandlers = [.. subjectHandlers];
    private readonly IBatchChangesHandler[] _batchHandlers = [.. batchHandlers];

    /// <summary>
    /// The source of events recorded through the operator's privacy API (consents, rectifications):
    /// authenticated actions, never judged as automated traffic.
    /// </summary>
    public const string PrivacyApiSource = "privacy-api";

    public Task<IngestionResult> IngestAsync(IReadOnlyList<string> bodies, string source, CancellationToken cancellationToken = default) =>
        IngestAsync(bodies.Select(b => new RawEvent(b)).ToList(), source, cancellationToken);

    private async Task<IngestionResult> IngestBatchAsync(IReadOnlyList<RawEvent> bodies, string source, CancellationToken cancellationToken)
    {
        using var storageCalls = StorageCallTally.Start();
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
        var batchId = BatchIdOf(humans, now, refused.Count);
        if (refused.Count > 0)
        {
            await deadLetters.WriteAsync(batchId, refused, now, cancellationToken).ConfigureAwait(false);
            LogRefused(logger, refused.Count, bodies.Count, source);
        }

        // Privacy at the source (ArchiveGate): an erased subject's events stop at the door, kept nowhere.
        var notArchived = new Dictionary<string, int>(StringComparer.Ordinal);
        var markerClass = humans.Count > 0 ? EventArchive.MarkerClassOf(humans) : default;
        if (humans.Count > 0)
        {
            await archiveGate.RefuseErasedAsync(humans, outcomes, notArchived, cancellationToken).ConfigureAwait(false);
        }

        if (humans.Count == 0)
        {
            return new IngestionResult(outcomes, 0, 0, 0, (int)storageCalls.Calls, notArchived);
        }

        var catalogChanges = humans.Where(e => e.Type == EventType.CatalogChange).ToList();
        if (catalogChanges.Count > 0)
        {
            // Reactions first, against the catalog as it was: a crash after this still finds them recorded.
            foreach (var handler in _catalogHandlers)
            {
                await handler.HandleAsync(catalogChanges, cancellationToken).ConfigureAwait(false);
            }

            await catalog.ApplyChangesAsync(catalogChanges, cancellationToken).ConfigureAwait(false);
        }

        var products = await catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var bySubject = AttributeToSubjects(humans);
        var appliedBag = new ConcurrentBag<ProfileChanges>();
        await Parallel.ForEachAsync(bySubject, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelCustomers, CancellationToken = cancellationToken },
            async (group, ct) =>
            {
                foreach (var changes in await ApplyToSubjectAsync(group.Key, group.Value, products, now, ct).ConfigureAwait(false))
                {
                    appliedBag.Add(changes);
                }
            }).ConfigureAwait(false);
        var applied = appliedBag.ToArray();

        // The archive takes what the profile updates decided may be kept (ArchiveGate), after they were written.
        var selection = archiveGate.Select(humans, applied, notArchived);
        ArchiveGate.MarkDropped(applied, outcomes);
        _ = await archive.AppendAsync(batchId, selection.Archived, now, markerClass, cancellationToken).ConfigureAwait(false);

        // Each event counts once in the aggregates, whatever batch carries it. A stored profile remembers the
        // events it applied (its write is ETag-guarded, so one batch applies each): they count. A subject with
        // no stored profile (no analytics consent) remembers nothing, so their events are claimed first (AggregateEventClaims).
        var unremembered = applied.Where(c => !c.MustWrite).SelectMany(c => c.Applied).ToList();
        var claimed = await aggregateClaims.ClaimAsync(unremembered, cancellationToken).ConfigureAwait(false);
        var counted = new HashSet<ClickstreamEvent>(applied.Where(c => c.MustWrite).SelectMany(c => c.Applied), ReferenceEqualityComparer.Instance);
        counted.UnionWith(claimed);

        // The per-batch aggregates, in registration order (IngestionHandlers); each counts only what is counted now,
        // or keeps a ledger of its own (attribution), so a batch delivered again after a crash finishes them.
        var batch = new BatchChanges(applied, counted, Weights);
        foreach (var handler in _batchHandlers)
        {
            await handler.HandleAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        MarkDuplicates(outcomes, valid, applied, counted);
        var appliedCount = applied.Sum(c => c.Applied.Count);
        var attributed = bySubject.Values.Sum(v => v.Count);
        return new IngestionResult(outcomes, appliedCount, attributed - appliedCount, bySubject.Count, (int)storageCalls.Calls, notArchived);
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
        IReadOnlyDictionary<string, Product> products, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var results = new List<ProfileChanges>();
        // A login first folds the visitor's profile in, so events the visitor already had are not applied twice.
        foreach (var anonymousId in events.Where(e => e.Type == EventType.Identify && e.CustomerId == subjectId).Select(e => e.AnonymousId!).Distinct(StringComparer.Ordinal))
        {
            await visitors.MergeAsync(subjectId, anonymousId, now, cancellationToken).ConfigureAwait(false);
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

        if (mergedInto is not null)
        {
            return await ApplyToSubjectAsync(mergedInto, events, products, now, cancellationToken).ConfigureAwait(false);
        }

        results.Add(changes);
        // A batch delivered again (Event Hubs retries from its last checkpoint, maybe after a crash between
        // the profile write and the steps below) applies nothing new, but the steps run again: each is
        // idempotent, and without them a crash there would lose what they start.
        if (profile is null || (!changes.MustWrite && changes.Replayed.Count == 0))
        {
            return results;
        }

        // The subject's reactions, in registration order (IngestionHandlers): a throw fails the batch, which comes again.
        var subject = new SubjectChanges(subjectId, profile, changes, products, now);
        foreach (var handler in _subjectHandlers)
        {
            await handler.HandleAsync(subject, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Refused} of {Total} events from {Source}")]
    private static partial void LogRefused(ILogger logger, int refused, int total, string source);
}
