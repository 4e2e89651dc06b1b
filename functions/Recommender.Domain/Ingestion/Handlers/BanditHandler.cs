using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>The bandit learns which strategy earns clicks and revenue, from impressions, clicks and attributed purchase lines.</summary>
public sealed class BanditHandler(BanditPolicy bandit) : IBatchChangesHandler
{
    public async Task HandleAsync(BatchChanges batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Counted.Count == 0)
        {
            return;
        }

        await bandit.RecordAsync(batch.CountedEvents.SelectMany(e => e.Type switch
        {
            EventType.RecommendationImpression => [new BanditEvent(e.RecommendationId, BanditFeedback.Impression, e.OccurredAt)],
            EventType.RecommendationClick => [new BanditEvent(e.RecommendationId, BanditFeedback.Click, e.OccurredAt)],
            EventType.Purchase => e.Lines!.Where(l => l.RecommendationId is not null)
                .Select(l => new BanditEvent(l.RecommendationId, BanditFeedback.Purchase, e.OccurredAt, (l.Price ?? 0) * l.Quantity)),
            _ => Enumerable.Empty<BanditEvent>(),
        }), cancellationToken).ConfigureAwait(false);
    }
}
