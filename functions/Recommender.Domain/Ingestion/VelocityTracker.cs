using System.Collections.Concurrent;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// Remembers, across batches, how many events each source (session, else device, else customer)
/// sent in the current and the previous minute of event time, and estimates the last 60 seconds as a
/// sliding window (previous minute pro rata + current minute). Bounded: at most
/// <see cref="MaxSources"/> sources, the idle ones dropped first. Per process: a source whose events
/// reach several instances is judged by each on its share (the batch check in
/// <see cref="BotDetector.TooFast"/> still applies in full).
/// </summary>
public sealed class VelocityTracker
{
    public const int MaxSources = 200_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    private sealed class Window
    {
        public long Minute;
        public int Current;
        public int Previous;
        public long LastSeenMinute;
    }

    /// <summary>Counts the events and returns the sources now over <paramref name="maxPerMinute"/>.</summary>
    public HashSet<string> Record(IEnumerable<(string Source, DateTimeOffset At)> events, int maxPerMinute = BotDetector.MaxEventsPerMinute)
    {
        var over = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (source, at) in events.OrderBy(e => e.At))
        {
            if (source.Length == 0)
            {
                continue;
            }

            var minute = at.ToUnixTimeSeconds() / 60;
            var window = _windows.GetOrAdd(source, _ => new Window { Minute = minute });
            lock (window)
            {
                if (minute > window.Minute)
                {
                    window.Previous = minute == window.Minute + 1 ? window.Current : 0;
                    window.Current = 0;
                    window.Minute = minute;
                }

                if (minute == window.Minute)
                {
                    window.Current++;
                }
                else if (minute == window.Minute - 1)
                {
                    window.Previous++; // a late event of the previous minute
                }

                window.LastSeenMinute = Math.Max(window.LastSeenMinute, minute);
                var elapsed = at.ToUnixTimeSeconds() % 60 / 60.0;
                if (window.Current + window.Previous * (1 - elapsed) > maxPerMinute)
                {
                    over.Add(source);
                }
            }
        }

        if (_windows.Count > MaxSources)
        {
            Evict();
        }

        return over;
    }

    private void Evict()
    {
        var newest = _windows.Values.Select(w => w.LastSeenMinute).DefaultIfEmpty().Max();
        foreach (var (source, window) in _windows)
        {
            if (window.LastSeenMinute < newest - 1)
            {
                _windows.TryRemove(source, out _);
            }
        }

        // Still too many live sources: keep the busiest.
        if (_windows.Count > MaxSources)
        {
            foreach (var source in _windows.OrderBy(kv => kv.Value.Current).Take(_windows.Count - MaxSources).Select(kv => kv.Key).ToList())
            {
                _windows.TryRemove(source, out _);
            }
        }
    }
}
