using System.Globalization;
using Recommender.Models.Algorithms;

namespace Recommender.Models.Tuning;

/// <summary>One hyper-parameter and the values the search tries, in order.</summary>
/// <param name="SearchedWith">
/// An earlier parameter of the same space whose best value depends on this one's: the search tries
/// every pair of their values together (<see cref="HyperparameterSearch"/>) instead of one at a time,
/// which a coordinate search cannot cross (e.g. EASE's timeline share shrinks the Gram's off-diagonal,
/// so the best λ falls with it).
/// </param>
public sealed record Hyperparameter(string Name, double Default, IReadOnlyList<double> Values, string? SearchedWith = null);

/// <summary>
/// The hyper-parameters of one registered algorithm and how to build it from a setting of them.
/// The grids are wide and generic (orders of magnitude around the defaults), not fitted to any
/// one data set: <see cref="HyperparameterSearch"/> picks the values on each data set's own
/// validation split. Algorithms without tunable parameters have an empty space (one trial).
/// </summary>
public sealed class SearchSpace
{
    private static readonly double[] Neighbours = [10, 25, 50, 100, 200];
    private static readonly double[] HalfLifeDays = [7, 30, 90, 365, 100_000];

    private readonly Func<IReadOnlyDictionary<string, double>, IRecommenderAlgorithm>? _create;

    private SearchSpace(string algorithm, IReadOnlyList<Hyperparameter> parameters, Func<IReadOnlyDictionary<string, double>, IRecommenderAlgorithm>? create)
    {
        Algorithm = algorithm;
        Parameters = parameters;
        _create = create;
    }

    public string Algorithm { get; }

    /// <summary>The parameters in the order the coordinate search visits them.</summary>
    public IReadOnlyList<Hyperparameter> Parameters { get; }

    /// <summary>
    /// The coordinates of the search, in order: each parameter alone, except that a parameter
    /// <see cref="Hyperparameter.SearchedWith"/> another joins that one's group (their values are tried in every combination).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<Hyperparameter>> Groups
    {
        get
        {
            var groups = new List<List<Hyperparameter>>();
            foreach (var parameter in Parameters)
            {
                var with = parameter.SearchedWith is { } name ? groups.FirstOrDefault(g => g.Any(p => p.Name == name)) : null;
                if (with is null)
                {
                    groups.Add([parameter]);
                }
                else
                {
                    with.Add(parameter);
                }
            }

            return groups;
        }
    }

    /// <summary>Every parameter at its default (the untuned algorithm).</summary>
    public IReadOnlyDictionary<string, double> Defaults => Parameters.ToDictionary(p => p.Name, p => p.Default, StringComparer.Ordinal);

    /// <summary>The search space of <paramref name="algorithm"/> (a registered name).</summary>
    public static SearchSpace For(string algorithm, AlgorithmRegistry? registry = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(algorithm);
        var name = algorithm.ToLowerInvariant();
        return name switch
        {
            "ease" => new SearchSpace(name,
                // The relaxed diagonal right after λ × share: on each customer's latest quarter (the gate's task) it is the
                // largest validated gain (docs/training-and-quality.md, fourth round), so a short budget reaches it first.
                [new("lambda", 250, [25, 50, 100, 250, 500, 1000, 2000, 4000]), new("relax", 0, [0, 0.5, 1]), new("weights", 0, [0, 0.5, 1]), new("dropout", 0, [0, 0.15, 0.33, 0.5]),
                 new("sequence", 0, [0, 0.5, 0.9], SearchedWith: "lambda"), new("window", 30, [10, 30, 100]),
                 new("normalize", 0, [0, 0.1, 0.2, 0.3])],
                s => new EaseRecommender(new EaseOptions
                {
                    Lambda = s["lambda"], Dropout = s["dropout"], SequenceWeight = s["sequence"], SequenceWindow = s["window"],
                    DiagonalRelaxation = s["relax"], PopularityNormalization = s["normalize"], WeightShare = s["weights"],
                })),
            "als" => new SearchSpace(name,
                [new("factors", 64, [16, 32, 64, 128]), new("regularization", 10, [1, 3, 10, 30, 100]), new("alpha", 1, [0.3, 1, 3, 10, 30])],
                s => new AlsRecommender(new AlsOptions { Factors = (int)s["factors"], Regularization = (float)s["regularization"], Alpha = (float)s["alpha"] })),
            "sar" => new SearchSpace(name,
                [new("halfLifeDays", 30, HalfLifeDays)],
                s => new SarRecommender("sar", halfLife: TimeSpan.FromDays(s["halfLifeDays"]))),
            "itemknn-jaccard" or "itemknn-lift" or "itemknn-cosine" => new SearchSpace(name,
                [new("neighbours", 50, Neighbours), new("halfLifeDays", 30, HalfLifeDays)],
                s => new ItemKnnRecommender(name, SimilarityOf(name), (int)s["neighbours"], TimeSpan.FromDays(s["halfLifeDays"]))),
            "userknn-cosine" or "userknn-jaccard" => new SearchSpace(name,
                [new("neighbours", 50, Neighbours), new("halfLifeDays", 90, HalfLifeDays)],
                s => new UserKnnRecommender(name, SimilarityOf(name), (int)s["neighbours"], TimeSpan.FromDays(s["halfLifeDays"]))),
            "rp3beta" => new SearchSpace(name,
                [new("alpha", 1, [0.5, 0.75, 1, 1.25]), new("beta", 0.5, [0, 0.25, 0.5, 0.75]), new("neighbours", 100, [25, 50, 100, 200, 500])],
                s => new Rp3BetaRecommender(new Rp3BetaOptions { Alpha = s["alpha"], Beta = s["beta"], Neighbours = (int)s["neighbours"] })),
            "sequential" => new SearchSpace(name,
                [new("window", 10, [3, 5, 10, 20]), new("ease", 0, [0, 0.3, 1, 3]), new("normalize", 0.75, [0, 0.25, 0.5, 0.75, 1]), new("recent", 20, [5, 10, 20, 50]),
                 new("decay", 0.9, [0.7, 0.8, 0.9, 1]), new("history", 0, [0, 0.01, 0.03, 0.1, 0.3])],
                s => new SequentialRulesRecommender(new SequentialRulesOptions
                {
                    Window = (int)s["window"], Normalization = s["normalize"], Recent = (int)s["recent"], PositionDecay = s["decay"], EaseShare = s["ease"],
                    HistoryShare = s["history"],
                })),
            "ltr" => new SearchSpace(name,
                [new("trees", 100, [50, 100, 200]), new("leaves", 15, [7, 15, 31])],
                s => new RankingReRanker(new EaseRecommender(), [new AlsRecommender()], new RankingOptions { Iterations = (int)s["trees"], Leaves = (int)s["leaves"] })),
            _ => new SearchSpace(name, [], (registry ?? AlgorithmRegistry.Default).Contains(name) ? _ => (registry ?? AlgorithmRegistry.Default).Create(name) : null),
        };
    }

    /// <summary>
    /// A new, untrained instance with <paramref name="settings"/> (missing parameters take their
    /// defaults; unknown names are refused). With no settings at all, the registry's own instance.
    /// </summary>
    public IRecommenderAlgorithm Create(IReadOnlyDictionary<string, double>? settings = null)
    {
        var create = _create ?? throw new UnknownAlgorithmException(Algorithm, AlgorithmRegistry.Default.Names);
        var values = new Dictionary<string, double>(Defaults, StringComparer.Ordinal);
        foreach (var (name, value) in settings ?? new Dictionary<string, double>())
        {
            if (!values.ContainsKey(name))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{Algorithm}' has no hyper-parameter '{name}' (it has: {string.Join(", ", Parameters.Select(p => p.Name))})"), nameof(settings));
            }

            values[name] = value;
        }

        return create(values);
    }

    /// <summary>Settings as one short, stable text, e.g. <c>lambda=500 dropout=0.33</c>.</summary>
    public static string Describe(IReadOnlyDictionary<string, double> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Count == 0 ? "defaults" : string.Join(' ', settings.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}={s.Value:0.###}")));
    }

    private static SimilarityKind SimilarityOf(string name) => name switch
    {
        "itemknn-jaccard" or "userknn-jaccard" => SimilarityKind.Jaccard,
        "itemknn-lift" => SimilarityKind.Lift,
        _ => SimilarityKind.Cosine,
    };
}
