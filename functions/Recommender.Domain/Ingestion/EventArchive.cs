using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Recommender.Domain.Events;
using Recommender.Domain.Ports;
using Recommender.Domain.Storage;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// The raw event archive: valid events as gzip-compressed JSON lines, one immutable blob per
/// ingested batch, partitioned by the hour the batch arrived
/// (<c>events/yyyy/MM/dd/HH/{batchId}.jsonl.gz</c>). Writing is at-least-once (a redelivered batch
/// may be archived twice); readers de-duplicate by event id.
/// </summary>
public sealed class EventArchive(IBlobStore blobs)
{
    public async Task<string?> AppendAsync(string batchId, IReadOnlyList<ClickstreamEvent> events, DateTimeOffset receivedAt, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return null;
        }

        var name = $"{BlobPrefixes.Events}{receivedAt.UtcDateTime:yyyy/MM/dd/HH}/{batchId}.jsonl.gz";
        await blobs.PutAsync(name, Compress(events), overwrite: true, cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>Every archived event once (first copy wins), in archive order.</summary>
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
                if (seen.Add(e.Id))
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
    public async Task<int> EraseCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var removed = 0;
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
                var kept = events.Where(e => e.SubjectId != customerId).ToList();
                if (kept.Count == events.Count)
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

                    removed += events.Count - kept.Count;
                    break;
                }
                catch (DocumentConflictException) when (attempt < 5)
                {
                    // Rewritten concurrently: read it again.
                }
            }
        }

        return removed;
    }

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
