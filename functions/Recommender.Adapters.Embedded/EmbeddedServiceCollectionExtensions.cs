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
    /// time-to-live run on it). The document store caches up to <paramref name="documentCacheEntries"/>
    /// deserialized documents (see <see cref="EmbeddedOptions.DocumentCacheEntries"/>).
    /// </summary>
    public static IServiceCollection AddEmbeddedAdapters(this IServiceCollection services, string dataDirectory,
        int documentCacheEntries = EmbeddedOptions.DefaultDocumentCacheEntries)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(documentCacheEntries);

        var options = new EmbeddedOptions { DataDirectory = Path.GetFullPath(dataDirectory), DocumentCacheEntries = documentCacheEntries };
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<IDocumentStore>(sp =>
        {
            var embedded = sp.GetRequiredService<EmbeddedOptions>();
            return new SqliteDocumentStore(embedded.DatabasePath, sp.GetRequiredService<TimeProvider>(), documentCacheEntries: embedded.DocumentCacheEntries);
        });
        services.AddSingleton<IBlobStore>(sp => new FileSystemBlobStore(sp.GetRequiredService<EmbeddedOptions>().BlobsDirectory, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IWorkQueue>(sp => new SqliteWorkQueue(sp.GetRequiredService<EmbeddedOptions>().DatabasePath, sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
