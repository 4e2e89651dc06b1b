using System.CommandLine;
using System.Net.Http.Headers;

namespace Recommender.Cli;

/// <summary>Where and as whom the admin and privacy verbs call: base URL, function key, bearer token.</summary>
internal sealed record ApiConnection(Uri BaseUri, string? Key, string? Token, HttpMessageHandler? Handler)
{
    public HttpClient CreateClient()
    {
        var client = Handler is null ? new HttpClient() : new HttpClient(Handler, disposeHandler: false);
        client.BaseAddress = new Uri(BaseUri.ToString().TrimEnd('/') + "/");
        return client;
    }

    public async Task<(bool Ok, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (Key is not null)
        {
            request.Headers.Add("x-functions-key", Key);
        }

        if (Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                stderr.WriteLine($"error: {(int)response.StatusCode} {response.ReasonPhrase}: {body}");
                return (false, body);
            }

            return (true, body);
        }
        catch (HttpRequestException ex)
        {
            stderr.WriteLine($"error: cannot reach {BaseUri}: {ex.Message}");
            return (false, string.Empty);
        }
    }
}

/// <summary>The options every API verb takes, declared once on its command group (recursive: usable after the verb).</summary>
internal sealed record ApiOptions(Option<string> Url, Option<string> Key, Option<string> Token)
{
    public static ApiOptions Create() => new(
        new Option<string>("--url") { Description = "The app's base URL, e.g. http://localhost:7071.", Required = true, Recursive = true }.AbsoluteUrl(),
        new Option<string>("--key") { Description = "A function key, sent as x-functions-key.", Recursive = true },
        new Option<string>("--token") { Description = "A bearer token (see the token command).", HelpName = "BEARER", Recursive = true });

    public ApiConnection Connect(ParseResult parse, HttpMessageHandler? handler) =>
        new(new Uri(parse.GetRequiredValue(Url)), parse.GetValue(Key), parse.GetValue(Token), handler);
}
