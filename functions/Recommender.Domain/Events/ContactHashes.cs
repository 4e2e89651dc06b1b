using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Recommender.Domain.Events;

/// <summary>
/// Contact details are hashed at the door, in the form ad platforms match on: the email trimmed and
/// lower-cased, the phone as E.164 (<c>+</c> and 8–15 digits, spaces, dots, dashes and brackets
/// removed), each as lowercase hex SHA-256. The raw address or number never reaches a store.
/// </summary>
public static partial class ContactHashes
{
    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 50)]
    private static partial Regex EmailShape();

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 50)]
    private static partial Regex E164();

    public static string? Email(string email)
    {
        var normalized = email.Trim().ToLowerInvariant();
        return EmailShape().IsMatch(normalized) ? Sha256(normalized) : null;
    }

    public static string? Phone(string phone)
    {
        var normalized = new string(phone.Where(c => c is not (' ' or '.' or '-' or '(' or ')')).ToArray());
        return E164().IsMatch(normalized) ? Sha256(normalized) : null;
    }

    private static string Sha256(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
