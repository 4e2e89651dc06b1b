using Recommender.Models;
using Recommender.Models.Tuning;

namespace Recommender.Cli;

/// <summary>The validated arguments of <c>evaluate</c>.</summary>
public sealed record EvaluateOptions(
    string Input,
    string Format,
    string Protocol,
    int K,
    IReadOnlyList<string> Algorithms,
    bool ExcludeSeen,
    bool Json,
    int Seed,
    string? Catalog,
    bool Tune = false,
    TimeSpan? TuneBudget = null,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? Settings = null)
{
    /// <summary>The time budget of each algorithm's search unless <c>--budget</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultTuneBudget = TimeSpan.FromSeconds(60);

    public const string Usage = "usage: evaluate --input FILE --protocol random|latest|leave-last|temporal [--format csv|tsv] [--k 10] [--algorithms a,b] [--seen remove|keep] [--catalog FILE] [--json] [--seed 42] [--tune] [--budget 60] [--settings ALGORITHM:name=value,...]";

    public static readonly string[] Formats = ["csv", "tsv"];
    public static readonly string[] Protocols = ["random", "latest", "leave-last", "temporal"];
    public static readonly string[] SeenPolicies = ["remove", "keep"];

    /// <summary>
    /// The options from parsed values (names and values already checked by the command line): the
    /// algorithm names are resolved against <paramref name="registry"/>, all of them when none is named.
    /// </summary>
    /// <exception cref="UnknownAlgorithmException">A name is not registered.</exception>
    /// <exception cref="ArgumentException"><paramref name="algorithms"/> names no algorithm.</exception>
    public static EvaluateOptions Create(
        AlgorithmRegistry registry,
        string input,
        string protocol,
        string format = "csv",
        int k = 10,
        string? algorithms = null,
        string seen = "remove",
        string? catalog = null,
        bool json = false,
        int seed = 42,
        bool tune = false,
        int? budgetSeconds = null,
        IReadOnlyList<string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var names = algorithms is null
            ? registry.Names.ToList()
            : algorithms.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (names.Count == 0)
        {
            throw new ArgumentException("--algorithms names no algorithm");
        }

        foreach (var algorithm in names)
        {
            if (!registry.Contains(algorithm))
            {
                throw new UnknownAlgorithmException(algorithm, registry.Names);
            }
        }

        var fixedSettings = ParseSettings(registry, settings ?? [], names);
        if (tune && fixedSettings.Count > 0)
        {
            throw new ArgumentException("--settings fixes hyper-parameters and --tune searches them: give one or the other");
        }

        return new EvaluateOptions(input, format.ToLowerInvariant(), protocol.ToLowerInvariant(), k, names, seen.Equals("remove", StringComparison.OrdinalIgnoreCase),
            json, seed, catalog, tune, budgetSeconds is { } b ? TimeSpan.FromSeconds(b) : null, fixedSettings);
    }

    /// <summary>One algorithm's <c>name=value,...</c>, checked as <c>--settings</c> is (the bench's <c>refresh --settings</c>).</summary>
    public static IReadOnlyDictionary<string, double> SettingsOf(AlgorithmRegistry registry, string algorithm, string values) =>
        ParseSettings(registry, [$"{algorithm}:{values}"], [algorithm])[algorithm];

    /// <summary>
    /// <c>--settings ease:lambda=250,dropout=0.5</c> (one value per algorithm): the hyper-parameters of
    /// that algorithm's search space to train with instead of its defaults, e.g. the settings a
    /// <c>--tune</c> run chose. Names are checked against the algorithm's search space.
    /// </summary>
    private static Dictionary<string, IReadOnlyDictionary<string, double>> ParseSettings(AlgorithmRegistry registry, IReadOnlyList<string> values, IReadOnlyList<string> algorithms)
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in values)
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            var algorithm = colon > 0 ? value[..colon].Trim() : throw new ArgumentException($"--settings '{value}': expected ALGORITHM:name=value,...");
            if (!algorithms.Contains(algorithm, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"--settings '{value}': '{algorithm}' is not among the evaluated algorithms");
            }

            var known = SearchSpace.For(algorithm, registry).Parameters.Select(p => p.Name).ToList();
            var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var pair in value[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || parts[0].Length == 0
                    || !double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number))
                {
                    throw new ArgumentException($"--settings '{value}': '{pair}' is not name=number");
                }

                if (!known.Contains(parts[0], StringComparer.Ordinal))
                {
                    throw new ArgumentException($"--settings '{value}': '{algorithm}' has no hyper-parameter '{parts[0]}' (it has: {(known.Count == 0 ? "none" : string.Join(", ", known))})");
                }

                parameters[parts[0]] = number;
            }

            if (parameters.Count == 0 || !result.TryAdd(algorithm, parameters))
            {
                throw new ArgumentException($"--settings '{value}': give each algorithm's settings once, with at least one name=value");
            }
        }

        return result;
    }
}
