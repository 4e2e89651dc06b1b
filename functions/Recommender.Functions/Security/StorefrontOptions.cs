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

    /// <value>
    /// Sustained requests per second per caller address while the routes are open (no <see cref="Clients"/>). Default 200:
    /// far above one shopper, below what one address can flood with.
    /// </value>
    public int RequestsPerSecond { get; set; } = 200;

    /// <value>Requests an address may make at once above its sustained rate; 0 means <see cref="RequestsPerSecond"/>. Default 0.</value>
    public int Burst { get; set; }

    /// <value>
    /// Sustained requests per second per storefront client (its key, whatever address it calls from), unless the
    /// client sets its own. Default 1000: a store's backend serving every shopper's lists from one address
    /// (a few placements per page view at a few hundred page views a second).
    /// </value>
    public int ClientRequestsPerSecond { get; set; } = 1000;

    /// <value>Requests a client may make at once above its sustained rate; 0 means twice <see cref="ClientRequestsPerSecond"/>. Default 0.</value>
    public int ClientBurst { get; set; }

    /// <value>
    /// Whether requests from this machine come through a proxy that appends the caller's address to
    /// <c>X-Forwarded-For</c> — the Functions host in front of the handler — so that open-mode buckets
    /// key on that address instead of the proxy's (see <see cref="StorefrontRateLimiter.CallerAddress"/>).
    /// Default: on under the Functions host (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set), off otherwise.
    /// </value>
    public bool? TrustLoopbackProxy { get; set; }

    /// <value>Longest accepted path and query string, in characters. Default 2048.</value>
    public int MaxUrlLength { get; set; } = 2048;

    /// <summary>The bucket size of a client (<paramref name="client"/> set) or of an address (null).</summary>
    internal int EffectiveBurst(StorefrontClientOptions? client) => client is null
        ? Burst > 0 ? Burst : RequestsPerSecond
        : client.Burst is > 0 and var b ? b : ClientBurst > 0 ? ClientBurst : 2 * EffectiveRate(client);

    /// <summary>The sustained rate of a client (<paramref name="client"/> set) or of an address (null).</summary>
    internal int EffectiveRate(StorefrontClientOptions? client) => client is null
        ? RequestsPerSecond
        : client.RequestsPerSecond is > 0 and var r ? r : ClientRequestsPerSecond;
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

    /// <value>
    /// Whether this client may relay consent decisions (<c>consent</c> events) — a storefront's server that
    /// runs the cookie banner or preference centre. Default <c>false</c>: consent events from this client are
    /// refused (<see cref="ConsentRelay"/>).
    /// </value>
    public bool RelaysConsent { get; set; }

    /// <value>
    /// The secret (at least 32 characters; a Key Vault reference in Azure) this client's server signs session
    /// assertions with (<see cref="ConsentRelay.SessionAssertionHeader"/>): a consent for a customer is accepted
    /// only with an assertion that the authenticated session is that customer. Required with <see cref="RelaysConsent"/>.
    /// </value>
    public string? SessionAssertionKey { get; set; }
}
