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
    /// One <see cref="CosmosClient"/> for the app. With an emulator connection string: Gateway mode,
    /// <see cref="CosmosClientOptions.LimitToEndpoint"/> (the emulator's advertised regions are not
    /// reachable) and a handler that accepts the emulator's self-signed certificate. Otherwise the
    /// SDK defaults (Direct mode, regional failover) with <paramref name="credential"/>.
    /// </summary>
    public static CosmosClient CreateCosmosClient(AzureOptions options, Func<TokenCredential> credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        var clientOptions = CreateCosmosClientOptions(options);
        return options.UsesCosmosEmulator
            ? new CosmosClient(options.CosmosConnectionString, clientOptions)
            : new CosmosClient(options.CosmosEndpoint!.AbsoluteUri, credential(), clientOptions);
    }

    /// <summary>The client settings <see cref="CreateCosmosClient"/> uses (tests add their own HTTP handler).</summary>
    internal static CosmosClientOptions CreateCosmosClientOptions(AzureOptions options)
    {
        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = "recommender",
            // Only the stream APIs touch documents; anything else the SDK serializes uses System.Text.Json.
            UseSystemTextJsonSerializerWithOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web),
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
        return options.UsesStorageEmulator
            ? new BlobServiceClient(options.StorageConnectionString)
            : new BlobServiceClient(options.BlobServiceUri!, credential());
    }

    /// <summary>The queue service client, with plain-text messages (no base64) to match the host's <c>messageEncoding: none</c>.</summary>
    public static QueueServiceClient CreateQueueServiceClient(AzureOptions options, Func<TokenCredential> credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        return options.UsesStorageEmulator
            ? new QueueServiceClient(options.StorageConnectionString, clientOptions)
            : new QueueServiceClient(options.QueueServiceUri!, credential(), clientOptions);
    }
}
