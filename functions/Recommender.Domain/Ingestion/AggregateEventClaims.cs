using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Recommender.Domain.Events;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// Makes the anonymous aggregates (item counters and pairs, trending, popularity, bandit arms,
/// experiment outcomes and attribution) count an event once, whatever batch, instance or redelivery carries it, for
/// subjects whose profile is not stored (without analytics consent; a stored profile remembers the
/// events it applied). Before counting, ingestion claims each such event that feeds them: one small document per event
/// identity (<see cref="EventIdentity"/>: the subject and the event id), created only if absent —
/// an atomic check in the store every instance shares. An event whose claim exists was counted
/// (or is being counted) already and is skipped. Claims hold no personal data (the id is a hash)
/// and expire once the event could no longer be accepted (<see cref="EventValidator.MaxAge"/> plus
/// the clock skew allowed, plus a day), so the store stays bounded. A crash between the claim and
/// the counting loses those counts: aggregates are never inflated, at worst an event is missed.
/// </summary>
public sealed class AggregateEventClaims(IDocumentStore store, TimeProvider timeProvider)
{
    /// <summary>Claims are spread over this many partitions.</summary>
    public const int Shards = 64;
    public const string PartitionPrefix = "aggregate-claims-";
    /// <summary>How long a claim is kept: no event older than this passes validation again.</summary>
    public static readonly TimeSpan Lifetime = EventValidator.MaxAge + EventValidator.MaxClockSkew + TimeSpan.FromDays(1);

    /// <summary>The event types any aggregate counts; others need no claim.</summary>
    public static bool IsCounted(ClickstreamEvent e) => e.SubjectId is not null && e.Type is EventType.View or EventType.AddToCart or EventType.WishlistAdd
        or EventType.Purchase or EventType.RecommendationImpression or EventType.RecommendationClick
        or EventType.EmailOpen or EventType.EmailClick or EventType.PushOpen or EventType.PushClick or EventType.Return; // the last five: attribution

    /// <summary>Claims the counted events; returns those claimed now (the ones to count), by reference.</summary>
    public async Task<IReadOnlySet<ClickstreamEvent>> ClaimAsync(IEnumerable<ClickstreamEvent> events, CancellationToken cancellationToken = default)
    {
        var claimed = new ConcurrentDictionary<ClickstreamEvent, bool>(ReferenceEqualityComparer.Instance);
        var candidates = events.Where(IsCounted).DistinctBy(EventIdentity.Of, StringComparer.Ordinal).ToList();
        if (candidates.Count == 0)
        {
            return new HashSet<ClickstreamEvent>();
        }

        using var body = JsonDocument.Parse($$"""{"claimedAt":"{{timeProvider.GetUtcNow():O}}"}""");
        var element = body.RootElement.Clone();
        var timeToLive = DocumentTimeToLive.After(Lifetime);
        await Parallel.ForEachAsync(candidates, new ParallelOptions { MaxDegreeOfParallelism = IngestionService.MaxParallelCustomers, CancellationToken = cancellationToken },
            async (e, ct) =>
            {
                var (partition, id) = KeyOf(e);
                try
                {
                    await store.CreateAsync(Collections.Workflows, partition, id, element, timeToLive, ct).ConfigureAwait(false);
                    claimed[e] = true;
                }
                catch (DocumentConflictException)
                {
                    // Counted before: another batch, instance or delivery carried it.
                }
            }).ConfigureAwait(false);
        return new HashSet<ClickstreamEvent>(claimed.Keys, ReferenceEqualityComparer.Instance);
    }

    /// <summary>The claim document of an event: a shard partition and the hash of its identity (no identifier in clear).</summary>
    public static (string Partition, string Id) KeyOf(ClickstreamEvent e)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(EventIdentity.Of(e)));
        return ($"{PartitionPrefix}{hash[0] % Shards:D2}", "claim-" + Convert.ToHexStringLower(hash)[..40]);
    }
}

/// <summary>
/// An event's identity for idempotency: its id within its subject (the customer, or <c>anon:</c> and
/// the visitor's id; catalog changes share one scope). Two customers' events may carry the same id
/// and are still two events; the same event sent again, in any batch, is one.
/// </summary>
public static class EventIdentity
{
    public static string Of(ClickstreamEvent e) => $"{e.SubjectId ?? "catalog"}\n{e.Id}";
}
