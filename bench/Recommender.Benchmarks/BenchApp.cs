using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Azure.Cosmos;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Recommender.Adapters.Azure;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;
using Recommender.Functions.Hosting;

namespace Recommender.Benchmarks;

/// <summary>
/// The app as <c>Program.cs</c> builds it — <see cref="HostingExtensions.AddRecommender"/> on a
/// <see cref="WebApplication"/> builder and <see cref="HostingExtensions.MapRecommender"/>, started (hosted services, option validation, Kestrel on a
/// free loopback port) — with the queue pump and sample seeding off, on fresh storage: a new
/// temporary data folder (embedded), or a new Cosmos DB database, blob container and queues on the
/// stand-ins (removed again on dispose).
/// </summary>
public sealed class BenchApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StoreKind _store;
    private readonly string _name;
    private readonly string _directory;

    private BenchApp(WebApplication app, StoreKind store, string name, string directory)
    {
        _app = app;
        _store = store;
        _name = name;
        _directory = directory;
    }

    public IServiceProvider Services => _app.Services;

    public static async Task<BenchApp> StartAsync(StoreKind store, CancellationToken cancellationToken,
        string url = "http://127.0.0.1:0", IReadOnlyDictionary<string, string?>? extraSettings = null, Action<IServiceCollection>? configureServices = null)
    {
        var name = "bench" + Guid.NewGuid().ToString("N")[..12];
        var directory = Directory.CreateTempSubdirectory("recommender-" + name + "-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Recommender:QueuePump:Enabled"] = "false",
            ["Recommender:Seed:Enabled"] = "false",
        };
        if (store == StoreKind.Embedded)
        {
            settings["Recommender:Mode"] = nameof(StorageMode.Embedded);
            settings["Recommender:DataDirectory"] = Path.Combine(directory, "data");
        }
        else
        {
            settings["Recommender:Mode"] = nameof(StorageMode.Azure);
            settings["Recommender:Azure:CosmosConnectionString"] = Emulators.CosmosConnectionString;
            settings["Recommender:Azure:StorageConnectionString"] = Emulators.StorageConnectionString;
            settings["Recommender:Azure:CosmosDatabase"] = name;
            settings["Recommender:Azure:BlobContainer"] = name;
            settings["Recommender:Azure:CreateResourcesIfMissing"] = "true";
        }

        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = directory, EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(url);
        builder.AddRecommender();
        configureServices?.Invoke(builder.Services);
        if (store == StoreKind.Cosmos)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton<IWorkQueue>(sp => new Domain.Ports.Telemetry.MeteredWorkQueue(
                new PrefixedWorkQueue(new StorageQueueWorkQueue(sp.GetRequiredService<QueueServiceClient>()), QueuePrefix(name)))));
        }

        var app = builder.Build();
        app.MapRecommender();
        var benchApp = new BenchApp(app, store, name, directory);
        try
        {
            await app.StartAsync(cancellationToken);
            if (store == StoreKind.Cosmos)
            {
                var queues = app.Services.GetRequiredService<QueueServiceClient>();
                foreach (var queue in Queues.All)
                {
                    await queues.CreateQueueAsync(QueuePrefix(name) + queue, cancellationToken: cancellationToken);
                }
            }

            return benchApp;
        }
        catch
        {
            await benchApp.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_store == StoreKind.Cosmos)
            {
                using (await _app.Services.GetRequiredService<CosmosClient>().GetDatabase(_name).DeleteStreamAsync())
                {
                }

                await _app.Services.GetRequiredService<BlobContainerClient>().DeleteIfExistsAsync();
                var queues = _app.Services.GetRequiredService<QueueServiceClient>();
                foreach (var queue in Queues.All)
                {
                    await queues.GetQueueClient(QueuePrefix(_name) + queue).DeleteIfExistsAsync();
                }
            }

            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string QueuePrefix(string name) => name + "-";
}
