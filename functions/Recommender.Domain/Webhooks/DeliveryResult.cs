namespace Recommender.Domain.Webhooks;

/// <summary>How a provider took one POST.</summary>
public enum DeliveryOutcome
{
    /// <summary>2xx: the provider has the message.</summary>
    Delivered,
    /// <summary>5xx, a timeout or a transport failure: worth retrying with backoff.</summary>
    Transient,
    /// <summary>429: retry after <see cref="DeliveryResult.RetryAfter"/> (or the backoff when absent).</summary>
    Throttled,
    /// <summary>Any other 4xx: the provider refused this message; retrying cannot help.</summary>
    Rejected,
}

/// <summary>The outcome of one POST, with what the caller's retry policy needs.</summary>
/// <param name="StatusCode">The HTTP status; null when no answer came (timeout, transport failure).</param>
/// <param name="RetryAfter">The provider's <c>Retry-After</c> (seconds or an HTTP date), relative to now; never negative.</param>
/// <param name="Detail">A short description for logs, history and dead letters.</param>
public sealed record DeliveryResult(DeliveryOutcome Outcome, int? StatusCode, TimeSpan? RetryAfter, string Detail)
{
    public bool IsDelivered => Outcome == DeliveryOutcome.Delivered;

    public static DeliveryResult FromStatus(int statusCode, TimeSpan? retryAfter) => statusCode switch
    {
        >= 200 and < 300 => new(DeliveryOutcome.Delivered, statusCode, null, $"provider answered {statusCode}"),
        429 => new(DeliveryOutcome.Throttled, statusCode, retryAfter, $"provider answered 429 (throttled)"),
        >= 400 and < 500 => new(DeliveryOutcome.Rejected, statusCode, null, $"provider refused the message with {statusCode}"),
        _ => new(DeliveryOutcome.Transient, statusCode, null, $"provider answered {statusCode}"),
    };
}
