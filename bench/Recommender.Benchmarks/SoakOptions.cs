namespace Recommender.Benchmarks;

/// <summary>The command line of <c>soak</c>.</summary>
public sealed record SoakOptions(int Minutes, int EventsPerSecond, int RecommendationsPerSecond, int PrivacyActionsPerMinute, int RetrainEveryMinutes,
    int WarmupMinutes, int Customers, int MaxInFlight)
{
    /// <summary>App settings passed to the app (<c>--set Key=Value</c>, repeatable).</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    public const string Usage = """
        usage: dotnet run --project bench/Recommender.Benchmarks -c Release -- soak [options]
          --minutes N            how long to drive traffic, 1-180 (default 20); the run stops by itself
          --events N             storefront events per second, sent in batches of 10 (default 40)
          --recommendations N    GET /api/recommendations per second (default 40)
          --privacy N            privacy actions per minute: consent, export, objection, rectification, erasure (default 30)
          --retrain N            POST /api/admin/retrain every N minutes (default 4)
          --warmup N             minutes left out of the memory trend (default: a quarter of --minutes, at least 1)
          --customers N          customers the traffic is spread over (default 2000)
          --max-in-flight N      most requests outstanding at once; a tick finding no room counts as shed (default 64)
          --set KEY=VALUE        an app setting for the app under test, e.g. --set Recommender:Embedded:DocumentCacheEntries=5000 (repeatable)
        The app runs as a child process on 127.0.0.1 (embedded store in a temporary folder, queue pump on);
        all traffic goes to 127.0.0.1 only.
        """;

    public static SoakOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new SoakOptions(20, 40, 40, 30, 4, 0, 2000, 64);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value.");
            }

            var value = args[++i];
            options = name switch
            {
                "--minutes" => options with { Minutes = IngestOptions.Positive(name, value, max: 180) },
                "--events" => options with { EventsPerSecond = IngestOptions.Positive(name, value, max: 5_000) },
                "--recommendations" => options with { RecommendationsPerSecond = IngestOptions.Positive(name, value, max: 5_000) },
                "--privacy" => options with { PrivacyActionsPerMinute = IngestOptions.Positive(name, value, max: 6_000) },
                "--retrain" => options with { RetrainEveryMinutes = IngestOptions.Positive(name, value, max: 180) },
                "--warmup" => options with { WarmupMinutes = IngestOptions.Positive(name, value, max: 179) },
                "--customers" => options with { Customers = IngestOptions.Positive(name, value, max: 1_000_000) },
                "--max-in-flight" => options with { MaxInFlight = IngestOptions.Positive(name, value, max: 1_000) },
                "--set" when value.IndexOf('=', StringComparison.Ordinal) > 0 => options with { Settings = [.. options.Settings, value] },
                _ => throw new ArgumentException($"unknown option '{name}'."),
            };
        }

        if (options.WarmupMinutes >= options.Minutes)
        {
            throw new ArgumentException("--warmup must be shorter than --minutes.");
        }

        return options;
    }

    /// <summary>Minutes left out of the memory trend.</summary>
    public int Warmup => WarmupMinutes > 0 ? WarmupMinutes : Math.Max(1, Minutes / 4);
}
