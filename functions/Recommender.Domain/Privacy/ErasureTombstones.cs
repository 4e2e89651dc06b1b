using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Events;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Privacy;

/// <summary>
/// Erasure tombstones: the ids of an erased subject — the customer id, the anonymous ids linked to them
/// at login, the SHA-256 hashes of their email and phone — kept as keyed hashes (HMAC-SHA256 with
/// <see cref="PrivacyOptions.TombstoneKey"/>; no raw id, no plain hash), each for
/// <see cref="PrivacyOptions.TombstonePeriod"/> (Event Hubs retention + 30 days by default: a replay,
/// a late batch or a restored backup within that time cannot bring the subject back). Ingestion refuses
/// their events at the door, training skips them.
/// <para>
/// Stored as one document per tombstone (partition <see cref="Partition"/> of the workflows collection,
/// with their own time-to-live) plus a generation marker rewritten with every erasure: a reader keeps
/// the set in memory and reloads it only when the marker changed, so the check costs one point read per
/// batch.
/// </para>
/// </summary>
public sealed partial class ErasureTombstones(IDocumentStore documents, IOptions<PrivacyOptions> options, TimeProvider timeProvider, ILogger<ErasureTombstones> logger)
{
    /// <summary>The partition holding the tombstones.</summary>
    public const string Partition = "_erasure-tombstones";
    private const string GenerationPartition = "_erasure-tombstones-generation";
    private const string GenerationId = "generation";
    /// <summary>A cached set older than this is read again even if the marker did not change (expired tombstones leave it).</summary>
    private static readonly TimeSpan MaxCacheAge = TimeSpan.FromHours(1);

    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.TombstoneKey);
    private volatile Snapshot? _cached;
    private int _warned;

    internal sealed record Snapshot(string Generation, Dictionary<string, Tombstone> Hashes, DateTimeOffset LoadedAt);

    /// <summary>
    /// One keyed hash; <see cref="ReadmittedAt"/> is set when the customer gave analytics consent anew after
    /// the erasure (a new relationship): their events from then on pass, nothing from before ever does.
    /// </summary>
    internal sealed record Tombstone(string Id, string Kind, DateTimeOffset ErasedAt, DateTimeOffset Until, DateTimeOffset? ReadmittedAt = null);

    private sealed record Generation(string Id, string Token);

    /// <summary>The tombstones standing now; matches events and subjects.</summary>
    public sealed class Set
    {
        private readonly Dictionary<string, Tombstone> _hashes;
        private readonly ErasureTombstones _owner;
        private readonly DateTimeOffset _now;

        internal Set(Dictionary<string, Tombstone> hashes, ErasureTombstones owner, DateTimeOffset now) => (_hashes, _owner, _now) = (hashes, owner, now);

        public bool IsEmpty => _hashes.Count == 0;

        /// <summary>
        /// True when the event names a tombstoned customer, anonymous id or contact — unless the customer was
        /// readmitted by a new analytics consent before the event happened.
        /// </summary>
        public bool Matches(ClickstreamEvent e) =>
            _hashes.Count > 0
            && (Blocks("c", e.CustomerId, e.OccurredAt) || Blocks("a", e.AnonymousId, e.OccurredAt)
                || Blocks("e", e.EmailSha256, e.OccurredAt) || Blocks("p", e.PhoneSha256, e.OccurredAt));

        /// <summary>
        /// An analytics consent granted by a tombstoned customer after their erasure: a new relationship
        /// that readmits them from its time on (what they did before stays out).
        /// </summary>
        public bool IsReadmission(ClickstreamEvent e) =>
            e is { Type: EventType.Consent, Channel: Profiles.ConsentChannels.Analytics, Granted: true, CustomerId: { } customerId }
            && _hashes.TryGetValue(_owner.KeyOf("c", customerId), out var tombstone) && e.OccurredAt >= tombstone.ErasedAt
            && (tombstone.ReadmittedAt is null || e.OccurredAt < tombstone.ReadmittedAt);

        private bool Blocks(string kind, string? id, DateTimeOffset at) =>
            id is not null && _hashes.TryGetValue(_owner.KeyOf(kind, id), out var tombstone) && tombstone.Until > _now && !(tombstone.ReadmittedAt <= at);
    }

    /// <summary>The keyed hash of one id of a kind (<c>c</c> customer, <c>a</c> anonymous id, <c>e</c>/<c>p</c> contact hash).</summary>
    public string KeyOf(string kind, string id) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{kind}:{id}")));

    /// <summary>
    /// Lays the tombstones of an erased subject; idempotent (a second erasure renews them). Written
    /// before any erasure task runs, so from then on nothing of theirs gets in.
    /// </summary>
    public async Task AddAsync(string customerId, IEnumerable<string> anonymousIds, string? emailSha256, string? phoneSha256, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (settings.TombstoneKey == PrivacyOptions.DevelopmentTombstoneKey && Interlocked.Exchange(ref _warned, 1) == 0)
        {
            LogDevelopmentKey(logger);
        }

        var now = timeProvider.GetUtcNow();
        var until = now + settings.TombstonePeriod;
        var ids = new List<(string Kind, string Id)> { ("c", customerId) };
        ids.AddRange(anonymousIds.Select(a => ("a", a)));
        if (emailSha256 is not null)
        {
            ids.Add(("e", emailSha256));
        }

        if (phoneSha256 is not null)
        {
            ids.Add(("p", phoneSha256));
        }

        var ttl = DocumentTimeToLive.After(settings.TombstonePeriod);
        foreach (var (kind, id) in ids)
        {
            var key = KeyOf(kind, id);
            await documents.UpsertAsync(Collections.Workflows, Partition, key, Json.ToElement(new Tombstone(key, kind, now, until)), ttl, cancellationToken).ConfigureAwait(false);
        }

        await NewGenerationAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Readmits a tombstoned customer from <paramref name="at"/> on (a new analytics consent; see <see cref="Set.IsReadmission"/>).</summary>
    public async Task ReadmitAsync(string customerId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var key = KeyOf("c", customerId);
        var ttl = DocumentTimeToLive.After(options.Value.TombstonePeriod);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (await documents.ReadAsync(Collections.Workflows, Partition, key, cancellationToken).ConfigureAwait(false) is not { } document)
            {
                return;
            }

            var tombstone = Json.FromElement<Tombstone>(document.Body);
            if (tombstone.ReadmittedAt <= at)
            {
                return;
            }

            try
            {
                // The tombstone keeps its expiry: rewriting it restarts the TTL clock, so it states the time left.
                var left = tombstone.Until - timeProvider.GetUtcNow();
                await documents.ReplaceAsync(Collections.Workflows, Partition, key, Json.ToElement(tombstone with { ReadmittedAt = at }), document.ETag,
                    left >= TimeSpan.FromSeconds(1) ? DocumentTimeToLive.After(left) : ttl, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (DocumentConflictException)
            {
                // Rewritten concurrently: read it again.
            }
        }

        await NewGenerationAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task NewGenerationAsync(CancellationToken cancellationToken)
    {
        await documents.UpsertAsync(Collections.Workflows, GenerationPartition, GenerationId,
            Json.ToElement(new Generation(GenerationId, Guid.NewGuid().ToString("N"))), DocumentTimeToLive.Never, cancellationToken).ConfigureAwait(false);
        _cached = null;
    }

    /// <summary>The standing tombstones: one point read of the generation marker; the set itself only when it changed.</summary>
    public async Task<Set> CurrentAsync(CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var generation = (await documents.GetAsync<Generation>(Collections.Workflows, GenerationPartition, GenerationId, cancellationToken).ConfigureAwait(false))?.Token ?? "";
        var cached = _cached;
        if (cached is null || cached.Generation != generation || now - cached.LoadedAt > MaxCacheAge)
        {
            var hashes = new Dictionary<string, Tombstone>(StringComparer.Ordinal);
            if (generation.Length > 0)
            {
                await foreach (var document in documents.ReadPartitionAsync(Collections.Workflows, Partition, cancellationToken).ConfigureAwait(false))
                {
                    var tombstone = Json.FromElement<Tombstone>(document.Body);
                    if (tombstone.Until > now)
                    {
                        hashes[tombstone.Id] = tombstone;
                    }
                }
            }

            _cached = cached = new Snapshot(generation, hashes, now);
        }

        return new Set(cached.Hashes, this, now);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Erasure tombstones use the development key: set Recommender:Privacy:TombstoneKey (32+ characters) in a deployment")]
    private static partial void LogDevelopmentKey(ILogger logger);
}
