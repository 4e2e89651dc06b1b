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

    /// <summary>True when Cosmos DB is reached with an emulator connection string.</summary>
    public bool UsesCosmosEmulator => !string.IsNullOrWhiteSpace(CosmosConnectionString);

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

        if (CosmosQueryPageSize < 1)
        {
            problems.Add($"{nameof(CosmosQueryPageSize)} must be positive.");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid Azure adapter settings: " + string.Join(" ", problems));
        }
    }
}
