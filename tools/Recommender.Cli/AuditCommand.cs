using System.CommandLine;
using System.Text.Json;

namespace Recommender.Cli;

/// <summary>
/// <c>audit verify</c>: walks the privacy audit log's hash chain through the app
/// (<c>GET /api/privacy/audit/verify</c>, privacy role) and prints the report; exit 1 when a link is broken.
/// </summary>
public static class AuditCommand
{
    public const string Usage = "usage: audit verify --url URL [--key KEY] [--token BEARER]";

    internal static Command Create(TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler)
    {
        var api = ApiOptions.Create();
        var audit = new Command("audit", "The privacy audit log.") { api.Url, api.Key, api.Token };
        var verify = new CliCommand("verify", "Walk the audit log's hash chain: entries checked, the head hash to record elsewhere, the first broken link.", Usage);
        verify.SetAction(async (parse, cancellationToken) =>
        {
            var connection = api.Connect(parse, handler);
            using var client = connection.CreateClient();
            var (ok, body) = await connection.SendAsync(client, HttpMethod.Get, "api/privacy/audit/verify", stderr, cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                return CliApp.InputError;
            }

            stdout.WriteLine(body);
            return Broken(body) ? CliApp.InputError : CliApp.Success;
        });
        audit.Subcommands.Add(verify);
        return audit;
    }

    /// <summary>The report names a first broken link.</summary>
    private static bool Broken(string report)
    {
        try
        {
            using var document = JsonDocument.Parse(report);
            return document.RootElement.TryGetProperty("firstBreak", out var firstBreak) && firstBreak.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return true;
        }
    }
}
