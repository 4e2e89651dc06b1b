using System.Net.Sockets;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>
/// The local stand-ins started by <c>tests/emulators/start.sh</c>. The Azure tests require them:
/// when they are not reachable every Azure test fails with instructions — never skips.
/// </summary>
public static class AzureEmulators
{
    /// <summary>Azurite's well-known development account (blob 10000, queue 10001, table 10002).</summary>
    public const string StorageConnectionString = "UseDevelopmentStorage=true";

    /// <summary>The well-known key of the Cosmos DB emulator, which the stand-in accepts.</summary>
    public const string CosmosKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    /// <summary>Environment variable naming another port for the Cosmos DB stand-in (e.g. a second, differently patched instance).</summary>
    public const string CosmosPortVariable = "RECOMMENDER_TEST_COSMOS_PORT";

    /// <summary>The Cosmos DB stand-in's port: 8081 unless <see cref="CosmosPortVariable"/> says otherwise.</summary>
    public static readonly int CosmosPort = int.TryParse(Environment.GetEnvironmentVariable(CosmosPortVariable), out var port) ? port : 8081;

    /// <summary>The Cosmos DB stand-in (@vercel/cosmosdb-server over HTTPS with a self-signed certificate).</summary>
    public static readonly string CosmosConnectionString = $"AccountEndpoint=https://127.0.0.1:{CosmosPort}/;AccountKey={CosmosKey};";

    private static readonly (string Name, int Port)[] Endpoints = [("Azurite blob", 10000), ("Azurite queue", 10001), ("Cosmos DB stand-in", CosmosPort)];

    private static readonly Lazy<Task> Reachable = new(CheckAsync);

    /// <summary>Throws (once per run, cached) when an emulator port does not answer.</summary>
    public static Task EnsureReachableAsync() => Reachable.Value;

    private static async Task CheckAsync()
    {
        var missing = new List<string>();
        foreach (var (name, port) in Endpoints)
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                missing.Add($"{name} (127.0.0.1:{port})");
            }
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The Azure emulators are not reachable: {string.Join(", ", missing)}. " +
                "Start them with `bash tests/emulators/start.sh` (stop with `bash tests/emulators/stop.sh`), then run the tests again.");
        }
    }
}
