using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Recommender.Domain.Events;
using Recommender.Domain.Ports;
using Recommender.Domain.Retention;
using Recommender.Domain.Storage;

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
    /// <summary>Writes the events; false when this exact batch was archived before (a redelivery).</summary>
    public async Task<bool> AppendAsync(string batchId, IReadOnlyList<ClickstreamEvent> events, DateTimeOffset receivedAt, CancellationToken cancellationToken = default)
    {
        var isNew = false;
        foreach (var group in events.GroupBy(e => RetentionOptions.ClassOf(e.Type)))
        {
            var name = $"{BlobPrefixes.Events}{RetentionOptions.FolderOf(group.Key)}/{receivedAt.UtcDateTime:yyyy/MM/dd/HH}/{batchId}.jsonl.gz";
            try
            {
                await blobs.PutAsync(name, Compress(group), overwrite: false, cancellationToken).ConfigureAwait(false);
                isNew = true;
            }
            catch (DocumentConflictException)
            {
                // Archived already: the same batch delivered again.
            }
        }

        return isNew;
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

    private static ClickstreamEvent Pseudonymize(ClickstreamEvent e) => e with
    {
        CustomerId = ClickstreamEvent.ErasedSubjectPrefix + Privacy.ErasureService.HashOf(e.SubjectId!),
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
