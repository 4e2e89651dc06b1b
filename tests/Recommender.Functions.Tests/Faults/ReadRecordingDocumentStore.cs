using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Ports;

namespace Recommender.Functions.Tests.Faults;

/// <summary>An <see cref="IDocumentStore"/> that records every point read (collection/partition/id) it passes on: what a request read.</summary>
public sealed class ReadRecordingDocumentStore(IDocumentStore inner) : DelegatingDocumentStore(inner)
{
    private readonly ConcurrentQueue<string> _reads = new();

    /// <summary>The point reads since the last <see cref="Clear"/>, as <c>collection/partitionKey/id</c>.</summary>
    public IReadOnlyList<string> Reads => [.. _reads];

    public void Clear() => _reads.Clear();

    /// <summary>Wraps the registered document store; the recorder is registered too, for the test to read.</summary>
    public static void AddTo(IServiceCollection services)
    {
        FaultInjectionExtensions.Decorate<IDocumentStore>(services, inner => new ReadRecordingDocumentStore(inner));
        services.AddSingleton(sp => (ReadRecordingDocumentStore)sp.GetRequiredService<IDocumentStore>());
    }

    public override Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default)
    {
        _reads.Enqueue($"{collection}/{partitionKey}/{id}");
        return base.ReadAsync(collection, partitionKey, id, cancellationToken);
    }
}
