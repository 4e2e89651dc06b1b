using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Recommender.Domain.Events;
using Recommender.Domain.Ports;
using Recommender.Domain.Retention;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// The raw event archive, the models' training source: valid events as gzip-compressed JSON lines,
/// one immutable blob per ingested batch and data class, partitioned by class and by the hour the
/// batch arrived (<c>events/{class}/yyyy/MM/dd/HH/{batchId}.jsonl.gz</c>) so each class can be
/// expired on its own schedule. A batch id derived from its event ids makes a redelivered batch
/// land on the same name, which <see cref="AppendAsync"/> reports; readers de-duplicate by event id.
/// </summary>
public sealed class EventArchive(IBlobStore blobs)
{
    /// <summary>
    /// Writes the events; false when this batch was archived before (a redelivery). The blob of
    /// <paramref name="markerClass"/> (a class the batch had before any gate, so the same on every delivery)
    /// is the batch's marker, written last and always — empty when the gate let none of that class in — so
    /// whatever the archive gate decides on a redelivery, the marker tells it from a first delivery.
    /// </summary>
    public async Task<bool> AppendAsync(string batchId, IReadOnlyList<ClickstreamEvent> events, DateTimeOffset receivedAt, DataClass markerClass,
        CancellationToken cancellationToken = default)
    {
        var groups = events.GroupBy(e => RetentionOptions.ClassOf(e.Type)).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (dataClass, group) in groups.Where(g => g.Key != markerClass))
        {
            await TryPutAsync(NameOf(dataClass, receivedAt, batchId), group, cancellationToken).ConfigureAwait(false);
        }

        return await TryPutAsync(NameOf(markerClass, receivedAt, batchId), groups.GetValueOrDefault(markerClass) ?? [], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The marker class of a batch: the first data class among its events (before any gate).</summary>
    public static DataClass MarkerClassOf(IEnumerable<ClickstreamEvent> events) => events.Min(e => RetentionOptions.ClassOf(e.Type));

    private static string NameOf(DataClass dataClass, DateTimeOffset receivedAt, string batchId) =>
        $"{BlobPrefixes.Events}{RetentionOptions.FolderOf(dataClass)}/{receivedAt.UtcDateTime:yyyy/MM/dd/HH}/{batchId}.jsonl.gz";

    private async Task<bool> TryPutAsync(string name, List<ClickstreamEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await blobs.PutAsync(name, Compress(events), overwrite: false, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DocumentConflictException)
        {
            return false; // archived already: the same batch delivered again
        }
    }

    /// <summary>The hour a blob's events arrived, read from its name; null for names of another shape.</summary>
    public static DateTimeOffset? ArrivalHourOf(string blobName)
    {
        var parts = blobName.Split('/');
        return parts.Length == 7
            && DateTimeOffset.TryParseExact(string.Join('/', parts[2..6]), "yyyy/MM/dd/HH", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var at)
            ? at : null;
    }

    /// <summary>Every archived event once (first copy wins, by <see cref="EventIdentity"/>: two customers' events with one id are two events), in archive order.</summary>
    public async IAsyncEnumerable<ClickstreamEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in blobs.ListAsync(BlobPrefixes.Events, cancellationToken).ConfigureAwait(false))
        {
            if (await blobs.GetAsync(item.Name, cancellationToken).ConfigureAwait(false) is not { } blob)
            {
                continue;
            }

            foreach (var e in Decompress(blob.Content))
            {
                if (seen.Add(EventIdentity.Of(e)))
                {
                    yield return e;
                }
            }
        }
    }

    /// <summary>
    /// Removes every event attributed to <paramref name="customerId"/> (its
    /// <see cref="ClickstreamEvent.SubjectId"/>: the customer, or <c>anon:&lt;anonymousId&gt;</c>) from
    /// the archive by rewriting the blobs that hold any (ETag-guarded; a blob left empty is deleted).
    /// Returns how many events went.
    /// </summary>
    public async Task<int> EraseCustomerAsync(string customerId, CancellationToken cancellationToken = default) =>
        (await EraseSubjectsAsync(new HashSet<string>(StringComparer.Ordinal) { customerId }, cancellationToken).ConfigureAwait(false)).Removed;

    /// <summary>What an archive erasure did: events removed, and records kept under legal obligation with the customer replaced by a pseudonym.</summary>
    public sealed record ErasureOutcome(int Removed, int Pseudonymized);

    /// <summary>
    /// Erases every event of <paramref name="subjectIds"/> (a customer and the anonymous ids linked to
    /// them) — except what the law obliges us to keep: purchases, returns and deliveries (accounting, 7 years) and
    /// consent decisions (proof of consent) stay, with the customer replaced by
    /// <c>erased:</c> + SHA-256 of the id and every other identifier (anonymous id, session, context)
    /// removed; they are never used for features or training again.
    /// </summary>
    public async Task<ErasureOutcome> EraseSubjectsAsync(IReadOnlySet<string> subjectIds, CancellationToken cancellationToken = default)
    {
        int removed = 0, pseudonymized = 0;
        var names = new List<string>();
        await foreach (var item in blobs.ListAsync(BlobPrefixes.Events, cancellationToken).ConfigureAwait(false))
        {
            names.Add(item.Name);
        }

        foreach (var name in names)
        {
            for (var attempt = 0; ; attempt++)
            {
                if (await blobs.GetAsync(name, cancellationToken).ConfigureAwait(false) is not { } blob)
                {
                    break;
                }

                var events = Decompress(blob.Content);
                var kept = new List<ClickstreamEvent>(events.Count);
                int gone = 0, renamed = 0;
                foreach (var e in events)
                {
                    if (e.SubjectId is null || !subjectIds.Contains(e.SubjectId))
                    {
                        kept.Add(e);
                    }
                    else if (e.Type is EventType.Purchase or EventType.Return or EventType.Delivery or EventType.Consent)
                    {
                        kept.Add(Pseudonymize(e));
                        renamed++;
                    }
                    else
                    {
                        gone++;
                    }
                }

                if (gone == 0 && renamed == 0)
                {
                    break;
                }

                try
                {
                    if (kept.Count == 0)
                    {
                        await blobs.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await blobs.ReplaceAsync(name, Compress(kept), blob.ETag, cancellationToken).ConfigureAwait(false);
                    }

                    removed += gone;
                    pseudonymized += renamed;
                    break;
                }
                catch (DocumentConflictException) when (attempt < 5)
                {
                    // Rewritten concurrently: read it again.
                }
            }
        }

        return new ErasureOutcome(removed, pseudonymized);
    }

    /// <summary>
    /// The record with its subject replaced by <paramref name="prefix"/> + SHA-256 of the subject and every
    /// other identifier (anonymous id, session, request context, recommendation ids) removed.
    /// </summary>
    public static ClickstreamEvent Pseudonymize(ClickstreamEvent e, string prefix = ClickstreamEvent.ErasedSubjectPrefix) => e with
    {
        CustomerId = prefix + Privacy.ErasureService.HashOf(e.SubjectId!),
        AnonymousId = null,
        SessionId = null,
        Context = null,
        Lines = e.Lines?.Select(l => l with { RecommendationId = null }).ToList(),
    };

    private static byte[] Compress(IEnumerable<ClickstreamEvent> events)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            foreach (var e in events)
            {
                gzip.Write(Json.ToUtf8(e));
                gzip.WriteByte((byte)'\n');
            }
        }

        return buffer.ToArray();
    }

    private static List<ClickstreamEvent> Decompress(byte[] content)
    {
        using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var events = new List<ClickstreamEvent>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                events.Add(Json.FromUtf8<ClickstreamEvent>(Encoding.UTF8.GetBytes(line)));
            }
        }

        return events;
    }
}
