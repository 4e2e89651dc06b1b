using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;
using Recommender.Models.Tuning;

namespace Recommender.Domain.Training;

/// <summary>
/// An algorithm the training workflow can train and serve: it turns archived events into item
/// neighbour lists and popularity (<see cref="ItemSimilarityModel"/>), which serving scores against a
/// customer's history. Deterministic for the same events.
/// </summary>
public interface IModelTrainer
{
    /// <summary>Name recorded in the model manifest (and used to retrain the served algorithm after an erasure).</summary>
    string Algorithm { get; }

    /// <summary>The event weights it trains with: the store's one table (<c>Recommender:EventWeights</c>), recorded in every model it trains.</summary>
    EventWeights Weights { get; }

    ItemSimilarityModel Train(IReadOnlyList<ClickstreamEvent> events, string version, DateTimeOffset trainedAt, ISet<string>? excludedSubjects = null);

    /// <summary>The hyper-parameters the training workflow may search for this algorithm; null when it has none.</summary>
    SearchSpace? Space => null;

    /// <summary>The candidate whose tuned settings it trains with (a re-ranker over a base algorithm); null when it searches its own.</summary>
    string? BaseAlgorithm => null;

    /// <summary>Reads what training needs beyond the events (e.g. the catalog snapshot), once per run, before any training.</summary>
    Task PrepareAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Trains with <paramref name="settings"/> (null or empty: the defaults) — the chosen setting of a search.</summary>
    ItemSimilarityModel TrainWith(IReadOnlyList<ClickstreamEvent> events, string version, DateTimeOffset trainedAt, IReadOnlyDictionary<string, double>? settings, ISet<string>? excludedSubjects = null) =>
        Train(events, version, trainedAt, excludedSubjects);
}

/// <summary>Item-item Jaccard similarity over customers' interaction sets (<see cref="ItemSimilarityTrainer"/>).</summary>
public sealed class JaccardItemTrainer(EventWeights? weights = null) : IModelTrainer
{
    public const string Name = "item-item-jaccard";

    public string Algorithm => Name;

    /// <inheritdoc />
    public EventWeights Weights { get; } = weights ?? EventWeights.Default;

    public ItemSimilarityModel Train(IReadOnlyList<ClickstreamEvent> events, string version, DateTimeOffset trainedAt, ISet<string>? excludedSubjects = null) =>
        ItemSimilarityTrainer.TrainOnce(events, version, trainedAt, excludedSubjects, Weights);
}
