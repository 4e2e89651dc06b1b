using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Recommender.Cli;

/// <summary>
/// <c>token</c>: mints a bearer token signed with the app's development key
/// (<c>Recommender:Auth:DevelopmentSigningKey</c>) carrying app roles, for calling the privacy and
/// admin routes locally. In Azure, tokens come from Entra ID (an app registration with the
/// <c>Privacy.Manage</c> and <c>Recommender.Admin</c> app roles); this command is for development only.
/// </summary>
public static class TokenCommand
{
    public const string Usage = "usage: token --key DEVELOPMENT_SIGNING_KEY --role ROLE [--role ROLE] [--subject NAME] [--audience recommender] [--hours 8]";
    public const string Issuer = "recommender-development";

    public static int Run(ReadOnlySpan<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? key = null, subject = "developer", audience = "recommender";
        var roles = new List<string>();
        var hours = 8;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--key": key = args[i + 1]; break;
                case "--role": roles.Add(args[i + 1]); break;
                case "--subject": subject = args[i + 1]; break;
                case "--audience": audience = args[i + 1]; break;
                case "--hours" when int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h is > 0 and <= 24: hours = h; break;
                default:
                    stderr.WriteLine($"error: bad or unknown option '{args[i]}'.");
                    stderr.WriteLine(Usage);
                    return CliApp.UsageError;
            }
        }

        if (key is not { Length: >= 32 } || roles.Count == 0 || args.Length % 2 != 0)
        {
            stderr.WriteLine("error: --key (at least 32 characters) and at least one --role are required.");
            stderr.WriteLine(Usage);
            return CliApp.UsageError;
        }

        stdout.WriteLine(Mint(key, roles, subject, audience, DateTimeOffset.UtcNow, TimeSpan.FromHours(hours)));
        return CliApp.Success;
    }

    /// <summary>An HS256 JWT with <c>iss</c>, <c>aud</c>, <c>sub</c>, <c>roles</c>, <c>nbf</c>, <c>exp</c>.</summary>
    public static string Mint(string key, IReadOnlyList<string> roles, string subject, string audience, DateTimeOffset now, TimeSpan lifetime)
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "HS256", ["typ"] = "JWT" }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = audience,
            ["sub"] = subject,
            ["roles"] = roles,
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime).ToUnixTimeSeconds(),
        }));
        var signature = Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
