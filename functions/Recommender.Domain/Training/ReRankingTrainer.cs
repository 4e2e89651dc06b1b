using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;
using Recommender.Models.Algorithms;
using Recommender.Models.Tuning;

namespace Recommender.Domain.Training;

/// <summary>Configuration section <c>Recommender:Training:ReRank</c>: the LightGBM LambdaRank re-ranker candidate.</summary>
public sealed class ReRankOptions
{
    public const string Section = "Recommender:Training:ReRank";

    /// <value>Whether the training workflow trains the re-ranker as a candidate (<c>{Base}+ltr</c>). True by default.</value>
    public bool Enabled { get; set; } = true;

    /// <value>The candidate whose served list it re-ranks (one of the training candidates). <c>ease</c> by default.</value>
    public string Base { get; set; } = "ease";

    /// <value>How many of the base list's items are re-ranked (and scored per training query). 50 by default (a cached list).</value>
    public int Candidates { get; set; } = RecommendationEngine.CachedListSize;

    /// <value>Boosting rounds. 100 by default.</value>
    public int Trees { get; set; } = 100;

    /// <value>Leaves per tree. 15 by default.</value>
    public int Leaves { get; set; } = 15;

    /// <value>Shrinkage per round. 0.05 by default.</value>
    public double LearningRate { get; set; } = 0.05;

    /// <value>Fewest training rows in a leaf. 20 by default.</value>
    public int MinimumRowsPerLeaf { get; set; } = 20;

    /// <value>The most customers whose lists train it (a seeded sample above), bounding training time. 5,000 by default.</value>
    public int MaximumTrainingCustomers { get; set; } = 5_000;

    /// <value>Fewer training queries (customers whose base list held a later item) than this and the candidate is skipped: too little to learn a ranking from. 20 by default.</value>
    public int MinimumQueries { get; set; } = 20;

    /// <value>The share of each customer's interactions its internal split holds out as labels (the latest ones, or ones drawn at random: the gate's <see cref="TrainingOptions.Holdout"/>). 0.25 by default.</value>
    public double HoldoutFraction { get; set; } = HoldoutEvaluator.DefaultFraction;
}

/// <summary>Fits LambdaRank on queries (<see cref="LambdaRankTrainer.Train"/> unless DI registers another, e.g. one standing for a missing native library).</summary>
public delegate TreeEnsemble LambdaRankFit(IReadOnlyList<RankingQuery> queries, LambdaRankSettings settings);

/// <summary>A candidate cannot be trained here (e.g. a native library is missing): the run records the reason and goes on without it.</summary>
public sealed class CandidateSkippedException(string reason, Exception? inner = null) : Exception(reason, inner);

/// <summary>
/// The re-ranker as a training candidate, <c>{base}+ltr</c>: the base algorithm's model with a
/// LightGBM LambdaRank re-ranker (<see cref="ReRanker"/>) attached, served — and therefore gated — as
/// base list + re-ranking (<see cref="RecommendationEngine.ForHistory"/>). Training: the events it is
/// given are split as the gate splits (each customer's latest quarter held out, or a quarter drawn at
/// random when the gate's <paramref name="holdout"/> is <see cref="HoldoutOrder.Random"/>; <see cref="HoldoutEvaluator.Split"/>); the base is trained on the rest, every sampled customer's
/// base list (<see cref="RecommendationEngine.ReRankCandidates"/>, the same call serving makes, from the
/// same history signals the gate uses) becomes one query labelled by their held-out items; LambdaRank
/// learns on those queries; then the base is retrained on all the events and the item facts rebuilt on
/// them. The LightGBM native library is needed only here: when it cannot load, the trainer throws
/// <see cref="CandidateSkippedException"/> with the reason (the workflow records it and goes on).
/// Deterministic for the same events.
/// </summary>
public sealed class ReRankingTrainer(
    IModelTrainer baseTrainer,
    ReRankOptions options,
    UserScoringOptions scoring,
    Func<CancellationToken, Task<IReadOnlyDictionary<string, Product>>>? catalog = null,
    LambdaRankFit? fit = null,
    HoldoutOrder holdout = HoldoutOrder.Latest) : IModelTrainer
{
    public const string Suffix = "+ltr";

    private readonly LambdaRankFit _fit = fit ?? LambdaRankTrainer.Train;
    private IReadOnlyDictionary<string, Product> _catalog = new Dictionary<string, Product>(StringComparer.Ordinal);

    public string Algorithm => baseTrainer.Algorithm + Suffix;

    /// <inheritdoc />
    public EventWeights Weights => baseTrainer.Weights;

    /// <inheritdoc />
    public string? BaseAlgorithm => baseTrainer.Algorithm;

    /// <summary>The names of the trees' own settings (the <c>ltr</c> search space); every other setting is the base algorithm's.</summary>
    public static readonly IReadOnlyList<string> TreeSettings = ["trees", "leaves"];

    /// <summary>
    /// The trees' settings the workflow searches, over the base candidate's tuned settings: boosting
    /// rounds and leaves per tree (the <c>ltr</c> space: trees {50, 100, 200}, leaves {7, 15, 31});
    /// untuned, <see cref="ReRankOptions.Trees"/> and <see cref="ReRankOptions.Leaves"/> apply.
    /// </summary>
    public SearchSpace? Space { get; } = SearchSpace.For("ltr");

    /// <summary>The base algorithm's part of <paramref name="settings"/>: all but <see cref="TreeSettings"/>.</summary>
    public static IReadOnlyDictionary<string, double>? BaseSettings(IReadOnlyDictionary<string, double>? settings) =>
        settings?.Where(kv => !TreeSettings.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>What the last training learned from: queries and rows.</summary>
    public (int Queries, int Rows) LastTraining { get; private set; }

    /// <summary>Reads the catalog snapshot the item facts take categories, brands, prices and launch dates from.</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken = default)
    {
        if (catalog is not null)
        {
            _catalog = await catalog(cancellationToken).ConfigureAwait(false);
        }
    }

    public ItemSimilarityModel Train(IReadOnlyList<ClickstreamEvent> events, string version, DateTimeOffset trainedAt, ISet<string>? excludedSubjects = null) =>
        TrainWith(events, version, trainedAt, null, excludedSubjects);

    public ItemSimilarityModel TrainWith(IReadOnlyList<ClickstreamEvent> events, string version, DateTimeOffset trainedAt,
        IReadOnlyDictionary<string, double>? settings, ISet<string>? excludedSubjects = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (!options.Enabled)
        {
            throw new CandidateSkippedException($"{Algorithm}: disabled ({ReRankOptions.Section}:Enabled is false)");
        }

        var kept = excludedSubjects is { Count: > 0 }
            ? events.Where(e => e.SubjectId is not { } subject || !excludedSubjects.Contains(subject)).ToList()
            : events;
        var baseSettings = BaseSettings(settings);
        var trees = settings?.TryGetValue("trees", out var t) == true ? (int)t : options.Trees;
        var leaves = settings?.TryGetValue("leaves", out var l) == true ? (int)l : options.Leaves;
        var queries = Queries(kept, version, trainedAt, baseSettings);
        var rows = queries.Sum(q => q.Labels.Count);
        if (queries.Count < Math.Max(1, options.MinimumQueries))
        {
            throw new CandidateSkippedException($"{Algorithm}: {queries.Count} customers' later items were among the {baseTrainer.Algorithm} list's top {options.Candidates}, fewer than {options.MinimumQueries}; too little to learn a ranking from");
        }

        TreeEnsemble ensemble;
        try
        {
            ensemble = _fit(queries, new LambdaRankSettings(trees, leaves, options.LearningRate, options.MinimumRowsPerLeaf));
        }
        catch (LambdaRankUnavailableException ex)
        {
            throw new CandidateSkippedException($"{Algorithm}: {ex.Message}", ex);
        }
        catch (Exception ex) when (LambdaRankTrainer.NativeFailure(ex) is { } native)
        {
            throw new CandidateSkippedException($"{Algorithm}: LightGBM native library unavailable: {native.GetType().Name}: {native.Message}", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // LightGBM refuses some data (e.g. too few rows for its settings): the run goes on without the candidate.
            throw new CandidateSkippedException($"{Algorithm}: LambdaRank training failed: {ex.GetType().Name}: {ex.Message}", ex);
        }

        LastTraining = (queries.Count, rows);
        var model = baseTrainer.TrainWith(kept, version, trainedAt, baseSettings);
        var table = ReRankTable.Build(kept, _catalog, Weights, options.Candidates);
        return model with { ReRanker = new ReRanker(baseTrainer.Algorithm, table, ensemble, ReRankFeatures.Names, queries.Count, rows) };
    }

    /// <summary>The learning-to-rank queries of <paramref name="events"/>: each sampled customer's base list on the internal split, labelled by their held-out items.</summary>
    public IReadOnlyList<RankingQuery> Queries(IReadOnlyList<ClickstreamEvent> events, string version, DateTimeOffset trainedAt, IReadOnlyDictionary<string, double>? settings)
    {
        var split = HoldoutEvaluator.Split(events, options.HoldoutFraction, holdout);
        var customers = split.Customers.ToList();
        if (customers.Count > options.MaximumTrainingCustomers)
        {
            var random = new Random(42);
            customers = customers.OrderBy(_ => random.Next()).Take(options.MaximumTrainingCustomers).OrderBy(c => c.CustomerId, StringComparer.Ordinal).ToList();
        }

        if (customers.Count == 0)
        {
            return [];
        }

        var model = baseTrainer.TrainWith(split.Train, version, trainedAt, BaseSettings(settings));
        var table = ReRankTable.Build(split.Train, _catalog, Weights, options.Candidates);
        var queries = new List<RankingQuery>();
        foreach (var customer in customers)
        {
            var relevant = split.Relevant[customer.CustomerId];
            var candidates = FeaturesOf(customer, model, table);
            var labels = candidates.Select(c => relevant.Contains(c.Item.ProductId) ? 1f : 0f).ToList();
            if (labels.Contains(1f))
            {
                queries.Add(new RankingQuery(candidates.Select(c => c.Features).ToList(), labels));
            }
        }

        return queries;
    }

    /// <summary>One customer's candidates and feature vectors as training sees them: the gate's history signals, the gate's exclusions, the serving call.</summary>
    public IReadOnlyList<(RecommendedItem Item, float[] Features)> FeaturesOf(CustomerHistory customer, ItemSimilarityModel model, ReRankTable table)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var signals = ServedHistoryScorer.SignalsOf(customer.Events, Weights);
        var seen = new HashSet<string>(customer.Products, StringComparer.Ordinal);
        return RecommendationEngine.ReRankCandidates(signals, model, table, ServedHistoryScorer.GateCatalog, seen, options.Candidates, scoring);
    }
}
