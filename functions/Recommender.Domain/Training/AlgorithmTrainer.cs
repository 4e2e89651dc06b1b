using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;
using Recommender.Models;
using Recommender.Models.Tuning;

namespace Recommender.Domain.Training;

/// <summary>
/// Serves an algorithm of <c>Recommender.Models</c> that learns an item-to-item relation (SAR,
/// item-kNN, EASE): archived interactions become implicit feedback (view 1, wishlist 2, cart 3,
/// purchase 5, per subject), the algorithm is fitted with a fixed seed, and each item's top
/// neighbours become the served lists; popularity comes from the same recency weighting as the
/// item-item trainer.
/// </summary>
public sealed class AlgorithmTrainer(string algorithm) : IModelTrainer
{
    /// <summary>The algorithms the training workflow trains as candidates besides item-item Jaccard.</summary>
    public static readonly IReadOnlyList<string> Candidates = ["sar", "ease", "itemknn-cosine", "als"];

    public string Algorithm => algorithm;

    public SearchSpace? Space { get; } = SearchSpace.For(algorithm) is { Parameters.Count: > 0 } space ? space : null;

    public ItemSimilarityModel Train(IReadOnlyList<ClickstreamEvent> events, string version, DateTimeOffset trainedAt, ISet<string>? excludedSubjects = null) =>
        TrainWith(events, version, trainedAt, null, excludedSubjects);

    public ItemSimilarityModel TrainWith(IReadOnlyList<ClickstreamEvent> events, string version, DateTimeOffset trainedAt, IReadOnlyDictionary<string, double>? settings, ISet<string>? excludedSubjects = null)
    {
        var interactions = new List<Interaction>();
        var customers = new HashSet<string>(StringComparer.Ordinal);
        var eventCount = 0;
        foreach (var e in events)
        {
            if (!ItemSimilarityTrainer.IsInteraction(e.Type) || e.IsPseudonymized || e.SubjectId is not { } subject || excludedSubjects?.Contains(subject) == true)
            {
                continue;
            }

            eventCount++;
            customers.Add(subject);
            var weight = e.Type switch
            {
                EventType.Purchase => 5.0,
                EventType.AddToCart => 3.0,
                EventType.WishlistAdd => 2.0,
                _ => 1.0,
            };
            interactions.AddRange(e.AllProductIds.Select(p => new Interaction(subject, p, e.OccurredAt, weight)));
        }

        // The popularity list (and the fallback for items without neighbours) as the item-item trainer computes it.
        var baseline = ItemSimilarityTrainer.Train(events, version, trainedAt, excludedSubjects);
        if (interactions.Count == 0)
        {
            return baseline;
        }

        var model = settings is { Count: > 0 } && Space is { } space ? space.Create(settings) : AlgorithmRegistry.Default.Create(algorithm);
        model.Fit(interactions, new TrainingContext(Seed: 42));
        var relation = model as IItemToItem ?? throw new InvalidOperationException($"'{algorithm}' learns no item-to-item relation and cannot be served");
        var neighbors = new Dictionary<string, IReadOnlyList<Recommendations.ScoredItem>>(StringComparer.Ordinal);
        foreach (var item in relation.Items.Order(StringComparer.Ordinal))
        {
            var similar = relation.SimilarItems(item, ItemSimilarityTrainer.NeighborsPerItem);
            if (similar.Count > 0)
            {
                neighbors[item] = similar.Select(s => new Recommendations.ScoredItem(s.Item, Math.Round(s.Score, 6))).ToList();
            }
        }

        return baseline with { Neighbors = neighbors, EventCount = eventCount, CustomerCount = customers.Count };
    }
}
