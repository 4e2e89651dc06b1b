using Recommender.Domain.Profiles;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>Popularity: the counted interactions' weights per product added to the decayed board.</summary>
public sealed class PopularityHandler(ProfileStore profiles, TimeProvider timeProvider) : IBatchChangesHandler
{
    public async Task HandleAsync(BatchChanges batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Counted.Count == 0 || batch.Interactions.Count == 0)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        var popularity = batch.Interactions.GroupBy(i => i.ProductId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(i => i.Weight), StringComparer.Ordinal);
        await profiles.UpdatePopularityAsync(board =>
        {
            board ??= new PopularityBoard();
            board.Add(popularity, now);
            return board;
        }, cancellationToken).ConfigureAwait(false);
    }
}
