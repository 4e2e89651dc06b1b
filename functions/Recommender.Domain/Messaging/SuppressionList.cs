using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Messaging;

/// <summary>Why and by whom a channel is suppressed for a customer.</summary>
/// <param name="By">Who suppressed it: <c>provider</c> (bounce, complaint, STOP) or <c>privacy</c>.</param>
public sealed record Suppression(string Reason, string By, DateTimeOffset At);

/// <summary>A customer's suppressed channels (collection <c>workflows</c>, partition = customer id, id <see cref="SuppressionList.DocumentId"/>).</summary>
public sealed class SuppressionState
{
    public required string CustomerId { get; init; }
    public Dictionary<string, Suppression> Channels { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The suppression list: channels the provider or the privacy team stopped for a customer. Checked
/// by <see cref="SendRules"/> at send time, so a suppression stops messages already scheduled.
/// Permanent: the document never expires (<see cref="DocumentTimeToLive.Never"/>, overriding the
/// <c>workflows</c> collection's 90 days), so a STOP or a hard bounce does not silently lapse; only
/// lifting the channel or erasing the customer (which deletes every workflow document) removes it.
/// </summary>
public sealed class SuppressionList(IDocumentStore documents, TimeProvider timeProvider)
{
    public const string DocumentId = "suppression";

    public Task<SuppressionState?> GetAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<SuppressionState>(Collections.Workflows, customerId, DocumentId, cancellationToken);

    public Task SuppressAsync(string customerId, string channel, string reason, string by, CancellationToken cancellationToken = default) =>
        documents.UpdateAsync<SuppressionState>(Collections.Workflows, customerId, DocumentId, state =>
        {
            state ??= new SuppressionState { CustomerId = customerId };
            state.Channels[channel] = new Suppression(reason, by, timeProvider.GetUtcNow());
            return state;
        }, DocumentTimeToLive.Never, cancellationToken);

    public Task LiftAsync(string customerId, string channel, CancellationToken cancellationToken = default) =>
        documents.UpdateAsync<SuppressionState>(Collections.Workflows, customerId, DocumentId,
            state => state is not null && state.Channels.Remove(channel) ? state : null, DocumentTimeToLive.Never, cancellationToken);
}
