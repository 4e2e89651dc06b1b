using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// A refused input kept with why it was refused and where it came from. For events, <see cref="Payload"/>
/// is never the raw body: it holds what the validator would have kept (see <see cref="DeadLetterForms"/>);
/// <see cref="Field"/> names the field the reason is about and <see cref="Type"/> the event type, when known.
/// </summary>
public sealed record DeadLetter(string Reason, string Payload, string Source, DateTimeOffset ReceivedAt, string? EventId = null, string? Field = null, string? Type = null);

/// <summary>
/// Dead-letter records in blob storage: one JSON blob per batch that had refusals
/// (<c>deadletter/yyyy/MM/dd/{batchId}.json</c>). Payloads are truncated to
/// <see cref="MaxPayloadChars"/> characters so a hostile 10 MB body cannot fill the store.
/// Letters of queue messages and undeliverable messages name their customer by a keyed reference
/// (<see cref="KeyedRef"/>), never in clear; erasure and access find them by it.
/// </summary>
public sealed class DeadLetters(IBlobStore blobs, Privacy.ErasureTombstones tombstones)
{
    public const int MaxPayloadChars = 64 * 1024;

    /// <summary>
    /// The keyed reference a letter names an id by: the first 16 hex digits of its HMAC under the tombstone key,
    /// per kind (<c>t</c> customer — the reference of <see cref="Privacy.TimerSeal.LogReferenceOf"/> —, <c>m</c>
    /// an outgoing message, as the delivery logs name it, <c>o</c> an order). The same as the log lines', so they meet.
    /// </summary>
    public string KeyedRef(string kind, string id) => tombstones.KeyOf(kind, id)[..16];

    public async Task<string?> WriteAsync(string batchId, IReadOnlyList<DeadLetter> letters, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (letters.Count == 0)
        {
            return null;
        }

        var name = $"{BlobPrefixes.DeadLetter}{at.UtcDateTime:yyyy/MM/dd}/{batchId}.json";
        var bounded = letters.Select(l => l.Payload.Length <= MaxPayloadChars ? l : l with { Payload = l.Payload[..MaxPayloadChars] + "…(truncated)" }).ToList();
        await blobs.PutAsync(name, Json.ToUtf8(bounded), overwrite: true, cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>The day a dead-letter blob was written, read from its name; null for names of another shape.</summary>
    public static DateTimeOffset? DayOf(string blobName)
    {
        var parts = blobName.Split('/');
        return parts.Length == 5
            && DateTimeOffset.TryParseExact(string.Join('/', parts[1..4]), "yyyy/MM/dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var day)
            ? day : null;
    }

    /// <summary>
    /// Erasure: removes every dead letter that names one of <paramref name="identifiers"/> (customer or
    /// anonymous ids, as a JSON string anywhere in the payload — a refused event about them, an
    /// undeliverable message to them — or as its event id), rewriting each blob that holds any
    /// (ETag-guarded; a blob left empty is deleted). Returns how many letters went.
    /// </summary>
    public async Task<int> EraseMentionsAsync(IReadOnlyCollection<string> identifiers, CancellationToken cancellationToken = default)
    {
        var mentions = MentionOf(identifiers);
        var names = new List<string>();
        await foreach (var item in blobs.ListAsync(BlobPrefixes.DeadLetter, cancellationToken).ConfigureAwait(false))
        {
            names.Add(item.Name);
        }

        var removed = 0;
        foreach (var name in names)
        {
            for (var attempt = 0; ; attempt++)
            {
                if (await blobs.GetAsync(name, cancellationToken).ConfigureAwait(false) is not { } blob)
                {
                    break;
                }

                var letters = Json.FromUtf8<List<DeadLetter>>(blob.Content);
                var kept = letters.Where(l => !mentions(l)).ToList();
                if (kept.Count == letters.Count)
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
                        await blobs.ReplaceAsync(name, Json.ToUtf8(kept), blob.ETag, cancellationToken).ConfigureAwait(false);
                    }

                    removed += letters.Count - kept.Count;
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

    /// <summary>The dead letters that name one of <paramref name="identifiers"/> (as <see cref="EraseMentionsAsync"/> finds them): for access requests.</summary>
    public async Task<IReadOnlyList<DeadLetter>> MentioningAsync(IReadOnlyCollection<string> identifiers, CancellationToken cancellationToken = default)
    {
        var mentions = MentionOf(identifiers);
        return (await ReadAllAsync(cancellationToken).ConfigureAwait(false)).Where(mentions).ToList();
    }

    /// <summary>A letter names an identifier when its payload holds it, or its customer reference (<see cref="KeyedRef"/>), as a JSON string, or it is the letter's event id.</summary>
    private Func<DeadLetter, bool> MentionOf(IReadOnlyCollection<string> identifiers)
    {
        var quoted = identifiers.SelectMany(id => new[] { $"\"{id}\"", $"\"{KeyedRef("t", id)}\"" }).ToList();
        return letter => quoted.Any(q => letter.Payload.Contains(q, StringComparison.Ordinal)) || (letter.EventId is { } id && identifiers.Contains(id));
    }

    public async Task<IReadOnlyList<DeadLetter>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var all = new List<DeadLetter>();
        await foreach (var item in blobs.ListAsync(BlobPrefixes.DeadLetter, cancellationToken).ConfigureAwait(false))
        {
            if (await blobs.GetAsync(item.Name, cancellationToken).ConfigureAwait(false) is { } blob)
            {
                all.AddRange(Json.FromUtf8<List<DeadLetter>>(blob.Content));
            }
        }

        return all;
    }
}
