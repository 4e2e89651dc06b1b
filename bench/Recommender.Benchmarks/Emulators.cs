using System.Net.Sockets;

namespace Recommender.Benchmarks;

/// <summary>The local stand-ins started by <c>tests/emulators/start.sh</c>, as the app's emulator settings name them.</summary>
public static class Emulators
{
    /// <summary>The well-known key of the Cosmos DB emulator, which the stand-in accepts.</summary>
    public const string CosmosConnectionString =
        "AccountEndpoint=https://127.0.0.1:8081/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;";

    public const string StorageConnectionString = "UseDevelopmentStorage=true";

    private static readonly (string Name, int Port)[] Endpoints = [("the Cosmos DB stand-in (127.0.0.1:8081)", 8081), ("Azurite blob (127.0.0.1:10000)", 10000), ("Azurite queue (127.0.0.1:10001)", 10001)];

    /// <summary>The stand-ins whose port does not accept a connection within 2 seconds.</summary>
    public static async Task<List<string>> FindUnreachableAsync()
    {
        var unreachable = new List<string>();
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
                unreachable.Add(name);
            }
        }

        return unreachable;
    }
}
