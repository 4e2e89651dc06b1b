using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;
using Recommender.Models;
using Recommender.Models.Tuning;

namespace Recommender.Domain.Training;

/// <summary>
/// Serves an algorithm of <c>Recommender.Models</c> that learns an item-to-item relation (SAR,
/// item-kNN, EASE, ALS) or scores users by their nearest customers (user-kNN): archived interactions become implicit feedback weighted by the store's
/// <see cref="EventWeights"/>, dislikes netted out (<see cref="TrainingSignals"/>), the algorithm is fitted with a fixed seed, and each item's top
/// neighbours become the served lists; popularity comes from the same recency weighting as the
/// item-item trainer. The model is fitted on the <see cref="UserScoringOptions.MaxModelItems"/> most
/// active items (by distinct customers) and exported with its own user scoring
/// (<see cref="ItemSimilarityModel.Scorer"/>); items beyond that limit keep the item-item Jaccard
/// neighbours, so a wide catalog is served, not refused. A model with no item-to-item relation of its
/// own (user-kNN) keeps the Jaccard neighbours for every item (product pages, carts) and serves home
/// and email lists from its user scoring.
/// </summary>
public sealed class AlgorithmTrainer(string algorithm, UserScoringOptions? options = null, EventWeights? weights = null) : IModelTrainer
{
    private readonly UserScoringOptions _options = options ?? new UserScoringOptions();

    /// <inheritdoc />
    public EventWeights Weights { get; } = weights ?? EventWeights.Default;

    /// <summary>The algorithms the training workflow trains as candidates besides item-item Jaccard.</summary>
    public static readonly IReadOnlyList<string> Candidates = ["sar", "ease", "itemknn-cosine", "als", "userknn-cosine", "userknn-jaccard", "sequential"];

    public string Algorithm => algorithm;

    public SearchSpace? Space { get; } = SearchSpace.For(algorithm) is { Parameters.Count: > 0 } space ? space : null;

    public ItemSimilarityModel Train(IReadOnlyList<ClickstreamEvent> events, string version, DateTimeOffset trainedAt, ISet<string>? excludedSubjects = null) =>
        TrainWith(events, version, trainedAt, null, excludedSubjects);

    public ItemSimilarityModel TrainWith(IReadOnlyList<ClickstreamEvent> events, string version, DateTimeOffset trainedAt, IReadOnlyDictionary<string, double>? settings, ISet<string>? excludedSubjects = null)
    {
        var signals = TrainingSignals.Of(events, Weights, excludedSubjects);
        var interactions = signals.Interactions.Select(i => new Interaction(i.Subject, i.ProductId, i.At, i.Weight)).ToList();
        var (eventCount, customerCount) = (signals.EventCount, signals.CustomerCount);

        // The popularity list (and the fallback for items without neighbours) as the item-item trainer computes it.
        var baseline = ItemSimilarityTrainer.TrainOnce(events, version, trainedAt, excludedSubjects, Weights);
        if (interactions.Count == 0)
        {
            return baseline;
        }

        // The dense model covers the most active items; the rest keep the Jaccard neighbours.
        var covered = interactions.GroupBy(i => i.Item, StringComparer.Ordinal)
            .Select(g => (Item: g.Key, Customers: g.Select(i => i.User).Distinct(StringComparer.Ordinal).Count()))
            .OrderByDescending(x => x.Customers).ThenBy(x => x.Item, StringComparer.Ordinal)
            .Take(_options.MaxModelItems).Select(x => x.Item).ToHashSet(StringComparer.Ordinal);
        if (covered.Count < interactions.Select(i => i.Item).Distinct(StringComparer.Ordinal).Count())
        {
            interactions = interactions.Where(i => covered.Contains(i.Item)).ToList();
        }

        var model = settings is { Count: > 0 } && Space is { } space ? space.Create(settings) : AlgorithmRegistry.Default.Create(algorithm);
        model.Fit(interactions, new TrainingContext(Seed: 42));
        var relation = model as IItemToItem;
        if (relation is null && model is not IUserScorable)
        {
            throw new InvalidOperationException($"'{algorithm}' learns neither an item-to-item relation nor a user scoring and cannot be served");
        }

        var neighbors = new Dictionary<string, IReadOnlyList<Recommendations.ScoredItem>>(StringComparer.Ordinal);
        foreach (var item in (relation?.Items ?? []).Order(StringComparer.Ordinal))
        {
            var similar = relation!.SimilarItems(item, ItemSimilarityTrainer.NeighborsPerItem);
            if (similar.Count > 0)
            {
                neighbors[item] = similar.Select(s => new Recommendations.ScoredItem(s.Item, Math.Round(s.Score, 6))).ToList();
            }
        }

        foreach (var (item, jaccard) in baseline.Neighbors)
        {
            if (relation is null || !covered.Contains(item))
            {
                neighbors[item] = jaccard;
            }
        }

        var scorer = (model as IUserScorable)?.ExportScorer(_options.RowWidth);
        return baseline with
        {
            Neighbors = neighbors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            EventCount = eventCount,
            CustomerCount = customerCount,
            Scorer = scorer,
        };
    }
}
