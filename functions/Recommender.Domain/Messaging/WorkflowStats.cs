using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Messaging;

/// <summary>Outcomes of one kind of message (<c>cart_abandonment</c>, ...): anonymous counters for the operator view.</summary>
public sealed class WorkflowCounters
{
    public required string Kind { get; init; }
    public long Sent { get; set; }
    public long Suppressed { get; set; }
    public long DeadLettered { get; set; }
}

/// <summary>Counters of sends, suppressions and failures per message kind (collection <c>items</c>, partition <c>_workflow-stats</c>), by atomic increment.</summary>
public sealed class WorkflowStats(IDocumentStore documents)
{
    public const string PartitionKey = "_workflow-stats";

    public async Task CountAsync(string kind, OutboxStatus outcome, CancellationToken cancellationToken = default)
    {
        var field = outcome switch
        {
            OutboxStatus.Sent => "sent",
            OutboxStatus.Suppressed => "suppressed",
            OutboxStatus.DeadLettered => "deadLettered",
            _ => null,
        };
        if (field is null || !Events.EventValidator.IsValidId(kind))
        {
            return;
        }

        await documents.IncrementOrCreateAsync(Collections.Items, PartitionKey, kind, new Dictionary<string, double> { [field] = 1 }, () => new WorkflowCounters
        {
            Kind = kind,
            Sent = outcome == OutboxStatus.Sent ? 1 : 0,
            Suppressed = outcome == OutboxStatus.Suppressed ? 1 : 0,
            DeadLettered = outcome == OutboxStatus.DeadLettered ? 1 : 0,
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WorkflowCounters>> ReadAsync(CancellationToken cancellationToken = default)
    {
        var all = new List<WorkflowCounters>();
        await foreach (var doc in documents.ReadPartitionAsync(Collections.Items, PartitionKey, cancellationToken).ConfigureAwait(false))
        {
            all.Add(Json.FromElement<WorkflowCounters>(doc.Body));
        }

        return all;
    }
}
