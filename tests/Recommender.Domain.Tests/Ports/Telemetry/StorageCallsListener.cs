using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Domain.Tests.Telemetry;

/// <summary>
/// Listens to <c>recommender.storage.calls</c> and keeps the measurements made on the test's own
/// asynchronous flow only (other tests run in parallel and record on the same static meter).
/// </summary>
internal sealed class StorageCallsListener : IDisposable
{
    private readonly AsyncLocal<bool> _mine = new();
    private readonly MeterListener _listener = new();

    public StorageCallsListener()
    {
        _mine.Value = true;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RecommenderTelemetry.Name && instrument.Name == StorageMetering.InstrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (!_mine.Value)
            {
                return;
            }

            var named = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                named[tag.Key] = tag.Value?.ToString();
            }

            for (var i = 0; i < value; i++)
            {
                Measurements.Enqueue(named);
            }
        });
        _listener.Start();
    }

    /// <summary>One entry per call counted, with its tags.</summary>
    public ConcurrentQueue<Dictionary<string, string?>> Measurements { get; } = new();

    /// <summary>The operations counted on <paramref name="port"/>, in the order they were made.</summary>
    public List<string> Operations(string port) =>
        [.. Measurements.Where(m => m[RecommenderTelemetry.Tags.Port] == port).Select(m => m[RecommenderTelemetry.Tags.Operation] ?? "")];

    public void Dispose() => _listener.Dispose();
}
