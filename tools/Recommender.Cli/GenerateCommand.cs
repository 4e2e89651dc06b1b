using System.Globalization;

namespace Recommender.Cli;

/// <summary>
/// <c>generate</c>: a synthetic implicit-feedback data set in the MovieLens <c>u.data</c> layout
/// (<c>user item weight timestamp</c>, tab-separated) for timing and scaling runs: users belong to
/// taste clusters, items have a skewed (Zipf-like) popularity, 80 % of a user's interactions fall in
/// their cluster. Deterministic for a seed. Not a quality benchmark: say so when quoting it.
/// </summary>
public static class GenerateCommand
{
    public const string Usage = "usage: generate --output FILE [--users 2000] [--items 1600] [--interactions 100000] [--clusters 20] [--seed 7]";

    public static int Run(ReadOnlySpan<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? output = null;
        int users = 2000, items = 1600, interactions = 100_000, clusters = 20, seed = 7;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            bool Int(out int target) => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out target) && target > 0;
            var ok = args[i] switch
            {
                "--output" => (output = value) is not null,
                "--users" => Int(out users),
                "--items" => Int(out items),
                "--interactions" => Int(out interactions),
                "--clusters" => Int(out clusters),
                "--seed" => Int(out seed),
                _ => false,
            };
            if (!ok)
            {
                stderr.WriteLine($"error: bad or unknown option '{args[i]}'.");
                stderr.WriteLine(Usage);
                return CliApp.UsageError;
            }

            i++;
        }

        if (output is null || clusters > items)
        {
            stderr.WriteLine(output is null ? "error: --output is required." : "error: --clusters may not exceed --items.");
            stderr.WriteLine(Usage);
            return CliApp.UsageError;
        }

        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var perCluster = items / clusters;
        using var writer = new StreamWriter(output);
        for (var n = 0; n < interactions; n++)
        {
            var user = random.Next(users);
            var cluster = user % clusters;
            // Rank by a squared uniform: low ranks (popular items) come up far more often.
            var rank = (int)(Math.Pow(random.NextDouble(), 2) * (random.NextDouble() < 0.8 ? perCluster : items));
            var item = random.NextDouble() < 0.8 ? (cluster * perCluster) + Math.Min(rank, perCluster - 1) : Math.Min(rank, items - 1);
            var weight = random.NextDouble() < 0.1 ? 5 : 1;
            var at = start + (long)(random.NextDouble() * 90 * 86400);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"u{user}\ti{item}\t{weight}\t{at}"));
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {interactions:N0} interactions of {users:N0} users over {items:N0} items to {output}"));
        return CliApp.Success;
    }
}
