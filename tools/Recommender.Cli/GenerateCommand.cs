using System.CommandLine;
using System.Globalization;
using nietras.SeparatedValues;

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

    internal static CliCommand Create(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<string>("--output") { Description = "The file to write (tab-separated, no header).", Required = true, HelpName = "FILE" };
        var users = new Option<int>("--users") { Description = "Number of users.", DefaultValueFactory = _ => 2000, HelpName = "N" }.Positive();
        var items = new Option<int>("--items") { Description = "Number of items.", DefaultValueFactory = _ => 1600, HelpName = "N" }.Positive();
        var interactions = new Option<int>("--interactions") { Description = "Number of interactions.", DefaultValueFactory = _ => 100_000, HelpName = "N" }.Positive();
        var clusters = new Option<int>("--clusters") { Description = "Taste clusters (at most --items).", DefaultValueFactory = _ => 20, HelpName = "N" }.Positive();
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 7, HelpName = "N" }.Positive();
        var command = new CliCommand("generate", "Write a synthetic implicit-feedback data set (MovieLens u.data layout) for timing runs.", Usage)
        {
            output, users, items, interactions, clusters, seed,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(clusters) > result.GetValue(items))
            {
                result.AddError("--clusters may not exceed --items.");
            }
        });
        command.SetAction(parse =>
        {
            var settings = new Settings(parse.GetRequiredValue(output), parse.GetValue(users), parse.GetValue(items), parse.GetValue(interactions), parse.GetValue(clusters), parse.GetValue(seed));
            return Generate(settings, stdout, ProgressDisplay.For(stderr));
        });
        return command;
    }

    /// <summary>What to generate.</summary>
    public sealed record Settings(string Output, int Users = 2000, int Items = 1600, int Interactions = 100_000, int Clusters = 20, int Seed = 7);

    public static int Generate(Settings settings, TextWriter stdout, ProgressDisplay display)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(display);
        const int Chunk = 10_000;
        var random = new Random(settings.Seed);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var perCluster = settings.Items / settings.Clusters;
        display.Run("generate", settings.Interactions, progress =>
        {
            using var writer = Sep.New('\t').Writer(o => o with { WriteHeader = false, CultureInfo = CultureInfo.InvariantCulture }).ToFile(settings.Output);
            for (var n = 0; n < settings.Interactions; n++)
            {
                var user = random.Next(settings.Users);
                var cluster = user % settings.Clusters;
                // Rank by a squared uniform: low ranks (popular items) come up far more often.
                var rank = (int)(Math.Pow(random.NextDouble(), 2) * (random.NextDouble() < 0.8 ? perCluster : settings.Items));
                var item = random.NextDouble() < 0.8 ? (cluster * perCluster) + Math.Min(rank, perCluster - 1) : Math.Min(rank, settings.Items - 1);
                var weight = random.NextDouble() < 0.1 ? 5 : 1;
                var at = start + (long)(random.NextDouble() * 90 * 86400);
                using (var row = writer.NewRow())
                {
                    row[0].Set($"u{user}");
                    row[1].Set($"i{item}");
                    row[2].Format(weight);
                    row[3].Format(at);
                }

                if ((n + 1) % Chunk == 0)
                {
                    progress.Advance(Chunk);
                }
            }

            return 0;
        });

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {settings.Interactions:N0} interactions of {settings.Users:N0} users over {settings.Items:N0} items to {settings.Output}"));
        return CliApp.Success;
    }
}
