namespace Recommender.Adapters.Azure;

/// <summary>
/// How <see cref="CosmosDocumentStore"/> retries transient failures the Cosmos DB SDK leaves to the
/// application: 408, 449, 503 and transport failures (connection reset, no answer) on every operation
/// kind. 429 is the SDK's (<see cref="AzureOptions.CosmosRateLimitRetries"/>,
/// <see cref="AzureOptions.CosmosRateLimitMaxWait"/>): it honours <c>x-ms-retry-after-ms</c> and never
/// counts against these retries.
/// </summary>
/// <param name="MaxRetries">Retries after the first attempt (0–10); the last failure is thrown.</param>
/// <param name="BaseDelay">Wait before the first retry, doubled for each further one, with full jitter.</param>
/// <param name="MaxDelay">Upper bound of one wait.</param>
public sealed record CosmosRetryOptions(int MaxRetries, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    /// <summary>3 retries, 100 ms doubling up to 2 s: at most about 0.1 + 0.2 + 0.4 s of waiting per operation.</summary>
    public static CosmosRetryOptions Default { get; } = new(3, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));

    /// <summary>The wait before retry <paramref name="retry"/> (0-based): uniform in [0, min(max, base × 2^retry)].</summary>
    public TimeSpan DelayBefore(int retry, double jitter)
    {
        var ceiling = BaseDelay * Math.Pow(2, Math.Clamp(retry, 0, 20));
        return (ceiling > MaxDelay ? MaxDelay : ceiling) * jitter;
    }
}
