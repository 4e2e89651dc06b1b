namespace Recommender.Functions.Security;

/// <summary>Says once, at start, when the storefront routes are open (no client configured).</summary>
public sealed partial class StorefrontStartupCheck(StorefrontKeys keys, ILogger<StorefrontStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (keys.IsOpen)
        {
            LogOpen(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "No storefront client is configured (Recommender:Storefront:Clients): the storefront routes are open to anyone. Configure clients, and Recommender:Storefront:RequireKeys=true, outside local development.")]
    private static partial void LogOpen(ILogger logger);
}
