using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Ports;

namespace Recommender.Domain.Ports.Telemetry;

/// <summary>
/// Counts the calls made to the storage ports — <see cref="IDocumentStore"/>, <see cref="IBlobStore"/>
/// and <see cref="IWorkQueue"/> — where they are made: <see cref="AddStorageMetering"/> wraps whatever
/// adapter set is registered in <see cref="MeteredDocumentStore"/>, <see cref="MeteredBlobStore"/> and
/// <see cref="MeteredWorkQueue"/>, and each call that reaches the adapter adds one to
/// <see cref="RecommenderTelemetry.StorageCalls"/> (<c>recommender.storage.calls</c>) — and to the
/// <see cref="StorageCallTally"/> of the flow making it, if it opened one. Nobody counts by hand: what
/// a cache above a port answers (the catalog snapshot, a served list) is no call, and a new store call
/// anywhere is counted without an edit.
/// </summary>
/// <remarks>
/// One call is one call to the port, whatever the adapter does with it: a Cosmos DB increment of more than
/// 10 paths is sent as several patch requests, a partition read as several pages, and the embedded store
/// may answer a shared read (<see cref="ISharedDocuments"/>) from its own memory — each counts once. Tags are
/// the port, the operation and, for documents, the collection: closed vocabularies, never a document id or
/// a blob name (those can name a customer).
/// </remarks>
public static class StorageMetering
{
    /// <summary>The counter's name (<see cref="RecommenderTelemetry.StorageCalls"/>).</summary>
    public const string InstrumentName = "recommender.storage.calls";

    /// <summary>The values of <see cref="RecommenderTelemetry.Tags.Port"/>.</summary>
    public static class Ports
    {
        public const string Documents = "documents";
        public const string Blobs = "blobs";
        public const string Queues = "queues";
    }

    /// <summary>
    /// Wraps the registered <see cref="IDocumentStore"/>, <see cref="IBlobStore"/> and <see cref="IWorkQueue"/>
    /// (the last registration of each, whatever its lifetime and form) in their metering decorators; a port
    /// not registered yet is left alone, and a port wrapped already is not wrapped twice. Call it after the
    /// adapter set (<see cref="DomainServices.AddRecommenderDomain"/> does). The decorators dispose the
    /// adapter they wrap when the container created it.
    /// </summary>
    public static IServiceCollection AddStorageMetering(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Decorate<IDocumentStore>(services, static (inner, owned) => new MeteredDocumentStore(inner, owned));
        Decorate<IBlobStore>(services, static (inner, owned) => new MeteredBlobStore(inner, owned));
        Decorate<IWorkQueue>(services, static (inner, owned) => new MeteredWorkQueue(inner, owned));
        return services;
    }

    /// <summary>Counts one call: on the meter when anyone listens, and on the flow's tallies.</summary>
    internal static void Record(string port, string operation, string? collection = null)
    {
        if (RecommenderTelemetry.StorageCalls.Enabled)
        {
            var tags = new TagList
            {
                { RecommenderTelemetry.Tags.Port, port },
                { RecommenderTelemetry.Tags.Operation, operation },
            };
            if (collection is not null)
            {
                tags.Add(RecommenderTelemetry.Tags.Collection, collection);
            }

            RecommenderTelemetry.StorageCalls.Add(1, tags);
        }

        StorageCallTally.Record();
    }

    /// <summary>Disposes a decorator's adapter when the decorator owns it (the container created it).</summary>
    internal static void DisposeOwned(object inner, bool owned)
    {
        if (owned && inner is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary><see cref="DisposeOwned"/>, asynchronously when the adapter can.</summary>
    internal static ValueTask DisposeOwnedAsync(object inner, bool owned)
    {
        if (owned && inner is IAsyncDisposable asyncDisposable)
        {
            return asyncDisposable.DisposeAsync();
        }

        DisposeOwned(inner, owned);
        return ValueTask.CompletedTask;
    }

    /// <summary>A sequence whose enumeration counts as one call when it starts (a partition read, a blob listing).</summary>
    internal static IAsyncEnumerable<T> CountedWhenEnumerated<T>(IAsyncEnumerable<T> inner, string port, string operation, string? collection = null) =>
        new CountedSequence<T>(inner, port, operation, collection);

    private sealed class CountedSequence<T>(IAsyncEnumerable<T> inner, string port, string operation, string? collection) : IAsyncEnumerable<T>
    {
        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            Record(port, operation, collection);
            return inner.GetAsyncEnumerator(cancellationToken);
        }
    }

    private static void Decorate<T>(IServiceCollection services, Func<T, bool, T> wrap) where T : class
    {
        var index = -1;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(T) && !services[i].IsKeyedService)
            {
                index = i;
                break;
            }
        }

        if (index < 0 || services[index].ImplementationInstance is IMeteredPort || services[index].ImplementationFactory?.Target is IMeteredRegistration)
        {
            return;
        }

        var registration = services[index];
        if (registration.ImplementationInstance is T instance)
        {
            // An instance registered whole is the registrant's to dispose, not the container's.
            services[index] = new ServiceDescriptor(typeof(T), wrap(instance, false));
            return;
        }

        var create = registration.ImplementationFactory
            ?? (sp => ActivatorUtilities.CreateInstance(sp, registration.ImplementationType!));
        services[index] = new ServiceDescriptor(typeof(T), new MeteredRegistration<T>(create, wrap).Create, registration.Lifetime);
    }

    private interface IMeteredRegistration;

    /// <summary>The factory of a wrapped registration: the adapter's factory, then the decorator (which owns what it wraps).</summary>
    private sealed class MeteredRegistration<T>(Func<IServiceProvider, object> create, Func<T, bool, T> wrap) : IMeteredRegistration where T : class
    {
        public object Create(IServiceProvider services) => wrap((T)create(services), true);
    }
}

/// <summary>Marks the metering decorators.</summary>
internal interface IMeteredPort;
