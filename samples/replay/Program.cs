using Recommender.Functions.Seeding;

namespace Recommender.Samples.Replay;

/// <summary>
/// Replays a clickstream against a running app:
/// <c>dotnet run --project samples/replay -- --url http://localhost:7071 [--customers 50] [--days 7] [--batch 100] [--file events.jsonl]</c>.
/// Exit codes: 0 done, 1 the app refused a batch or could not be reached, 2 bad arguments.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        ReplayOptions options;
        try
        {
            options = ReplayOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}\n\n{ReplayOptions.Usage}").ConfigureAwait(false);
            return 2;
        }

        if (options.File is { } file && !File.Exists(file))
        {
            await Console.Error.WriteLineAsync($"error: no file '{file}'").ConfigureAwait(false);
            return 2;
        }

        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
        if (options.FunctionKey is { } key)
        {
            http.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        try
        {
            IEnumerable<string> events;
            if (options.File is not null)
            {
                events = ClickstreamReplay.ReadJsonLines(options.File);
            }
            else
            {
                var catalog = SampleData.Catalog();
                if (options.UploadCatalog)
                {
                    await ClickstreamReplay.UploadCatalogAsync(options.Url, catalog, http, Console.Out, cancellation.Token).ConfigureAwait(false);
                }

                // Ids of its own: the seeded store's events have the generator's default ids for the same customers.
                events = SampleData.Clickstream(catalog, TimeProvider.System.GetUtcNow(), options.Customers, options.Days, runId: SampleData.NewRunId());
            }

            await ClickstreamReplay.ReplayAsync(options.Url, events, options.BatchSize, http, Console.Out, options.ApiKey, cancellation.Token).ConfigureAwait(false);
            return 0;
        }
        catch (ReplayFailedException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return 1;
        }
    }
}
