using System.Runtime.CompilerServices;
using Recommender.Domain.Ports;

namespace Recommender.Domain.Privacy;

/// <summary>One privacy-relevant action: who did what, to whom (a hash, never the id), when, and how it ended.</summary>
public sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, string SubjectHash, string Outcome, string? Reference = null);

/// <summary>
/// The append-only audit log of privacy-relevant actions (consent recorded, access export, objection,
/// erasure started and completed): one immutable blob per entry under <c>audit/yyyy/MM/dd/</c>
/// (created with overwrite refused, never modified; the storage lifecycle rules do not touch this
/// prefix). Subjects are recorded as the SHA-256 of the customer id, so the log survives an erasure
/// without keeping the identifier.
/// </summary>
public sealed class AuditLog(IBlobStore blobs, TimeProvider timeProvider)
{
    public const string Prefix = "audit/";

    public async Task RecordAsync(string actor, string action, string customerId, string outcome, string? reference = null, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var entry = new AuditEntry(now, actor, action, ErasureService.HashOf(customerId), outcome, reference);
        var name = $"{Prefix}{now.UtcDateTime:yyyy/MM/dd}/{now.UtcDateTime:HHmmssfff}-{Guid.CreateVersion7(now):N}.json";
        await blobs.PutAsync(name, Json.ToUtf8(entry), overwrite: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Entries from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), oldest first; optionally for one customer.</summary>
    public async IAsyncEnumerable<AuditEntry> ReadAsync(DateTimeOffset from, DateTimeOffset to, string? customerId = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var subject = customerId is null ? null : ErasureService.HashOf(customerId);
        for (var day = from.UtcDateTime.Date; day < to.UtcDateTime; day = day.AddDays(1))
        {
            await foreach (var item in blobs.ListAsync($"{Prefix}{day:yyyy/MM/dd}/", cancellationToken).ConfigureAwait(false))
            {
                if (await blobs.GetAsync(item.Name, cancellationToken).ConfigureAwait(false) is { } blob
                    && Json.FromUtf8<AuditEntry>(blob.Content) is var entry && entry.At >= from && entry.At < to && (subject is null || entry.SubjectHash == subject))
                {
                    yield return entry;
                }
            }
        }
    }
}
