using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Ports;

namespace Recommender.Functions.Tests.Faults;

public static class FaultInjectionExtensions
{
    /// <summary>Wraps the registered document store, blob store and work queue so <paramref name="faults"/> can crash them.</summary>
    public static IServiceCollection AddFaultInjection(this IServiceCollection services, FaultInjector faults)
    {
        services.AddSingleton(faults);
        Decorate<IDocumentStore>(services, inner => new FaultInjectingDocumentStore(inner, faults));
        Decorate<IBlobStore>(services, inner => new FaultInjectingBlobStore(inner, faults));
        Decorate<IWorkQueue>(services, inner => new FaultInjectingWorkQueue(inner, faults));
        return services;
    }

    internal static void Decorate<T>(IServiceCollection services, Func<T, T> wrap) where T : class
    {
        var registration = services.Last(d => d.ServiceType == typeof(T));
        var factory = registration.ImplementationFactory
            ?? throw new InvalidOperationException($"{typeof(T).Name} is expected to be registered by a factory");
        services.Remove(registration);
        services.AddSingleton(sp => wrap((T)factory(sp)));
    }
}
