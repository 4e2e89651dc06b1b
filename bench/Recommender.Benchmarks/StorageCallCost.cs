using System.Diagnostics;
using System.Text.Json;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Benchmarks;

/// <summary>
/// What counting a storage call costs (<c>ingest --calls</c>): point reads through <see cref="MeteredDocumentStore"/>
/// over a store that answers at once, against the same reads straight to that store, with a <see cref="StorageCallTally"/>
/// open and the benchmark's <see cref="StorageCallMeter"/> listening (as during the ingestion runs). CPU time and
/// allocated bytes per call, the median of five passes.
/// </summary>
public static class StorageCallCost
{
    private const int Calls = 1_000_000;

    public static async Task<(double RawNanoseconds, double RawBytes, double MeteredNanoseconds, double MeteredBytes)> MeasureAsync()
    {
        var inner = new InstantStore();
        IDocumentStore metered = new MeteredDocumentStore(inner);
        var raw = new List<double>();
        var rawBytes = new List<double>();
        var counted = new List<double>();
        var bytes = new List<double>();
        using var tally = StorageCallTally.Start();
        _ = StorageCallMeter.Count();
        for (var pass = 0; pass <= 5; pass++) // pass 0 warms up
        {
            var (rawNs, rawAllocated) = await PassAsync(inner);
            var (meteredNs, meteredBytes) = await PassAsync(metered);
            if (pass > 0)
            {
                raw.Add(rawNs);
                rawBytes.Add(rawAllocated);
                counted.Add(meteredNs);
                bytes.Add(meteredBytes);
            }
        }

        return (Statistics.Median(raw), Statistics.Median(rawBytes), Statistics.Median(counted), Statistics.Median(bytes));
    }

    private static async Task<(double Nanoseconds, double Bytes)> PassAsync(IDocumentStore store)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            _ = await store.ReadAsync("workflows", "p", "id");
        }

        return ((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalNanoseconds / Calls, (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / Calls);
    }

    /// <summary>A store that answers every call at once, from no data.</summary>
    private sealed class InstantStore : IDocumentStore
    {
        private static readonly Task<StoredDocument?> Missing = Task.FromResult<StoredDocument?>(null);

        public Task<StoredDocument?> ReadAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default) => Missing;

        public Task<string> CreateAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<string> ReplaceAsync(string collection, string partitionKey, string id, JsonElement body, string ifMatchETag, DocumentTimeToLive timeToLive,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<string> UpsertAsync(string collection, string partitionKey, string id, JsonElement body, DocumentTimeToLive timeToLive, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<bool> DeleteAsync(string collection, string partitionKey, string id, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<StoredDocument> ReadPartitionAsync(string collection, string partitionKey, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<bool> IncrementAsync(string collection, string partitionKey, string id, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
