namespace Recommender.Benchmarks;

/// <summary>The command line of <c>erasure</c>.</summary>
public sealed record ErasureOptions(int Customers, int History, TimeSpan Timeout)
{
    public const string Usage = """
        usage: dotnet run --project bench/Recommender.Benchmarks -c Release -- erasure [options]
          --customers N     customers of the generated sample store around them (default 300, the local run's)
          --history N       events in the erased customer's history, over the last 28 days (default 400)
          --timeout S       seconds to wait for completion before giving up (default 300)
        """;

    /// <summary>The options of <paramref name="args"/>; null, with the reason and the usage written to <paramref name="errors"/>, when they are wrong.</summary>
    public static ErasureOptions? Parse(IEnumerable<string> args, TextWriter errors)
    {
        var options = new ErasureOptions(300, 400, TimeSpan.FromMinutes(5));
        try
        {
            foreach (var pair in args.Chunk(2))
            {
                var (name, value) = pair is [var n, var v] ? (n, v) : throw new ArgumentException($"{pair[0]} needs a value.");
                options = name switch
                {
                    "--customers" => options with { Customers = IngestOptions.Positive(name, value, max: 100_000) },
                    "--history" => options with { History = IngestOptions.Positive(name, value, max: 5_000) },
                    "--timeout" => options with { Timeout = TimeSpan.FromSeconds(IngestOptions.Positive(name, value, max: 3_600)) },
                    _ => throw new ArgumentException($"unknown option '{name}'."),
                };
            }

            return options;
        }
        catch (ArgumentException ex)
        {
            errors.WriteLine(ex.Message);
            errors.WriteLine(Usage);
            return null;
        }
    }
}
