using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Privacy;

/// <summary>
/// Workflow timers hold no raw id. A queued timer (cart and browse abandonment, post-purchase,
/// replenishment, message delivery) is sealed with AES-GCM under a random key of its customer, kept in
/// one document found by a keyed reference (HMAC-SHA256 with <see cref="PrivacyOptions.TombstoneKey"/>):
/// the queue message carries only that reference and ciphertext. Erasure deletes the key
/// (<see cref="ForgetAsync"/>, first thing, with the tombstones), so every timer of theirs still queued —
/// a Storage queue cannot delete a message before it is due — can never be read again; when it fires it
/// opens to nothing and is discarded (crypto-shredding).
/// </summary>
public sealed class TimerSeal(IDocumentStore documents, ErasureTombstones tombstones, TimeProvider timeProvider)
{
    /// <summary>The partition of the timer keys (workflows collection, its 90-day TTL; refreshed while timers are armed).</summary>
    public const string Partition = "_timer-keys";
    /// <summary>A key in use is rewritten (its TTL renewed) when older than this.</summary>
    private static readonly TimeSpan RefreshAfter = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a customer's timer key outlives its last use: as long as the longest-lived workflow state
    /// (the replenishment history, two years), not the workflows collection's 90 days — a timer re-armed
    /// in hops for months (a yearly replenishment) must still open. The key names no one (its id is a keyed
    /// hash) and erasure deletes it.
    /// </summary>
    private static readonly DocumentTimeToLive KeyTimeToLive = DocumentTimeToLive.After(Workflows.ReplenishmentWorkflow.HistoryTimeToLive);

    private sealed record SubjectKey(string Id, string Key, DateTimeOffset WrittenAt);

    /// <summary>What a sealed timer message holds: the keyed reference, nonce, tag and ciphertext.</summary>
    public sealed record SealedTimer(string SealedFor, string Nonce, string Tag, string Data);

    /// <summary>Schedules <paramref name="message"/> on <paramref name="queueName"/>, sealed for <paramref name="customerId"/>.</summary>
    public async Task ScheduleAsync<T>(IWorkQueue queue, string queueName, T message, string customerId, DateTimeOffset dueAt, CancellationToken cancellationToken = default)
    {
        var reference = tombstones.KeyOf("t", customerId);
        var key = await KeyAsync(reference, cancellationToken).ConfigureAwait(false);
        var plain = JsonSerializer.SerializeToUtf8Bytes(message, Json.Options);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var cipher = new byte[plain.Length];
        using (var aes = new AesGcm(key, tag.Length))
        {
            aes.Encrypt(nonce, plain, cipher, tag, Encoding.UTF8.GetBytes(queueName));
        }

        await queue.ScheduleAsync(queueName, new SealedTimer(reference, Convert.ToBase64String(nonce), Convert.ToBase64String(tag), Convert.ToBase64String(cipher)),
            dueAt, timeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The message a sealed timer holds; null when its key is gone (the customer was erased) or it does not
    /// open. A body that is not a sealed timer (queued before sealing existed) is returned as it is.
    /// </summary>
    public async Task<string?> OpenAsync(string queueName, string body, CancellationToken cancellationToken = default)
    {
        SealedTimer? timer;
        try
        {
            timer = JsonSerializer.Deserialize<SealedTimer>(body, Json.Options);
        }
        catch (JsonException)
        {
            return body;
        }

        if (timer is not { SealedFor: { Length: > 0 } reference, Nonce: { } nonce, Tag: { } tag, Data: { } data })
        {
            return body;
        }

        if (await documents.GetAsync<SubjectKey>(Collections.Workflows, Partition, reference, cancellationToken).ConfigureAwait(false) is not { } key)
        {
            return null;
        }

        try
        {
            var cipher = Convert.FromBase64String(data);
            var plain = new byte[cipher.Length];
            var tagBytes = Convert.FromBase64String(tag);
            using var aes = new AesGcm(Convert.FromBase64String(key.Key), tagBytes.Length);
            aes.Decrypt(Convert.FromBase64String(nonce), cipher, tagBytes, plain, Encoding.UTF8.GetBytes(queueName));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// What a log line may name a sealed timer's customer by: the first 16 hex digits of its keyed reference
    /// (HMAC, the same for every timer of the customer; no raw id). Null for a body that is not a sealed timer.
    /// </summary>
    public static string? LogReferenceOf(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<SealedTimer>(body, Json.Options) is { SealedFor: { Length: >= 16 } reference } ? reference[..16] : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Deletes the customer's timer key: their queued timers can never be opened again.</summary>
    public Task<bool> ForgetAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.DeleteAsync(Collections.Workflows, Partition, tombstones.KeyOf("t", customerId), cancellationToken);

    private async Task<byte[]> KeyAsync(string reference, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var stored = await documents.GetAsync<SubjectKey>(Collections.Workflows, Partition, reference, cancellationToken).ConfigureAwait(false);
        if (stored is not null && now - stored.WrittenAt < RefreshAfter)
        {
            return Convert.FromBase64String(stored.Key);
        }

        var key = stored?.Key ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        if (stored is null)
        {
            try
            {
                await documents.CreateAsync(Collections.Workflows, Partition, reference, Json.ToElement(new SubjectKey(reference, key, now)), KeyTimeToLive, cancellationToken).ConfigureAwait(false);
                return Convert.FromBase64String(key);
            }
            catch (DocumentConflictException)
            {
                // Created concurrently: use theirs.
                stored = await documents.GetAsync<SubjectKey>(Collections.Workflows, Partition, reference, cancellationToken).ConfigureAwait(false);
                return Convert.FromBase64String(stored!.Key);
            }
        }

        await documents.UpsertAsync(Collections.Workflows, Partition, reference, Json.ToElement(stored with { WrittenAt = now }), KeyTimeToLive, cancellationToken).ConfigureAwait(false);
        return Convert.FromBase64String(key);
    }
}
