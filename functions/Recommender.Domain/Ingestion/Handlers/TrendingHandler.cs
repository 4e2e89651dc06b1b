using Recommender.Domain.Profiles;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>Trending: the counted interactions' weights in their hour buckets (<see cref="TrendingStore"/>).</summary>
public sealed class TrendingHandler(TrendingStore trending) : IBatchChangesHandler
{
    public async Task HandleAsync(BatchChanges batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Counted.Count > 0)
        {
            await trending.AddAsync(batch.Interactions.Select(i => (i.ProductId, i.At, i.Weight)), cancellationToken).ConfigureAwait(false);
        }
    }
}
