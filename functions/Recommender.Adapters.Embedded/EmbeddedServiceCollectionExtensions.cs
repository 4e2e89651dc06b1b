using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Embedded;

/// <summary>Registers the embedded (SQLite + file system) implementations of the storage ports.</summary>
public static class EmbeddedServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IDocumentStore"/>, <see cref="IBlobStore"/> and <see cref="IWorkQueue"/>
    /// as singletons keeping their data in <paramref name="dataDirectory"/>
    /// (<c>recommender.db</c> and <c>blobs/</c>), and <see cref="TimeProvider.System"/> unless a
    /// <see cref="TimeProvider"/> is already registered (the queue's visibility and the documents'
    /// time-to-live run on it).
    /// </summary>
    public static IServiceCollection AddEmbeddedAdapters(this IServiceCollection services, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);

        var options = new EmbeddedOptions { DataDirectory = Path.GetFullPath(dataDirectory) };
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<IDocumentStore>(sp => new SqliteDocumentStore(sp.GetRequiredService<EmbeddedOptions>().DatabasePath, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IBlobStore>(sp => new FileSystemBlobStore(sp.GetRequiredService<EmbeddedOptions>().BlobsDirectory, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IWorkQueue>(sp => new SqliteWorkQueue(sp.GetRequiredService<EmbeddedOptions>().DatabasePath, sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
