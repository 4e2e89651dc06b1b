using System.Globalization;
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

    public const string Usage =
        """
        usage: evaluate --input FILE --protocol random|leave-last|temporal [options]
          --input FILE          interactions
          --format csv|tsv      csv: user,item,timestamp[,weight] (header optional);
                                tsv: user<TAB>item<TAB>weight<TAB>timestamp (MovieLens u.data). Default csv.
                                Timestamps: Unix seconds, ISO 8601 or yyyy/MM/ddTHH:mm:ss (UTC unless a zone is given).
          --protocol P          random (75/25 per user, seeded), leave-last (each user's latest interaction),
                                temporal (the last 20% of the time span is test)
          --k N                 list length (default 10)
          --algorithms a,b,...  registered names (default: all)
          --seen remove|keep    exclude the user's training items from the lists, or allow them (default remove)
          --catalog FILE        optional item attributes: item,attr1,attr2,... (for content-based algorithms)
          --json                one JSON object per algorithm on stdout instead of the table
          --seed N              split and training seed (default 42)
          --tune                search each algorithm's hyper-parameters on a validation split carved from the
                                training part (same protocol; the test part is never seen), then measure the
                                chosen settings on the test part
          --budget SECONDS      time budget of each algorithm's search (default 60)
        """;

    private static readonly string[] Protocols = ["random", "leave-last", "temporal"];

    public static EvaluateOptions Parse(ReadOnlySpan<string> args, AlgorithmRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        string? input = null, protocol = null, catalog = null, algorithms = null;
        string format = "csv", seen = "remove";
        int k = 10, seed = 42;
        var json = false;
        var tune = false;
        TimeSpan? budget = null;
        for (var n = 0; n < args.Length; n++)
        {
            var name = args[n];
            if (name == "--json")
            {
                json = true;
                continue;
            }

            if (name == "--tune")
            {
                tune = true;
                continue;
            }

            if (n + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value");
            }

            var value = args[++n];
            switch (name)
            {
                case "--input": input = value; break;
                case "--format": format = value.ToLowerInvariant(); break;
                case "--protocol": protocol = value.ToLowerInvariant(); break;
                case "--k": k = PositiveInt(name, value); break;
                case "--algorithms": algorithms = value; break;
                case "--seen": seen = value.ToLowerInvariant(); break;
                case "--seed": seed = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : throw new ArgumentException($"--seed must be an integer, got '{value}'"); break;
                case "--catalog": catalog = value; break;
                case "--budget": budget = TimeSpan.FromSeconds(PositiveInt(name, value)); break;
                default: throw new ArgumentException($"unknown option '{name}'");
            }
        }

        if (input is null)
        {
            throw new ArgumentException("--input is required");
        }

        if (format is not ("csv" or "tsv"))
        {
            throw new ArgumentException($"--format must be csv or tsv, got '{format}'");
        }

        if (protocol is null || !Protocols.Contains(protocol))
        {
            throw new ArgumentException($"--protocol must be one of {string.Join(", ", Protocols)}{(protocol is null ? string.Empty : $", got '{protocol}'")}");
        }

        if (seen is not ("remove" or "keep"))
        {
            throw new ArgumentException($"--seen must be remove or keep, got '{seen}'");
        }

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

        return new EvaluateOptions(input, format, protocol, k, names, seen == "remove", json, seed, catalog, tune, budget);
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
            ? parsed
            : throw new ArgumentException($"{name} must be a positive integer, got '{value}'");
}
