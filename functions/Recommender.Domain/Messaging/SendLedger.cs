using Microsoft.Extensions.Options;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Messaging;

/// <summary>One reserved send: which message, on which channel, when.</summary>
public sealed record LedgerEntry(string MessageId, string Channel, DateTimeOffset At);

/// <summary>A customer's sends within the frequency-cap window (collection <c>workflows</c>, partition = customer id, id <see cref="SendLedger.DocumentId"/>).</summary>
public sealed class SendLedgerState
{
    public required string CustomerId { get; init; }
    public List<LedgerEntry> Sends { get; set; } = [];
}

/// <summary>
/// The frequency caps, atomically: a delivery reserves its slot in the customer's ledger before it posts,
/// checking the caps and recording the reservation in one conditional replace (ETag). Of two deliveries
/// racing for the last slot one writes first and the other re-reads and finds the cap reached — whereas
/// counting sent messages at send time (<see cref="SendRules"/>) lets both through. A redelivered message
/// finds its own reservation and keeps it; a message that is never delivered gives its slot back.
/// </summary>
public sealed class SendLedger(IDocumentStore documents, Segments.SegmentMembership membership, IOptions<MessagingOptions> options)
{
    public const string DocumentId = "send-ledger";

    /// <summary>Reserves a slot for <paramref name="message"/> at <paramref name="now"/>; returns why not (a cap is reached) or null when reserved.</summary>
    public async Task<string?> TryReserveAsync(OutboundMessage message, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var caps = options.Value;
        if (caps.SegmentCaps.Count > 0)
        {
            // The caps of the customer's segments (their latest segmentation, while they may be profiled), when any has caps of its own.
            caps = caps.ForSegments(await membership.SegmentsOfAsync(message.CustomerId, cancellationToken: cancellationToken).ConfigureAwait(false));
        }

        string? refused = null;
        await documents.UpdateAsync<SendLedgerState>(Collections.Workflows, message.CustomerId, DocumentId, ledger =>
        {
            refused = null;
            ledger ??= new SendLedgerState { CustomerId = message.CustomerId };
            if (ledger.Sends.Any(s => s.MessageId == message.MessageId))
            {
                return null; // reserved before (a redelivery, or a retry after a provider failure)
            }

            ledger.Sends.RemoveAll(s => s.At <= now - caps.CapWindow);
            refused = SendRules.CapProblem(ledger.Sends.Count, ledger.Sends.Count(s => s.Channel == message.Channel), message.Channel, caps);
            if (refused is not null)
            {
                return null;
            }

            ledger.Sends.Add(new LedgerEntry(message.MessageId, message.Channel, now));
            return ledger;
        }, cancellationToken).ConfigureAwait(false);
        return refused;
    }

    /// <summary>Gives the slot of a message that will never be delivered (dead-lettered) back.</summary>
    public Task ReleaseAsync(string customerId, string messageId, CancellationToken cancellationToken = default) =>
        documents.UpdateAsync<SendLedgerState>(Collections.Workflows, customerId, DocumentId,
            ledger => ledger is not null && ledger.Sends.RemoveAll(s => s.MessageId == messageId) > 0 ? ledger : null, cancellationToken);
}
