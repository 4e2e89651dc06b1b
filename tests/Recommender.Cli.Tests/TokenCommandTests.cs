using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Recommender.Cli.Tests;

/// <summary><c>token</c> end to end: the printed token validates as the app's development bearer scheme validates it.</summary>
public sealed class TokenCommandTests
{
    private const string Key = "a-development-signing-key-of-40-characters";

    [Fact]
    public async Task Token_PrintsAJwt_ThatValidatesWithTheDevelopmentKey_CarryingItsRolesAndSubject()
    {
        var stdout = new StringWriter();

        var code = CliApp.Run(["token", "--key", Key, "--role", "Privacy.Manage", "--role", "Recommender.Admin", "--subject", "tester", "--hours", "2"], stdout, TextWriter.Null);

        Assert.Equal(CliApp.Success, code);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(stdout.ToString().Trim(), new TokenValidationParameters
        {
            ValidIssuer = TokenCommand.Issuer,
            ValidAudience = "recommender",
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Key)),
            RoleClaimType = "roles",
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.True(result.ClaimsIdentity.HasClaim("roles", "Privacy.Manage"));
        Assert.True(result.ClaimsIdentity.HasClaim("roles", "Recommender.Admin"));
        Assert.Equal("tester", result.ClaimsIdentity.FindFirst("sub")?.Value);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1), token.ValidTo - token.ValidFrom);
    }

    [Fact]
    public async Task Token_SignedWithAnotherKey_DoesNotValidate()
    {
        var token = TokenCommand.Mint(Key, ["Recommender.Admin"], "tester", "recommender", DateTimeOffset.UtcNow, TimeSpan.FromHours(1));

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = TokenCommand.Issuer,
            ValidAudience = "recommender",
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(new string('x', 40))),
        });

        Assert.False(result.IsValid);
    }

    [Theory]
    [InlineData("--key", "too-short")]
    [InlineData("--hours", "30")]
    public void Token_BadOptions_AreAUsageError_NamingTheOption(string option, string value)
    {
        var stderr = new StringWriter();
        string[] args = option == "--key" ? ["token", "--key", value, "--role", "Recommender.Admin"] : ["token", "--key", Key, "--role", "Recommender.Admin", option, value];

        Assert.Equal(CliApp.UsageError, CliApp.Run(args, TextWriter.Null, stderr));
        Assert.Contains(option, stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage: token", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Token_WithoutARole_IsAUsageError()
    {
        var stderr = new StringWriter();

        Assert.Equal(CliApp.UsageError, CliApp.Run(["token", "--key", Key], TextWriter.Null, stderr));
        Assert.Contains("--role", stderr.ToString(), StringComparison.Ordinal);
    }
}
