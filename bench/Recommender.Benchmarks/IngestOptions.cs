using System.Globalization;

namespace Recommender.Benchmarks;

/// <summary>Which adapter set a run uses.</summary>
public enum StoreKind
{
    /// <summary>SQLite and files in a fresh temporary folder.</summary>
    Embedded,
    /// <summary>Cosmos DB (stand-in), Blob Storage and queues (Azurite): a fresh database, container and queues.</summary>
    Cosmos,
}

/// <summary>Whether full ingestion runs with the privacy gate (<c>ArchiveGate</c>), without it, or both, interleaved run by run.</summary>
public enum GateMode
{
    Both,
    On,
    Off,
}

/// <summary>The command line of <c>ingest</c>.</summary>
public sealed record IngestOptions(int Events, int Customers, int BatchSize, IReadOnlyList<StoreKind> Stores, string StoreArgument, int Repetitions, int Profiles, bool Json,
    GateMode Gate = GateMode.Both, bool Calls = false, int? WarmUpEvents = null)
{
    public const string Usage = """
        usage: dotnet run --project bench/Recommender.Benchmarks -c Release -- ingest [options]
          --events N        events to ingest (default 20000; the generator yields ~11 per customer)
          --customers N     generated customers (default 2000)
          --batch N         events per IngestAsync call, like one Event Hubs batch (default 256)
          --store S         embedded | cosmos | both (default embedded); cosmos needs tests/emulators/start.sh
          --repetitions N   measured runs after one warm-up, each on a fresh store (default 3)
          --profiles N      profiles read back to measure their size (default 1000)
          --gate G          both | on | off (default both): full ingestion with the privacy gate, with it bypassed
                            (no tombstone check, every valid event archived), or both — alternating run by run
                            (off/on, then on/off, ...) so a changing machine load weighs on both alike
          --warm-up N       events ingested by the warm-up run (default: two batches); the whole stream (--events) gets the
                            JIT's tiering done before the measured runs, so their CPU time per event is steady
          --calls           also print each run's storage calls per event by port, operation and collection
          --json            print the results as JSON instead of a table
        """;

    public static IngestOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new IngestOptions(20_000, 2_000, 256, [StoreKind.Embedded], "embedded", 3, 1_000, Json: false);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--json")
            {
                options = options with { Json = true };
                continue;
            }

            if (name == "--calls")
            {
                options = options with { Calls = true };
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value.");
            }

            var value = args[++i];
            options = name switch
            {
                "--events" => options with { Events = Positive(name, value) },
                "--customers" => options with { Customers = Positive(name, value) },
                "--batch" => options with { BatchSize = Positive(name, value, max: 5_000) },
                "--repetitions" => options with { Repetitions = Positive(name, value, max: 100) },
                "--profiles" => options with { Profiles = Positive(name, value) },
                "--warm-up" => options with { WarmUpEvents = Positive(name, value) },
                "--gate" => value switch
                {
                    "both" => options with { Gate = GateMode.Both },
                    "on" => options with { Gate = GateMode.On },
                    "off" => options with { Gate = GateMode.Off },
                    _ => throw new ArgumentException($"--gate must be both, on or off, not '{value}'."),
                },
                "--store" => value switch
                {
                    "embedded" => options with { Stores = [StoreKind.Embedded], StoreArgument = value },
                    "cosmos" => options with { Stores = [StoreKind.Cosmos], StoreArgument = value },
                    "both" => options with { Stores = [StoreKind.Embedded, StoreKind.Cosmos], StoreArgument = value },
                    _ => throw new ArgumentException($"--store must be embedded, cosmos or both, not '{value}'."),
                },
                _ => throw new ArgumentException($"unknown option '{name}'."),
            };
        }

        return options;
    }

    internal static int Positive(string name, string value, int max = 10_000_000) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max
            ? n
            : throw new ArgumentException($"{name} must be a whole number from 1 to {max}, not '{value}'.");
}
