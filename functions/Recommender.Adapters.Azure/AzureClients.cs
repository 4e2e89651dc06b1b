using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Azure.Cosmos;

namespace Recommender.Adapters.Azure;

/// <summary>Builds the SDK clients from <see cref="AzureOptions"/>: identity-based in Azure, keys only for emulators.</summary>
public static class AzureClients
{
    /// <summary>The credential for identity-based endpoints: the user-assigned managed identity if configured, else <see cref="DefaultAzureCredential"/>.</summary>
    public static TokenCredential CreateCredential(AzureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.ManagedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ManagedIdentityClientId));
    }

    /// <summary>
    /// The key of the second <see cref="CosmosClient"/> (a keyed service): the one serving reads use, with the short
    /// 429 budget (<see cref="AzureOptions.CosmosServingRateLimitRetries"/>, <see cref="AzureOptions.CosmosServingRateLimitMaxWait"/>).
    /// The Cosmos SDK sets that budget per client, not per request.
    /// </summary>
    public const string ServingCosmosClient = "serving";

    /// <summary>
    /// A <see cref="CosmosClient"/> for the app (<paramref name="serving"/>: the serving reads' one, with their
    /// short 429 budget; otherwise the one for everything else). With an emulator connection string: Gateway mode,
    /// <see cref="CosmosClientOptions.LimitToEndpoint"/> (the emulator's advertised regions are not
    /// reachable) and a handler that accepts the emulator's self-signed certificate. Otherwise the
    /// SDK defaults (Direct mode, regional failover) with <paramref name="credential"/>.
    /// </summary>
    public static CosmosClient CreateCosmosClient(AzureOptions options, Func<TokenCredential> credential, bool serving = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        var clientOptions = CreateCosmosClientOptions(options, serving);
        return options.UsesCosmosEmulator
            ? new CosmosClient(options.CosmosConnectionString, clientOptions)
            : new CosmosClient(options.CosmosEndpoint!.AbsoluteUri, credential(), clientOptions);
    }

    /// <summary>The client settings <see cref="CreateCosmosClient"/> uses (tests add their own HTTP handler).</summary>
    internal static CosmosClientOptions CreateCosmosClientOptions(AzureOptions options, bool serving = false)
    {
        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = serving ? "recommender-serving" : "recommender",
            // Only the stream APIs touch documents; anything else the SDK serializes uses System.Text.Json.
            UseSystemTextJsonSerializerWithOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web),
            // 429: the SDK retries every operation kind itself after x-ms-retry-after-ms, within these bounds.
            MaxRetryAttemptsOnRateLimitedRequests = serving ? options.CosmosServingRateLimitRetries : options.CosmosRateLimitRetries,
            MaxRetryWaitTimeOnRateLimitedRequests = serving ? options.CosmosServingRateLimitMaxWait : options.CosmosRateLimitMaxWait,
        };

        if (options.UsesCosmosEmulator)
        {
            clientOptions.ConnectionMode = ConnectionMode.Gateway;
            clientOptions.LimitToEndpoint = true;
            // The SDK refuses a custom HttpClientFactory together with the connection string's own switch.
            if (!options.CosmosConnectionString!.Contains("DisableServerCertificateValidation=True", StringComparison.OrdinalIgnoreCase))
            {
                clientOptions.HttpClientFactory = EmulatorHttp.CreateClient;
            }
        }

        return clientOptions;
    }

    /// <summary>The blob service client: Azurite connection string or identity-based endpoint.</summary>
    public static BlobServiceClient CreateBlobServiceClient(AzureOptions options, Func<TokenCredential> credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        var clientOptions = CreateBlobClientOptions(options);
        return options.UsesStorageEmulator
            ? new BlobServiceClient(options.StorageConnectionString, clientOptions)
            : new BlobServiceClient(options.BlobServiceUri!, credential(), clientOptions);
    }

    /// <summary>The blob client settings: <see cref="ConfigureRetry"/> (tests add their own transport).</summary>
    internal static BlobClientOptions CreateBlobClientOptions(AzureOptions options)
    {
        var clientOptions = new BlobClientOptions();
        ConfigureRetry(clientOptions.Retry, options);
        return clientOptions;
    }

    /// <summary>The queue client settings: plain-text messages and <see cref="ConfigureRetry"/>.</summary>
    internal static QueueClientOptions CreateQueueClientOptions(AzureOptions options)
    {
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        ConfigureRetry(clientOptions.Retry, options);
        return clientOptions;
    }

    /// <summary>
    /// Azure.Core's retry policy for Storage: exponential from <see cref="AzureOptions.StorageRetryDelay"/>
    /// up to 10 s, <see cref="AzureOptions.StorageRetries"/> retries, each attempt abandoned after
    /// <see cref="AzureOptions.StorageNetworkTimeout"/>. Azure.Core retries 408, 429, 500, 502, 503, 504,
    /// transport failures and that timeout, for every method (the adapters' writes are idempotent or
    /// conditional: see <see cref="BlobStorageStore"/> and <see cref="StorageQueueWorkQueue"/>).
    /// </summary>
    private static void ConfigureRetry(RetryOptions retry, AzureOptions options)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = options.StorageRetries;
        retry.Delay = options.StorageRetryDelay;
        retry.MaxDelay = TimeSpan.FromSeconds(10);
        retry.NetworkTimeout = options.StorageNetworkTimeout;
    }

    /// <summary>The queue service client, with plain-text messages (no base64) to match the host's <c>messageEncoding: none</c>.</summary>
    public static QueueServiceClient CreateQueueServiceClient(AzureOptions options, Func<TokenCredential> credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        var clientOptions = CreateQueueClientOptions(options);
        return options.UsesStorageEmulator
            ? new QueueServiceClient(options.StorageConnectionString, clientOptions)
            : new QueueServiceClient(options.QueueServiceUri!, credential(), clientOptions);
    }
}
