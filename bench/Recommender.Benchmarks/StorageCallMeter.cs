using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Benchmarks;

/// <summary>
/// Reads the app's storage-call counter (<c>recommender.storage.calls</c>, which the decorators over the
/// storage ports add to on every call: <see cref="StorageMetering"/>) with a <see cref="MeterListener"/>,
/// and sums the calls made by the work inside <see cref="Count"/> — on that asynchronous flow and the
/// flows it starts — so that what the app does meanwhile on its own (its scheduler's timers) is not counted.
/// </summary>
public sealed class StorageCallMeter : IDisposable
{
    private static readonly AsyncLocal<Calls?> Current = new();
    private readonly MeterListener _listener = new();

    public StorageCallMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RecommenderTelemetry.Name && instrument.Name == StorageMetering.InstrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        // Called on the thread (and flow) that made the storage call.
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, _) =>
        {
            if (Current.Value is { } calls)
            {
                calls.Add(value);
                if (calls.ByOperation is { } byOperation)
                {
                    byOperation.AddOrUpdate(KeyOf(tags), value, (_, n) => n + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Counts this flow's storage calls from now on (until the next <see cref="Count"/> on it).</summary>
    public static Calls Count(bool byOperation = false) => Current.Value = new Calls(byOperation);

    /// <summary>"port operation collection", as the decorators tag a call.</summary>
    private static string KeyOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? port = null, operation = null, collection = null;
        foreach (var (key, value) in tags)
        {
            switch (key)
            {
                case RecommenderTelemetry.Tags.Port: port = value as string; break;
                case RecommenderTelemetry.Tags.Operation: operation = value as string; break;
                case RecommenderTelemetry.Tags.Collection: collection = value as string; break;
            }
        }

        return collection is null ? $"{port} {operation}" : $"{port} {operation} {collection}";
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>The calls counted so far.</summary>
    public sealed class Calls(bool byOperation)
    {
        private long _value;

        /// <summary>The calls by port, operation and collection, when asked for (<see cref="Count"/>).</summary>
        public ConcurrentDictionary<string, long>? ByOperation { get; } = byOperation ? new(StringComparer.Ordinal) : null;

        public long Value => Interlocked.Read(ref _value);

        internal void Add(long n) => Interlocked.Add(ref _value, n);
    }
}
