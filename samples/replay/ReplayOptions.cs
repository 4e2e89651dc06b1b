using System.Globalization;

namespace Recommender.Samples.Replay;

/// <summary>The command line: <c>--url http://localhost:7071 [--customers 50] [--days 7] [--batch 100] [--file events.jsonl] [--catalog] [--key KEY] [--api-key KEY]</c>.</summary>
public sealed record ReplayOptions(Uri Url, int Customers = 50, int Days = 7, int BatchSize = 100, string? File = null, bool UploadCatalog = false, string? FunctionKey = null, string? ApiKey = null)
{
    public const string Usage = """
        usage: dotnet run --project samples/replay -- --url http://localhost:7071 [options]

          --url URL        the app's base address (required)
          --customers N    customers in the generated clickstream (default 50)
          --days N         days of history to generate, 1 to 30 (default 7)
          --batch N        events per request, 1 to 500 (default 100)
          --file PATH      replay the JSON lines of this file instead of generating events
          --catalog        first upload the generated catalog (PUT /api/admin/catalog)
          --key KEY        function key sent as x-functions-key (Azure, for --catalog)
          --api-key KEY    storefront key sent as X-Api-Key on POST /api/events (when clients are configured)
        """;

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with the reason.</summary>
    public static ReplayOptions Parse(IReadOnlyList<string> args)
    {
        Uri? url = null;
        var options = new ReplayOptions(new Uri("http://localhost:7071"));
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            switch (name)
            {
                case "--url":
                    var text = Value(args, ref i, name);
                    if (!Uri.TryCreate(text, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
                    {
                        throw new ArgumentException($"--url must be an absolute http(s) URL, not '{text}'");
                    }

                    break;
                case "--customers":
                    options = options with { Customers = Number(args, ref i, name, 1, 100_000) };
                    break;
                case "--days":
                    options = options with { Days = Number(args, ref i, name, 1, 30) };
                    break;
                case "--batch":
                    options = options with { BatchSize = Number(args, ref i, name, 1, 500) };
                    break;
                case "--file":
                    options = options with { File = Value(args, ref i, name) };
                    break;
                case "--catalog":
                    options = options with { UploadCatalog = true };
                    break;
                case "--api-key":
                    options = options with { ApiKey = Value(args, ref i, name) };
                    break;
                case "--key":
                    options = options with { FunctionKey = Value(args, ref i, name) };
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{name}'");
            }
        }

        return options with { Url = url ?? throw new ArgumentException("--url is required") };
    }

    private static string Value(IReadOnlyList<string> args, ref int i, string name) =>
        ++i < args.Count && !args[i].StartsWith("--", StringComparison.Ordinal) ? args[i] : throw new ArgumentException($"{name} needs a value");

    private static int Number(IReadOnlyList<string> args, ref int i, string name, int min, int max)
    {
        var text = Value(args, ref i, name);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max}, not '{text}'");
    }
}
