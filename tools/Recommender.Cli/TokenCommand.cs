using System.CommandLine;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

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

    internal static CliCommand Create(TextWriter stdout, TextWriter stderr)
    {
        _ = stderr;
        var key = new Option<string>("--key") { Description = "The app's Recommender:Auth:DevelopmentSigningKey (at least 32 characters).", Required = true, HelpName = "DEVELOPMENT_SIGNING_KEY" };
        key.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is not { Length: >= 32 })
            {
                result.AddError("--key must be at least 32 characters.");
            }
        });
        var roles = new Option<string[]>("--role") { Description = "An app role (Privacy.Manage, Recommender.Admin); repeat for several.", Required = true, HelpName = "ROLE" };
        var subject = new Option<string>("--subject") { Description = "The token's subject.", DefaultValueFactory = _ => "developer", HelpName = "NAME" };
        var audience = new Option<string>("--audience") { Description = "The token's audience.", DefaultValueFactory = _ => "recommender" };
        var hours = new Option<int>("--hours") { Description = "Lifetime in hours (1 to 24).", DefaultValueFactory = _ => 8, HelpName = "N" };
        hours.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 24)
            {
                result.AddError("--hours must be from 1 to 24.");
            }
        });
        var command = new CliCommand("token", "Mint a development bearer token with app roles for the privacy and admin routes (local development only).", Usage)
        {
            key, roles, subject, audience, hours,
        };
        command.SetAction(parse =>
        {
            stdout.WriteLine(Mint(parse.GetRequiredValue(key), parse.GetRequiredValue(roles), parse.GetValue(subject) ?? "developer", parse.GetValue(audience) ?? "recommender",
                DateTimeOffset.UtcNow, TimeSpan.FromHours(parse.GetValue(hours))));
            return CliApp.Success;
        });
        return command;
    }

    /// <summary>An HS256 JWT with <c>iss</c>, <c>aud</c>, <c>sub</c>, <c>roles</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>.</summary>
    public static string Mint(string key, IReadOnlyList<string> roles, string subject, string audience, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(roles);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.AddMinutes(-1).UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = subject,
                ["roles"] = roles.ToArray(),
            },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
