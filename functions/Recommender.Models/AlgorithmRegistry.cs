using Recommender.Models.Algorithms;

namespace Recommender.Models;

/// <summary>
/// Every algorithm the CLI and the trainer can run, by its stable name, in registration order
/// (the CLI's default <c>--algorithms</c> is all of them, in this order). Each call of
/// <see cref="Create"/> returns a new, untrained instance.
/// </summary>
public sealed class AlgorithmRegistry
{
    private readonly List<string> _names = [];
    private readonly Dictionary<string, Func<IRecommenderAlgorithm>> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The registry with every algorithm of this assembly.</summary>
    public static AlgorithmRegistry Default { get; } = CreateDefault();

    /// <summary>Registered names, in registration order.</summary>
    public IReadOnlyList<string> Names => _names;

    public static AlgorithmRegistry CreateDefault()
    {
        var registry = new AlgorithmRegistry();

        // Baselines and neighbourhood models (Evaluation: README "Recommendation quality").
        registry.Add("popularity", () => new PopularityRecommender("popularity"));
        registry.Add("trending", () => new PopularityRecommender("trending", halfLife: TimeSpan.FromDays(7)));
        registry.Add("sar", () => new SarRecommender("sar"));
        registry.Add("itemknn-jaccard", () => new ItemKnnRecommender("itemknn-jaccard", SimilarityKind.Jaccard));
        registry.Add("itemknn-lift", () => new ItemKnnRecommender("itemknn-lift", SimilarityKind.Lift));
        registry.Add("itemknn-cosine", () => new ItemKnnRecommender("itemknn-cosine", SimilarityKind.Cosine));
        registry.Add("userknn-cosine", () => new UserKnnRecommender("userknn-cosine", SimilarityKind.Cosine));
        registry.Add("userknn-jaccard", () => new UserKnnRecommender("userknn-jaccard", SimilarityKind.Jaccard));

        // ===== BEGIN helper B: EASE, implicit ALS, content-based, LambdaRank re-ranker, propensity =====
        registry.Add("ease", () => new EaseRecommender());
        registry.Add("als", () => new AlsRecommender());
        registry.Add("rp3beta", () => new Rp3BetaRecommender()); // issue 12: random walk with popularity penalty
        registry.Add("sequential", () => new SequentialRulesRecommender()); // issue 12: what comes next, by the order of interactions
        registry.Add("content", () => new ContentRecommender());
        registry.Add("ltr", () => new RankingReRanker(new EaseRecommender(), [new AlsRecommender()]));
        // ===== END helper B =====

        return registry;
    }

    /// <summary>Registers <paramref name="factory"/> under <paramref name="name"/> (case-insensitive, unique).</summary>
    public void Add(string name, Func<IRecommenderAlgorithm> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_factories.TryAdd(name, factory))
        {
            throw new ArgumentException($"an algorithm named '{name}' is already registered", nameof(name));
        }

        _names.Add(name);
    }

    public bool Contains(string name) => _factories.ContainsKey(name);

    /// <summary>A new instance of the named algorithm.</summary>
    /// <exception cref="UnknownAlgorithmException">No algorithm has that name.</exception>
    public IRecommenderAlgorithm Create(string name) =>
        _factories.TryGetValue(name, out var factory) ? factory() : throw new UnknownAlgorithmException(name, _names);
}

/// <summary>An algorithm name that is not registered; the message lists the known names.</summary>
public sealed class UnknownAlgorithmException : Exception
{
    public UnknownAlgorithmException(string name, IEnumerable<string> known)
        : base($"unknown algorithm '{name}'. Known algorithms: {string.Join(", ", known)}.")
    {
        Name = name;
    }

    public UnknownAlgorithmException()
    {
        Name = string.Empty;
    }

    public UnknownAlgorithmException(string message, Exception innerException)
        : base(message, innerException)
    {
        Name = string.Empty;
    }

    public string Name { get; }
}
