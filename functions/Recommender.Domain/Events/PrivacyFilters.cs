using System.Net;
using System.Net.Sockets;

namespace Recommender.Domain.Events;

/// <summary>
/// The privacy rules applied at the door, before anything is stored: IP addresses are truncated
/// and referrers keep their host only.
/// </summary>
internal static class PrivacyFilters
{
    /// <summary>Longest IP address text tried (IPv6 with a zone); longer is unparsable.</summary>
    public const int MaxIpLength = 64;
    /// <summary>Bytes of an IPv6 address kept: the first 48 bits (the routing prefix).</summary>
    public const int Ipv6KeptBytes = 6;
    /// <summary>Bytes of an IPv4 address kept: the first 3 octets.</summary>
    public const int Ipv4KeptBytes = 3;

    /// <summary>
    /// <c>203.0.113.77</c> becomes <c>203.0.113.0</c>; <c>2001:db8:85a3:8d3:1319:8a2e:370:7348</c>
    /// becomes <c>2001:db8:85a3::</c> (zone dropped); an IPv4-mapped IPv6 address is truncated as
    /// IPv4. Anything else (including shorthand IPv4 such as <c>127.1</c>) is null.
    /// </summary>
    public static string? TruncateIp(string text)
    {
        if (text.Length is 0 or > MaxIpLength || !IPAddress.TryParse(text, out var address))
        {
            return null;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork && !IsDottedQuad(text))
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        var kept = address.AddressFamily == AddressFamily.InterNetwork ? Ipv4KeptBytes : Ipv6KeptBytes;
        Array.Clear(bytes, kept, bytes.Length - kept);
        return new IPAddress(bytes).ToString();
    }

    private static bool IsDottedQuad(string text) =>
        text.Count(c => c == '.') == 3 && text.All(c => char.IsAsciiDigit(c) || c == '.');

    /// <summary>
    /// The lower-case host of a referrer URL (<c>https://www.example.com/a?q=1</c> gives
    /// <c>www.example.com</c>; a bare host is taken as it is); null when there is none.
    /// </summary>
    public static string? ReferrerHost(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.IsFile || uri.Host.Length == 0)
        {
            if (!Uri.TryCreate("https://" + text, UriKind.Absolute, out uri))
            {
                return null;
            }
        }

        var host = uri.IdnHost;
        return host.Length is > 0 and <= 253 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or '[' or ']')
            ? host.ToLowerInvariant()
            : null;
    }
}
