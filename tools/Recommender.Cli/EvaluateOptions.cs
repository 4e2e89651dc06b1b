using Recommender.Models;

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
    TimeSpan? TuneBudget = null)
{
    /// <summary>The time budget of each algorithm's search unless <c>--budget</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultTuneBudget = TimeSpan.FromSeconds(60);

    public const string Usage = "usage: evaluate --input FILE --protocol random|leave-last|temporal [--format csv|tsv] [--k 10] [--algorithms a,b] [--seen remove|keep] [--catalog FILE] [--json] [--seed 42] [--tune] [--budget 60]";

    public static readonly string[] Formats = ["csv", "tsv"];
    public static readonly string[] Protocols = ["random", "leave-last", "temporal"];
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
        int? budgetSeconds = null)
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

        return new EvaluateOptions(input, format.ToLowerInvariant(), protocol.ToLowerInvariant(), k, names, seen.Equals("remove", StringComparison.OrdinalIgnoreCase),
            json, seed, catalog, tune, budgetSeconds is { } b ? TimeSpan.FromSeconds(b) : null);
    }
}
