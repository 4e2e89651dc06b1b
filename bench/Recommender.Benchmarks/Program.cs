using Recommender.Benchmarks;

// dotnet run --project bench/Recommender.Benchmarks -c Release -- ingest [--events N] [--customers N] [--batch N]
//     [--store embedded|cosmos|both] [--repetitions N] [--profiles N] [--json]
// bash bench/serve.sh   (runs `serve [--items N] [--customers N] [--port N] [--ready-file F]` and wrk against it)
// dotnet run --project bench/Recommender.Benchmarks -c Release -- quality --input ml-100k/u.data [--format tsv] [--protocol both]
// dotnet run --project bench/Recommender.Benchmarks -c Release -- erasure [--customers N] [--history N] [--timeout S]
// dotnet run --project bench/Recommender.Benchmarks -c Release -- soak [--minutes 20] [--events N] [--recommendations N] ...
// dotnet run --project bench/Recommender.Benchmarks -c Release -- refresh [--customers N] [--items N] [--algorithm als|ease|sar|itemknn-cosine]
// dotnet run --project bench/Recommender.Benchmarks -c Release -- serving-quality --usage FILE [--algorithm a,b] [--window-days N]
// dotnet run --project bench/Recommender.Benchmarks -c Release -- segmentation [--customers N] [--days N] [--seed N]
// dotnet run --project bench/Recommender.Benchmarks -c Release -- coverage [--store sample|demo|generated|all] [--products N] [--customers N]
// dotnet run --project bench/Recommender.Benchmarks -c Release -- attribution [--events N] [--customers N] [--batch N] [--repetitions N]
// dotnet run --project bench/Recommender.Benchmarks -c Release -- propensity --usage FILE [--window-days N]
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(IngestOptions.Usage);
    Console.WriteLine(ServeOptions.Usage);
    Console.WriteLine(ErasureOptions.Usage);
    Console.WriteLine(SoakOptions.Usage);
    Console.WriteLine(QualityOptions.Usage);
    Console.WriteLine(RefreshBenchmark.Usage);
    Console.WriteLine(SegmentationOptionsArgs.Usage);
    Console.WriteLine(CoverageOptions.Usage);
    Console.WriteLine(AttributionBenchmarkOptions.Usage);
    Console.WriteLine(PropensityBenchmark.Usage);
    return args.Length == 0 ? 2 : 0;
}

if (args[0] == "coverage")
{
    CoverageOptions coverage;
    try
    {
        coverage = CoverageOptions.Parse(args.AsSpan(1));
    }
    catch (Exception ex) when (ex is ArgumentException or FormatException)
    {
        Console.Error.WriteLine(ex.Message);
        Console.Error.WriteLine(CoverageOptions.Usage);
        return 2;
    }

    using var stopCoverage = new StopSignal();
    return await new CoverageBenchmark(coverage, Console.Error).RunAsync(stopCoverage.Token);
}

if (args[0] == "quality")
{
    QualityOptions quality;
    try
    {
        quality = QualityOptions.Parse(args.AsSpan(1));
    }
    catch (Exception ex) when (ex is ArgumentException or FormatException)
    {
        Console.Error.WriteLine(ex.Message);
        Console.Error.WriteLine(QualityOptions.Usage);
        return 2;
    }

    using var stopQuality = new StopSignal();
    return await new QualityBenchmark(quality, Console.Error).RunAsync(stopQuality.Token);
}

if (args[0] is "refresh" or "serving-quality")
{
    try
    {
        return RefreshBenchmark.Run(args, Console.Out);
    }
    catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
    {
        // A misspelt setting or a number that is not one: the reason and the usage, not a stack trace.
        Console.Error.WriteLine(ex.Message);
        Console.Error.WriteLine(RefreshBenchmark.Usage);
        return 2;
    }
}

if (args[0] == "segmentation")
{
    using var stopSegmentation = new StopSignal();
    return SegmentationOptionsArgs.Parse(args.Skip(1), Console.Error) is { } segmentation
        ? await new SegmentationBenchmark(segmentation, Console.Error).RunAsync(stopSegmentation.Token) : 2;
}

if (args[0] == "attribution")
{
    using var stopAttribution = new StopSignal();
    return AttributionBenchmarkOptions.Parse(args.Skip(1), Console.Error) is { } attribution
        ? await new AttributionBenchmark(attribution, Console.Error).RunAsync(stopAttribution.Token) : 2;
}

if (args[0] == "propensity")
{
    using var stopPropensity = new StopSignal();
    return await PropensityBenchmark.RunAsync(args, Console.Out, stopPropensity.Token);
}

if (args[0] == "erasure")
{
    using var stopErasure = new StopSignal();
    return ErasureOptions.Parse(args.Skip(1), Console.Error) is { } erasure ? await new ErasureBenchmark(erasure, Console.Error).RunAsync(stopErasure.Token) : 2;
}

if (args[0] is "soak" or "soak-app")
{
    using var stopSoak = new StopSignal();
    if (args[0] == "soak-app")
    {
        // The soak's child: --port P --ready-file F --max-minutes M (started by `soak`, not by hand).
        return await SoakBenchmark.RunAppAsync(int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), args[4],
            int.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture),
            args.Skip(7).Chunk(2).Where(p => p is ["--set", _]).Select(p => p[1]).ToList(), stopSoak.Token);
    }

    SoakOptions soak;
    try
    {
        soak = SoakOptions.Parse(args.AsSpan(1));
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine(ex.Message);
        Console.Error.WriteLine(SoakOptions.Usage);
        return 2;
    }

    return await new SoakBenchmark(soak, Console.Out).RunAsync(stopSoak.Token);
}

if (args[0] == "serve")
{
    ServeOptions serve;
    try
    {
        serve = ServeOptions.Parse(args.AsSpan(1));
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine(ex.Message);
        Console.Error.WriteLine(ServeOptions.Usage);
        return 2;
    }

    using var stop = new StopSignal();
    return await new ServeBenchmark(serve, Console.Error).RunAsync(stop.Token);
}

if (args[0] != "ingest")
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'.");
    Console.Error.WriteLine(IngestOptions.Usage);
    return 2;
}

IngestOptions options;
try
{
    options = IngestOptions.Parse(args.AsSpan(1));
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(IngestOptions.Usage);
    return 2;
}

if (options.Stores.Contains(StoreKind.Cosmos) && await Emulators.FindUnreachableAsync() is { Count: > 0 } unreachable)
{
    Console.Error.WriteLine(
        $"--store {options.StoreArgument} needs the local Azure stand-ins, but {string.Join(", ", unreachable)} did not answer. " +
        "Start them with `bash tests/emulators/start.sh`, or run with --store embedded.");
    return 3;
}

using var cancellation = new StopSignal();

var report = await new IngestBenchmark(options, progress: Console.Error).RunAsync(cancellation.Token);
Console.WriteLine(options.Json ? report.ToJson() : report.ToTable());
return 0;
