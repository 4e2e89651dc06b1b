using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Recommender.Functions.Security;

/// <summary>
/// Tells which configured storefront client a presented key belongs to. Only hashes are held; the
/// presented key is hashed and compared with every client's hash in constant time, all of them
/// every time, so neither the key nor which client matched shows in the timing.
/// </summary>
public sealed class StorefrontKeys
{
    /// <summary>Longer keys are not hashed: they cannot be a key we issued.</summary>
    public const int MaxKeyLength = 512;

    private readonly (string Name, byte[] Hash)[] _clients;

    public StorefrontKeys(IOptions<StorefrontOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clients = options.Value.Clients
            .Where(c => c.Value.IsValid)
            .Select(c => (c.Key, Convert.FromHexString(c.Value.EffectiveKeySha256)))
            .Where(c => c.Item2.Length == SHA256.HashSizeInBytes)
            .ToArray();
    }

    /// <summary>No clients configured: the storefront routes are open.</summary>
    public bool IsOpen => _clients.Length == 0;

    /// <summary>The client whose key this is, or <c>null</c>.</summary>
    public string? Identify(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(MaxKeyLength)];
        var length = Encoding.UTF8.GetBytes(key, bytes);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes[..length], hash);
        string? match = null;
        foreach (var (name, expected) in _clients)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                match ??= name;
            }
        }

        return match;
    }

    /// <summary>The value to configure for a key: its SHA-256 in lowercase hex.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    internal static bool IsSha256Hex(string? value) =>
        value is { Length: 64 } && value.All(char.IsAsciiHexDigit);
}
