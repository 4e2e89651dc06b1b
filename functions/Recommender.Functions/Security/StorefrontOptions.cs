namespace Recommender.Functions.Security;

/// <summary>Configuration section <c>Recommender:Storefront</c>: who may call the storefront routes, and how often.</summary>
public sealed class StorefrontOptions
{
    public const string Section = "Recommender:Storefront";

    /// <value>
    /// The storefront clients by name, each with the hex SHA-256 of its key (never the key itself).
    /// Empty: the storefront routes are open (local development).
    /// </value>
    public Dictionary<string, StorefrontClientOptions> Clients { get; } = new(StringComparer.Ordinal);

    /// <value>Refuse to start without <see cref="Clients"/>. Default <c>false</c>.</value>
    public bool RequireKeys { get; set; }

    /// <value>Sustained requests per second per client (per remote IP when open). Default 200.</value>
    public int RequestsPerSecond { get; set; } = 200;

    /// <value>Requests a client may make at once above the sustained rate; 0 means <see cref="RequestsPerSecond"/>. Default 0.</value>
    public int Burst { get; set; }

    /// <value>
    /// Whether requests from this machine come through a proxy that appends the caller's address to
    /// <c>X-Forwarded-For</c> — the Functions host in front of the handler — so that open-mode buckets
    /// key on that address instead of the proxy's (see <see cref="StorefrontRateLimiter.CallerAddress"/>).
    /// Default: on under the Functions host (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set), off otherwise.
    /// </value>
    public bool? TrustLoopbackProxy { get; set; }

    /// <value>Longest accepted path and query string, in characters. Default 2048.</value>
    public int MaxUrlLength { get; set; } = 2048;

    internal int EffectiveBurst(StorefrontClientOptions? client) =>
        client?.Burst is > 0 and var b ? b : Burst > 0 ? Burst : EffectiveRate(client);

    internal int EffectiveRate(StorefrontClientOptions? client) =>
        client?.RequestsPerSecond is > 0 and var r ? r : RequestsPerSecond;
}

/// <summary>One storefront client (<c>Recommender:Storefront:Clients:{name}</c>).</summary>
public sealed class StorefrontClientOptions
{
    /// <value>Hex SHA-256 of the client's key (64 hex digits). Either this or <see cref="Key"/>.</value>
    public string KeySha256 { get; set; } = "";

    /// <value>
    /// The client's key itself, for a setting the platform fills from a secret store: in Azure a Key
    /// Vault reference (<c>@Microsoft.KeyVault(SecretUri=…)</c>, infra/modules/functionapp.bicep), so
    /// the key is generated at deploy and never written in the configuration. It is hashed at start;
    /// an unresolved reference (the literal <c>@Microsoft.KeyVault(…)</c> text) is refused.
    /// </value>
    public string? Key { get; set; }

    /// <summary>An unresolved platform reference, not a key.</summary>
    internal bool KeyIsUnresolvedReference => Key is { } key && key.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);

    /// <summary>The hash the guard compares with: of <see cref="Key"/> when set, else <see cref="KeySha256"/>.</summary>
    internal string EffectiveKeySha256 => string.IsNullOrEmpty(Key) ? KeySha256 : StorefrontKeys.Hash(Key);

    /// <summary>Exactly one of a usable <see cref="Key"/> (16 to 512 characters, resolved) or a 64-hex <see cref="KeySha256"/>.</summary>
    internal bool IsValid => string.IsNullOrEmpty(Key)
        ? StorefrontKeys.IsSha256Hex(KeySha256)
        : string.IsNullOrEmpty(KeySha256) && Key.Length is >= MinKeyLength and <= StorefrontKeys.MaxKeyLength && !KeyIsUnresolvedReference;

    /// <summary>Shortest key accepted in <see cref="Key"/>.</summary>
    public const int MinKeyLength = 16;

    /// <value>This client's sustained rate, overriding <see cref="StorefrontOptions.RequestsPerSecond"/> when set.</value>
    public int? RequestsPerSecond { get; set; }

    /// <value>This client's burst, overriding <see cref="StorefrontOptions.Burst"/> when set.</value>
    public int? Burst { get; set; }
}
