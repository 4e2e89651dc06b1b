using System.Diagnostics.Metrics;
using Recommender.Domain.Telemetry;

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
        _listener.SetMeasurementEventCallback<long>(static (_, value, _, _) =>
        {
            if (Current.Value is { } calls)
            {
                calls.Add(value);
            }
        });
        _listener.Start();
    }

    /// <summary>Counts this flow's storage calls from now on (until the next <see cref="Count"/> on it).</summary>
    public static Calls Count() => Current.Value = new Calls();

    public void Dispose() => _listener.Dispose();

    /// <summary>The calls counted so far.</summary>
    public sealed class Calls
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        internal void Add(long n) => Interlocked.Add(ref _value, n);
    }
}
