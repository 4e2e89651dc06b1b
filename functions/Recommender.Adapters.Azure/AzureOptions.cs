namespace Recommender.Adapters.Azure;

/// <summary>
/// Where the Azure adapters connect. Production uses identity-based endpoints
/// (<see cref="CosmosEndpoint"/>, <see cref="BlobServiceUri"/>, <see cref="QueueServiceUri"/>) with
/// <c>DefaultAzureCredential</c>, or the user-assigned managed identity
/// <see cref="ManagedIdentityClientId"/>. The connection strings exist only for local emulators.
/// </summary>
public sealed class AzureOptions
{
    /// <summary><value>Cosmos DB account endpoint, e.g. <c>https://acct.documents.azure.com:443/</c>.</value></summary>
    public Uri? CosmosEndpoint { get; set; }

    /// <summary><value>Cosmos DB database holding one container per collection; default <c>recommender</c>.</value></summary>
    public string CosmosDatabase { get; set; } = "recommender";

    /// <summary><value>Blob service endpoint, e.g. <c>https://acct.blob.core.windows.net</c>.</value></summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary><value>The single blob container of the app; default <c>data</c>.</value></summary>
    public string BlobContainer { get; set; } = "data";

    /// <summary>
    /// <value>The write-once blob container of the audit log (blobs under <c>audit/</c>): in Azure
    /// <c>audit</c>, with a time-based immutability policy (infra/modules/storage.bicep). Unset: the
    /// audit log stays in <see cref="BlobContainer"/> (emulators).</value>
    /// </summary>
    public string? AuditContainer { get; set; }

    /// <summary><value>Queue service endpoint, e.g. <c>https://acct.queue.core.windows.net</c>.</value></summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary><value>Client id of a user-assigned managed identity; unset means <c>DefaultAzureCredential</c>.</value></summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// <value>Emulator only: a Cosmos DB connection string with a key. When set, the client runs in
    /// Gateway mode limited to that endpoint and accepts the emulator's self-signed certificate.</value>
    /// </summary>
    public string? CosmosConnectionString { get; set; }

    /// <summary><value>Emulator only: a Storage connection string, e.g. <c>UseDevelopmentStorage=true</c> for Azurite.</value></summary>
    public string? StorageConnectionString { get; set; }

    /// <summary>
    /// <value>Emulators: create the database, the containers (partition key <c>/pk</c>), the blob
    /// container and the queues at start. In Azure the infrastructure templates create them.</value>
    /// </summary>
    public bool CreateResourcesIfMissing { get; set; }

    /// <summary><value>Most documents per page of a partition read; default 1000.</value></summary>
    public int CosmosQueryPageSize { get; set; } = CosmosDocumentStore.DefaultQueryPageSize;

    /// <summary><value>Cosmos DB 429: how many times the SDK retries a throttled request, honouring <c>x-ms-retry-after-ms</c> (0–30); default 9 (the SDK's).</value></summary>
    public int CosmosRateLimitRetries { get; set; } = 9;

    /// <summary><value>Cosmos DB 429: the longest the SDK waits in all for one throttled request (1 s – 5 min); default 30 s (the SDK's).</value></summary>
    public TimeSpan CosmosRateLimitMaxWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><value>Cosmos DB 408, 410, 449, 503 and transport failures: retries after the first attempt (0–10); default 3.</value></summary>
    public int CosmosTransientRetries { get; set; } = CosmosRetryOptions.Default.MaxRetries;

    /// <summary><value>Wait before the first transient retry, doubled for each further one with full jitter (0–10 s); default 100 ms.</value></summary>
    public TimeSpan CosmosTransientRetryDelay { get; set; } = CosmosRetryOptions.Default.BaseDelay;

    /// <summary><value>Longest single wait between transient retries (at least <see cref="CosmosTransientRetryDelay"/>, at most 1 min); default 2 s.</value></summary>
    public TimeSpan CosmosTransientRetryMaxDelay { get; set; } = CosmosRetryOptions.Default.MaxDelay;

    /// <summary>The transient-retry settings of <see cref="CosmosDocumentStore"/>.</summary>
    public CosmosRetryOptions CosmosRetry => new(CosmosTransientRetries, CosmosTransientRetryDelay, CosmosTransientRetryMaxDelay);

    /// <summary>
    /// <value>Cosmos DB 429 on a serving read (the recommendations route, <see cref="Recommender.Domain.Ports.ServingPath"/>):
    /// how many times the serving client retries it (0–30); default 1. Past it the route answers the degraded list.</value>
    /// </summary>
    public int CosmosServingRateLimitRetries { get; set; } = 1;

    /// <summary><value>Cosmos DB 429 on a serving read: the longest the serving client waits in all (1–30 s; the SDK counts whole seconds); default 1 s.</value></summary>
    public TimeSpan CosmosServingRateLimitMaxWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><value>Cosmos DB 408, 410, 449, 503 and transport failures on a serving read: retries after the first attempt (0–10); default 1.</value></summary>
    public int CosmosServingTransientRetries { get; set; } = 1;

    /// <summary>The transient-retry settings of serving reads: <see cref="CosmosServingTransientRetries"/> with the delays of <see cref="CosmosRetry"/>.</summary>
    public CosmosRetryOptions CosmosServingRetry => new(CosmosServingTransientRetries, CosmosTransientRetryDelay, CosmosTransientRetryMaxDelay);

    /// <summary>True when Cosmos DB is reached with an emulator connection string.</summary>
    public bool UsesCosmosEmulator => !string.IsNullOrWhiteSpace(CosmosConnectionString);

    /// <summary><value>Blob and queue requests: retries of 408, 429, 500, 502, 503, 504, timeouts and transport failures (Azure.Core's exponential policy, 0–10); default 3.</value></summary>
    public int StorageRetries { get; set; } = 3;

    /// <summary><value>Blob and queue requests: first retry delay, doubled each time up to 10 s (0–10 s); default 200 ms.</value></summary>
    public TimeSpan StorageRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary><value>Blob and queue requests: the most one attempt may take before it is abandoned and retried (1 s – 10 min); default 30 s.</value></summary>
    public TimeSpan StorageNetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when Storage is reached with an emulator connection string.</summary>
    public bool UsesStorageEmulator => !string.IsNullOrWhiteSpace(StorageConnectionString);

    /// <summary>Throws <see cref="InvalidOperationException"/> listing every missing setting.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (!UsesCosmosEmulator && CosmosEndpoint is null)
        {
            problems.Add($"{nameof(CosmosEndpoint)} (or, for an emulator, {nameof(CosmosConnectionString)}) is required.");
        }

        if (!UsesStorageEmulator && BlobServiceUri is null)
        {
            problems.Add($"{nameof(BlobServiceUri)} (or, for an emulator, {nameof(StorageConnectionString)}) is required.");
        }

        if (!UsesStorageEmulator && QueueServiceUri is null)
        {
            problems.Add($"{nameof(QueueServiceUri)} (or, for an emulator, {nameof(StorageConnectionString)}) is required.");
        }

        if (string.IsNullOrWhiteSpace(CosmosDatabase))
        {
            problems.Add($"{nameof(CosmosDatabase)} must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(BlobContainer))
        {
            problems.Add($"{nameof(BlobContainer)} must not be empty.");
        }

        if (AuditContainer is not null && (string.IsNullOrWhiteSpace(AuditContainer) || string.Equals(AuditContainer, BlobContainer, StringComparison.Ordinal)))
        {
            problems.Add($"{nameof(AuditContainer)} must be a container name other than {nameof(BlobContainer)}.");
        }

        if (CosmosQueryPageSize < 1)
        {
            problems.Add($"{nameof(CosmosQueryPageSize)} must be positive.");
        }

        if (CosmosRateLimitRetries is < 0 or > 30)
        {
            problems.Add($"{nameof(CosmosRateLimitRetries)} must be from 0 to 30.");
        }

        if (CosmosRateLimitMaxWait < TimeSpan.FromSeconds(1) || CosmosRateLimitMaxWait > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{nameof(CosmosRateLimitMaxWait)} must be from 00:00:01 to 00:05:00.");
        }

        if (CosmosServingRateLimitRetries is < 0 or > 30)
        {
            problems.Add($"{nameof(CosmosServingRateLimitRetries)} must be from 0 to 30.");
        }

        if (CosmosServingRateLimitMaxWait < TimeSpan.FromSeconds(1) || CosmosServingRateLimitMaxWait > TimeSpan.FromSeconds(30))
        {
            problems.Add($"{nameof(CosmosServingRateLimitMaxWait)} must be from 00:00:01 to 00:00:30.");
        }

        if (CosmosServingTransientRetries is < 0 or > 10)
        {
            problems.Add($"{nameof(CosmosServingTransientRetries)} must be from 0 to 10.");
        }

        if (CosmosTransientRetries is < 0 or > 10)
        {
            problems.Add($"{nameof(CosmosTransientRetries)} must be from 0 to 10.");
        }

        if (CosmosTransientRetryDelay < TimeSpan.Zero || CosmosTransientRetryDelay > TimeSpan.FromSeconds(10))
        {
            problems.Add($"{nameof(CosmosTransientRetryDelay)} must be from 00:00:00 to 00:00:10.");
        }

        if (CosmosTransientRetryMaxDelay < CosmosTransientRetryDelay || CosmosTransientRetryMaxDelay > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{nameof(CosmosTransientRetryMaxDelay)} must be from {nameof(CosmosTransientRetryDelay)} to 00:01:00.");
        }

        if (StorageRetries is < 0 or > 10)
        {
            problems.Add($"{nameof(StorageRetries)} must be from 0 to 10.");
        }

        if (StorageRetryDelay < TimeSpan.Zero || StorageRetryDelay > TimeSpan.FromSeconds(10))
        {
            problems.Add($"{nameof(StorageRetryDelay)} must be from 00:00:00 to 00:00:10.");
        }

        if (StorageNetworkTimeout < TimeSpan.FromSeconds(1) || StorageNetworkTimeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{nameof(StorageNetworkTimeout)} must be from 00:00:01 to 00:10:00.");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid Azure adapter settings: " + string.Join(" ", problems));
        }
    }
}
