using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Recommender.Functions.Security;

/// <summary>Configuration section <c>Recommender:Auth</c>: bearer tokens for the privacy team and the data team.</summary>
public sealed class OperatorAuthOptions
{
    public const string Section = "Recommender:Auth";
    public const string DevelopmentIssuer = "recommender-development";

    /// <value>Entra ID authority, e.g. <c>https://login.microsoftonline.com/{tenant}/v2.0</c>. Set in Azure.</value>
    public string? Authority { get; set; }
    /// <value>The app registration's application ID URI or client id the tokens are issued for.</value>
    public string? Audience { get; set; }
    /// <value>Local development only: a symmetric key (at least 32 characters) that signs tokens minted with <c>Recommender.Cli token</c>.</value>
    public string? DevelopmentSigningKey { get; set; }
    /// <value>App role required on <c>/api/privacy/…</c>. Default <c>Privacy.Manage</c>.</value>
    public string PrivacyRole { get; set; } = "Privacy.Manage";
    /// <value>App role required on <c>/api/admin/…</c>. Default <c>Recommender.Admin</c>.</value>
    public string AdminRole { get; set; } = "Recommender.Admin";
    /// <value>Refuse to start without an authority or a development key.</value>
    public bool Require { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(DevelopmentSigningKey);
}

/// <summary>
/// Bearer authentication of the operator routes: <c>/api/privacy/…</c> needs the privacy role,
/// <c>/api/admin/…</c> the admin role (Entra ID app roles, the <c>roles</c> claim). Locally a
/// development signing key stands in for Entra ID. With neither configured the routes stay open for
/// local development (one warning at start; <c>Require</c> refuses to start instead) — in Azure they
/// are also behind Functions keys.
/// </summary>
public static partial class OperatorAuth
{
    public static IServiceCollection AddOperatorAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(OperatorAuthOptions.Section).Get<OperatorAuthOptions>() ?? new OperatorAuthOptions();
        if (options.Require && !options.IsConfigured)
        {
            throw new InvalidOperationException("Recommender:Auth:Require is true but neither Authority nor DevelopmentSigningKey is set");
        }

        if (options.DevelopmentSigningKey is { Length: > 0 and < 32 })
        {
            throw new InvalidOperationException("Recommender:Auth:DevelopmentSigningKey must be at least 32 characters");
        }

        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            if (!string.IsNullOrWhiteSpace(options.Authority))
            {
                jwt.Authority = options.Authority;
                jwt.Audience = options.Audience;
            }
            else if (!string.IsNullOrWhiteSpace(options.DevelopmentSigningKey))
            {
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = OperatorAuthOptions.DevelopmentIssuer,
                    ValidAudience = options.Audience ?? "recommender",
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.DevelopmentSigningKey)),
                    RoleClaimType = "roles",
                };
            }
        });
        return services;
    }

    /// <summary>The guard for the operator routes (after the storefront guard, which already refuses storefront keys there).</summary>
    public static IApplicationBuilder UseOperatorAuth(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<OperatorAuthOptions>>().Value;
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Recommender.Functions.Security.OperatorAuth");
        if (!options.IsConfigured)
        {
            LogOpen(logger);
            return app;
        }

        return app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var role = path.StartsWithSegments(Endpoints.ApiRoutes.Privacy, StringComparison.OrdinalIgnoreCase) ? options.PrivacyRole
                : path.StartsWithSegments(Endpoints.ApiRoutes.Admin, StringComparison.OrdinalIgnoreCase) ? options.AdminRole
                : null;
            if (role is null)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme).ConfigureAwait(false);
            if (!result.Succeeded || result.Principal is null)
            {
                await Results.Problem("a bearer token is required", statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            if (!HasRole(result.Principal, role))
            {
                await Results.Problem($"the token lacks the {role} role", statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            context.User = result.Principal;
            await next(context).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Who acted, for the audit log: the operator's object id (Entra ID <c>oid</c>), else the token's
    /// subject, else <c>privacy-api</c> when the routes are open (local development).
    /// </summary>
    public static string ActorOf(ClaimsPrincipal user) =>
        user.FindFirst("oid")?.Value is { Length: > 0 } oid ? $"operator:{oid}"
        : user.FindFirst("sub")?.Value is { Length: > 0 } sub ? $"operator:{sub}"
        : "privacy-api";

    private static bool HasRole(ClaimsPrincipal principal, string role) =>
        principal.Claims.Any(c => (c.Type is "roles" or ClaimTypes.Role) && string.Equals(c.Value, role, StringComparison.Ordinal));

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Recommender:Auth authority or development key: the privacy and admin routes are open (local development only)")]
    private static partial void LogOpen(ILogger logger);
}
