using System.Globalization;

namespace Recommender.Benchmarks;

/// <summary>The command line of <c>serve</c>.</summary>
public sealed record ServeOptions(int Items, int Customers, int Port, string? ReadyFile, int ProfileIterations = 0, int WriterIterations = 0, int FirstServes = 0)
{
    public const string Usage = """
        usage: dotnet bench/Recommender.Benchmarks/bin/Release/net10.0/Recommender.Benchmarks.dll serve [options]
          (normally started by bench/serve.sh, which also runs wrk against it)
          --items N         catalog size (default 10000)
          --customers N     customers with a profile and a cached list (default 100000)
          --port N          port on 127.0.0.1 (default 7180)
          --ready-file F    written with the storefront key once the app serves
          --profile N       instead of serving: time N in-process calls of each serving stage, then stop
          --writers N       instead of serving: time N writes of one 10-item answer per JSON writer and round
                            (hand-written, source generator, reflection), then stop
          --first-serves N  instead of serving: N in-process requests for random customers right after the
                            setup, per window of --customers requests: CPU, wall tail and the collections
                            (by generation, pauses, bytes promoted), then stop
        """;

    public static ServeOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new ServeOptions(10_000, 100_000, 7180, null);
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
                "--items" => options with { Items = Positive(name, value, min: 100) },
                "--customers" => options with { Customers = Positive(name, value) },
                "--port" => options with { Port = Positive(name, value, max: 65_535) },
                "--ready-file" => options with { ReadyFile = value },
                "--profile" => options with { ProfileIterations = Positive(name, value) },
                "--writers" => options with { WriterIterations = Positive(name, value) },
                "--first-serves" => options with { FirstServes = Positive(name, value) },
                _ => throw new ArgumentException($"unknown option '{name}'."),
            };
        }

        return options;
    }

    private static int Positive(string name, string value, int min = 1, int max = 10_000_000) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max}, not '{value}'.");
}
