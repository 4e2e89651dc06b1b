using System.CommandLine;
using System.Text.Json;

namespace Recommender.Cli;

/// <summary>
/// <c>models</c>: the data team's verbs over the app's admin API — list versions with their metrics,
/// show one, roll back, pin and unpin, start a training run (and, with <c>--wait</c>, follow it to
/// its decision) and show a run. <c>--key</c> is sent as the Functions key header
/// (<c>x-functions-key</c>), <c>--token</c> as a bearer token; the answer's JSON is printed as it is.
/// </summary>
public static class ModelsCommand
{
    public const string Usage = """
        usage: models list --url URL [--key KEY] [--token BEARER]
               models show VERSION --url URL [--key KEY] [--token BEARER]
               models rollback VERSION --url URL [--key KEY] [--token BEARER]
               models pin VERSION --url URL [--key KEY] [--token BEARER]
               models unpin --url URL [--key KEY] [--token BEARER]
               models train --url URL [--key KEY] [--token BEARER] [--wait [--interval 5]]
               models run RUN_ID --url URL [--key KEY] [--token BEARER]
        """;

    /// <summary>A training run's statuses after which it changes no more.</summary>
    private static readonly string[] FinalStatuses = ["promoted", "rejected", "skipped", "failed"];

    /// <summary>Runs <c>models …</c> (<paramref name="args"/> without the word <c>models</c>).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        return CliApp.RunAsync(["models", .. args], stdout, stderr, handler: handler, cancellationToken: cancellationToken);
    }

    internal static Command Create(TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler)
    {
        var api = ApiOptions.Create();
        var models = new Command("models", "The model admin API: versions, rollback, pinning, training runs.") { api.Url, api.Key, api.Token };

        Command Verb(string name, string description, Func<ParseResult, (HttpMethod Method, string Path)> call, params Argument<string>[] arguments)
        {
            var verb = new CliCommand(name, description, Usage);
            foreach (var argument in arguments)
            {
                verb.Arguments.Add(argument);
            }

            verb.SetAction((parse, cancellationToken) =>
            {
                var (method, path) = call(parse);
                return SendAsync(Connection(parse), method, path, stdout, stderr, cancellationToken);
            });
            models.Subcommands.Add(verb);
            return verb;
        }

        ApiConnection Connection(ParseResult parse) => api.Connect(parse, handler);

        var version = new Argument<string>("VERSION") { Description = "A model version, as listed." };
        var runId = new Argument<string>("RUN_ID") { Description = "A training run's id, as answered by train." };
        Verb("list", "List model versions with their metrics.", _ => (HttpMethod.Get, "api/admin/models"));
        Verb("show", "Show one model version.", p => (HttpMethod.Get, $"api/admin/models/{Escape(p, version)}"), version);
        Verb("rollback", "Make an earlier version the promoted one.", p => (HttpMethod.Post, $"api/admin/models/{Escape(p, version)}/rollback"), version);
        Verb("pin", "Pin a version: training runs no longer replace it.", p => (HttpMethod.Post, $"api/admin/models/{Escape(p, version)}/pin"), version);
        Verb("unpin", "Remove the pin.", _ => (HttpMethod.Delete, "api/admin/models/pin"));
        Verb("run", "Show a training run: its candidates, metrics and decision.", p => (HttpMethod.Get, $"api/admin/training/{Escape(p, runId)}"), runId);

        var wait = new Option<bool>("--wait") { Description = "Follow the run to its decision (progress on stderr) and print the finished run." };
        var interval = new Option<int>("--interval") { Description = "Seconds between two looks at the run while waiting.", DefaultValueFactory = _ => 5, HelpName = "SECONDS" };
        interval.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--interval may not be negative.");
            }
        });
        var train = new CliCommand("train", "Start a training run (evaluate, gate, promote).", Usage) { wait, interval };
        train.SetAction((parse, cancellationToken) => parse.GetValue(wait)
            ? TrainAndWaitAsync(Connection(parse), TimeSpan.FromSeconds(parse.GetValue(interval)), stdout, stderr, cancellationToken)
            : SendAsync(Connection(parse), HttpMethod.Post, "api/admin/retrain", stdout, stderr, cancellationToken));
        models.Subcommands.Add(train);
        return models;
    }

    private static string Escape(ParseResult parse, Argument<string> argument) => Uri.EscapeDataString(parse.GetRequiredValue(argument));

    internal static async Task<int> SendAsync(ApiConnection connection, HttpMethod method, string path, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var client = connection.CreateClient();
        var (ok, body) = await connection.SendAsync(client, method, path, stderr, cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            return CliApp.InputError;
        }

        stdout.WriteLine(body);
        return CliApp.Success;
    }

    private static async Task<int> TrainAndWaitAsync(ApiConnection connection, TimeSpan interval, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var client = connection.CreateClient();
        var (ok, body) = await connection.SendAsync(client, HttpMethod.Post, "api/admin/retrain", stderr, cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            return CliApp.InputError;
        }

        if (ReadString(body, "runId") is not { } runId)
        {
            stderr.WriteLine($"error: the answer names no runId: {body}");
            return CliApp.InputError;
        }

        return await ProgressDisplay.For(stderr).RunAsync($"training run {runId}", 1, async progress =>
        {
            string? last = null;
            while (true)
            {
                var (found, run) = await connection.SendAsync(client, HttpMethod.Get, $"api/admin/training/{Uri.EscapeDataString(runId)}", stderr, cancellationToken).ConfigureAwait(false);
                if (!found)
                {
                    return CliApp.InputError;
                }

                var status = ReadString(run, "status") ?? "unknown";
                if (status != last)
                {
                    progress.Step($"run {runId}: {status}");
                    last = status;
                }

                if (FinalStatuses.Contains(status, StringComparer.Ordinal))
                {
                    progress.Advance();
                    stdout.WriteLine(run);
                    return status == "failed" ? CliApp.InputError : CliApp.Success;
                }

                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    private static string? ReadString(string json, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
