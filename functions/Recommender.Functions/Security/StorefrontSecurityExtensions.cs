using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Recommender.Functions.Security;

/// <summary>Registration of the storefront gate (keys, per-client rate limit) and the URL limit.</summary>
public static class StorefrontSecurityExtensions
{
    public static IServiceCollection AddStorefrontSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorefrontOptions>().Bind(configuration.GetSection(StorefrontOptions.Section))
            .Validate(o => !o.RequireKeys || o.Clients.Count > 0,
                "Recommender:Storefront:RequireKeys is true but no client is configured under Recommender:Storefront:Clients")
            .Validate(o => o.Clients.Values.All(c => c.IsValid),
                "every Recommender:Storefront:Clients:{name} needs either KeySha256 (64 hex digits: the SHA-256 of the key) or Key (16-512 characters, e.g. a resolved Key Vault reference; an unresolved @Microsoft.KeyVault(...) is refused)")
            .Validate(o => o.RequestsPerSecond > 0 && o.Burst >= 0 && o.ClientRequestsPerSecond > 0 && o.ClientBurst >= 0
                    && o.Clients.Values.All(c => c.RequestsPerSecond is null or > 0 && c.Burst is null or > 0),
                "Recommender:Storefront:RequestsPerSecond and ClientRequestsPerSecond must be positive, Burst and ClientBurst zero or positive")
            .Validate(o => o.MaxUrlLength >= 256, "Recommender:Storefront:MaxUrlLength must be at least 256")
            .Validate(o => o.Clients.Values.All(c => !c.RelaysConsent || c.SessionAssertionKey is { Length: >= ConsentRelay.MinSessionAssertionKeyLength }),
                "a client with Recommender:Storefront:Clients:{name}:RelaysConsent=true needs a SessionAssertionKey of at least 32 characters")
            .PostConfigure(o => o.TrustLoopbackProxy ??= configuration[Hosting.HostingExtensions.CustomHandlerPortVariable] is { Length: > 0 })
            .ValidateOnStart();
        services.AddSingleton<StorefrontKeys>();
        services.AddSingleton<StorefrontRateLimiter>();
        services.AddSingleton<StorefrontGate>();
        services.AddSingleton<ConsentRelay>();
        services.AddHostedService<StorefrontStartupCheck>();
        return services;
    }

    /// <summary>Whole seconds until a rejected lease's bucket has a token again (at least 1).</summary>
    public static int RetryAfterSeconds(RateLimitLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
    }

    /// <summary>The guard in front of every endpoint: URL length, no storefront key on operator routes, and the <see cref="StorefrontGate"/> (key, rate limit) on storefront routes.</summary>
    public static IApplicationBuilder UseStorefrontSecurity(this IApplicationBuilder app) => app.UseMiddleware<StorefrontGuardMiddleware>();
}
