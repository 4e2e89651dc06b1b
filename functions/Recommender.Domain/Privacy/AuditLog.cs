using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Privacy;

/// <summary>
/// One privacy-relevant action: who did what, to whom (a hash, never the id), when, and how it ended;
/// with its place in the hash chain (<see cref="Sequence"/>, from 1) and the SHA-256 of the entry before
/// it (<see cref="Previous"/>, the stored bytes of entry <c>Sequence - 1</c>; 64 zeros for the first).
/// </summary>
public sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, string SubjectHash, string Outcome, string? Reference = null)
{
    public long Sequence { get; init; }
    public string? Previous { get; init; }
}

/// <summary>Where a chain verification stopped: the entry (sequence and blob name) and what is wrong with it.</summary>
public sealed record AuditChainBreak(long Sequence, string Name, string Reason);

/// <summary>
/// What <see cref="AuditLog.VerifyAsync"/> found: how many entries were checked, the last good entry's
/// sequence and hash (record it elsewhere to detect a later rewrite of the whole chain), and the first
/// broken link, if any.
/// </summary>
public sealed record AuditChainReport(long Entries, long HeadSequence, string HeadHash, AuditChainBreak? FirstBreak)
{
    public bool IsIntact => FirstBreak is null;
}

/// <summary>
/// The append-only, tamper-evident audit log of privacy-relevant actions (consent recorded, access
/// export, objection, rectification, erasure started and completed). Subjects are recorded as the
/// SHA-256 of the customer id, so the log survives an erasure without keeping the identifier.
/// <para>
/// Each entry is one blob <c>audit/chain/{sequence:D12}.json</c>, created with overwrite refused:
/// the create-only write of the next sequence number is what orders concurrent writers (a writer that
/// loses the race reads the winner's entry and tries the next number), and each entry carries the
/// SHA-256 of the previous entry's stored bytes. The hash is not keyed on purpose: anyone can verify
/// the chain without a secret, and a key the app holds would not stop someone who holds the app's
/// identity. What stops rewriting is the storage: in Azure the audit container is write once (a
/// time-based immutability policy) and the app's role cannot delete there (infra/modules/storage.bicep,
/// access.bicep). The chain makes any edit, removal or reordering that does get through visible to
/// <see cref="VerifyAsync"/> (CLI: <c>Recommender.Cli audit verify</c>; route
/// <c>GET /api/privacy/audit/verify</c>). A head record (the highest sequence written, in the items
/// collection) also reveals entries cut from the end.
/// </para>
/// </summary>
public sealed class AuditLog(IBlobStore blobs, IDocumentStore documents, TimeProvider timeProvider)
{
    public const string Prefix = "audit/";
    public const string ChainPrefix = Prefix + "chain/";
    /// <summary>The <see cref="AuditEntry.Previous"/> of the first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    private const string HeadPartition = "_audit";
    private const string HeadId = "head";
    private const int SequenceDigits = 12;

    private sealed record ChainHead(long Sequence);

    public static string NameOf(long sequence) => $"{ChainPrefix}{sequence.ToString($"D{SequenceDigits}", CultureInfo.InvariantCulture)}.json";

    /// <summary>The sequence number a chain blob name carries, or null when the name is not one.</summary>
    public static long? SequenceOf(string name) =>
        name.StartsWith(ChainPrefix, StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal)
        && name.Length == ChainPrefix.Length + SequenceDigits + 5
        && long.TryParse(name.AsSpan(ChainPrefix.Length, SequenceDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence > 0
            ? sequence : null;

    public static string HashOf(ReadOnlySpan<byte> stored) => Convert.ToHexStringLower(SHA256.HashData(stored));

    public async Task RecordAsync(string actor, string action, string customerId, string outcome, string? reference = null, CancellationToken cancellationToken = default)
    {
        var entry = new AuditEntry(timeProvider.GetUtcNow(), actor, action, ErasureService.HashOf(customerId), outcome, reference);
        var head = (await documents.GetAsync<ChainHead>(Collections.Items, HeadPartition, HeadId, cancellationToken).ConfigureAwait(false))?.Sequence ?? 0;
        // When the head entry is gone, the chain goes on after it (never refilling its number) and verification reports the gap.
        var previous = head == 0 ? Genesis : await StoredHashAsync(head, cancellationToken).ConfigureAwait(false) ?? $"missing:{head}";
        for (var sequence = head + 1; ; sequence++)
        {
            var bytes = Json.ToUtf8(entry with { Sequence = sequence, Previous = previous });
            try
            {
                await blobs.PutAsync(NameOf(sequence), bytes, overwrite: false, cancellationToken).ConfigureAwait(false);
            }
            catch (DocumentConflictException)
            {
                // Another writer took this number: chain onto its entry.
                previous = await StoredHashAsync(sequence, cancellationToken).ConfigureAwait(false) ?? $"missing:{sequence}";
                continue;
            }

            var written = sequence;
            await documents.UpdateAsync<ChainHead>(Collections.Items, HeadPartition, HeadId,
                current => current is null || current.Sequence < written ? new ChainHead(written) : null, cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    private async Task<string?> StoredHashAsync(long sequence, CancellationToken cancellationToken) =>
        await blobs.GetAsync(NameOf(sequence), cancellationToken).ConfigureAwait(false) is { } blob ? HashOf(blob.Content) : null;

    /// <summary>Entries from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), in chain order; optionally for one customer.</summary>
    /// <remarks>Reads every entry of the chain (the log is small: one entry per operator action).</remarks>
    public async IAsyncEnumerable<AuditEntry> ReadAsync(DateTimeOffset from, DateTimeOffset to, string? customerId = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var subject = customerId is null ? null : ErasureService.HashOf(customerId);
        await foreach (var item in blobs.ListAsync(ChainPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (await blobs.GetAsync(item.Name, cancellationToken).ConfigureAwait(false) is { } blob
                && Json.FromUtf8<AuditEntry>(blob.Content) is var entry && entry.At >= from && entry.At < to && (subject is null || entry.SubjectHash == subject))
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// Walks the chain from sequence 1 and reports the first broken link: a missing sequence number (an
    /// entry deleted), an entry whose sequence is not its name's (entries swapped or moved), an entry
    /// whose <see cref="AuditEntry.Previous"/> is not the hash of the entry before it (that entry edited,
    /// or this one forged), an entry that does not parse, or fewer entries than the head record says
    /// (entries cut from the end).
    /// </summary>
    public async Task<AuditChainReport> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var names = new SortedDictionary<long, string>();
        await foreach (var item in blobs.ListAsync(ChainPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (SequenceOf(item.Name) is { } sequence)
            {
                names[sequence] = item.Name;
            }
            else
            {
                return new AuditChainReport(0, 0, Genesis, new AuditChainBreak(0, item.Name, "a blob in the chain whose name is not a sequence number"));
            }
        }

        long expected = 1, checkedEntries = 0;
        var previous = Genesis;
        foreach (var (sequence, name) in names)
        {
            AuditChainReport Broken(long at, string where, string reason) => new(checkedEntries, expected - 1, previous, new AuditChainBreak(at, where, reason));

            if (sequence != expected)
            {
                return Broken(expected, NameOf(expected), $"entry {expected} is missing (the next one is {sequence})");
            }

            if (await blobs.GetAsync(name, cancellationToken).ConfigureAwait(false) is not { } blob)
            {
                return Broken(sequence, name, "entry listed but unreadable");
            }

            AuditEntry? entry;
            try
            {
                entry = Json.FromUtf8<AuditEntry>(blob.Content);
            }
            catch (System.Text.Json.JsonException)
            {
                entry = null;
            }

            if (entry is null)
            {
                return Broken(sequence, name, "entry is not a valid audit entry");
            }

            if (entry.Sequence != sequence)
            {
                return Broken(sequence, name, $"entry holds sequence {entry.Sequence}, not {sequence}: entries were moved or swapped");
            }

            if (!string.Equals(entry.Previous, previous, StringComparison.Ordinal))
            {
                return Broken(sequence, name, sequence == 1
                    ? "the first entry does not start the chain"
                    : $"previous-hash does not match entry {sequence - 1}: entry {sequence - 1} was changed, or this one was forged");
            }

            previous = HashOf(blob.Content);
            checkedEntries++;
            expected++;
        }

        var head = (await documents.GetAsync<ChainHead>(Collections.Items, HeadPartition, HeadId, cancellationToken).ConfigureAwait(false))?.Sequence ?? 0;
        return head >= expected
            ? new AuditChainReport(checkedEntries, expected - 1, previous, new AuditChainBreak(expected, NameOf(expected), $"entries {expected} to {head} are missing: the head record says {head} were written"))
            : new AuditChainReport(checkedEntries, expected - 1, previous, null);
    }
}
