using System.Net.Http.Headers;

namespace Recommender.Cli;

/// <summary>
/// <c>models</c>: the data team's verbs over the app's admin API — list versions with their metrics,
/// show one, roll back, pin and unpin, start a training run and follow it. <c>--key</c> is sent as the
/// Functions key header (<c>x-functions-key</c>); the answer's JSON is printed as it is.
/// </summary>
public static class ModelsCommand
{
    public const string Usage = """
        usage: models list --url URL [--key KEY] [--token BEARER]
               models show VERSION --url URL [--key KEY] [--token BEARER]
               models rollback VERSION --url URL [--key KEY] [--token BEARER]
               models pin VERSION --url URL [--key KEY] [--token BEARER]
               models unpin --url URL [--key KEY] [--token BEARER]
               models train --url URL [--key KEY] [--token BEARER]
               models run RUN_ID --url URL [--key KEY] [--token BEARER]
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var positional = new List<string>();
        string? url = null, key = null, token = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--url" when i + 1 < args.Length:
                    url = args[++i];
                    break;
                case "--key" when i + 1 < args.Length:
                    key = args[++i];
                    break;
                case "--token" when i + 1 < args.Length:
                    token = args[++i];
                    break;
                default:
                    positional.Add(args[i]);
                    break;
            }
        }

        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var baseUri) || positional.Count == 0)
        {
            stderr.WriteLine(url is null ? "error: --url is required." : positional.Count == 0 ? "error: which verb?" : $"error: '{url}' is not an absolute URL.");
            stderr.WriteLine(Usage);
            return CliApp.UsageError;
        }

        var verb = positional[0];
        var argument = positional.Count > 1 ? Uri.EscapeDataString(positional[1]) : null;
        (HttpMethod Method, string Path)? call = (verb, argument) switch
        {
            ("list", null) => (HttpMethod.Get, "api/admin/models"),
            ("show", { } v) => (HttpMethod.Get, $"api/admin/models/{v}"),
            ("rollback", { } v) => (HttpMethod.Post, $"api/admin/models/{v}/rollback"),
            ("pin", { } v) => (HttpMethod.Post, $"api/admin/models/{v}/pin"),
            ("unpin", null) => (HttpMethod.Delete, "api/admin/models/pin"),
            ("train", null) => (HttpMethod.Post, "api/admin/retrain"),
            ("run", { } r) => (HttpMethod.Get, $"api/admin/training/{r}"),
            _ => null,
        };
        if (call is not { } c)
        {
            stderr.WriteLine($"error: '{string.Join(' ', positional)}' is not a models verb.");
            stderr.WriteLine(Usage);
            return CliApp.UsageError;
        }

        using var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.BaseAddress = new Uri(baseUri.ToString().TrimEnd('/') + "/");
        using var request = new HttpRequestMessage(c.Method, c.Path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                stderr.WriteLine($"error: {(int)response.StatusCode} {response.ReasonPhrase}: {body}");
                return CliApp.InputError;
            }

            stdout.WriteLine(body);
            return CliApp.Success;
        }
        catch (HttpRequestException ex)
        {
            stderr.WriteLine($"error: cannot reach {baseUri}: {ex.Message}");
            return CliApp.InputError;
        }
    }
}
