namespace Recommender.Domain.Events;

/// <summary>
/// Where an event came from, as far as the store may keep it: the IP address is already truncated
/// (IPv4 to its first 3 octets, IPv6 to its first 48 bits) and precise location never gets here.
/// </summary>
public sealed record EventContext
{
    /// <summary>The truncated IP address (<c>203.0.113.0</c>, <c>2001:db8:85a3::</c>).</summary>
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
    public DeviceType? Device { get; init; }
    /// <summary>ISO 3166-1 alpha-2, upper case.</summary>
    public string? Country { get; init; }
    public string? Locale { get; init; }

    internal bool IsEmpty => Ip is null && UserAgent is null && Device is null && Country is null && Locale is null;
}
