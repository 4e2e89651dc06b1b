using System.Collections.Concurrent;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// Remembers, across batches, how many events each source (session, else device, else customer)
/// sent in the current and the previous minute of event time, and estimates the last 60 seconds as a
/// sliding window (previous minute pro rata + current minute). Per process: a source whose events
/// reach several instances is judged by each on its share (the batch check in
/// <see cref="BotDetector.TooFast"/> still applies in full).
/// </summary>
/// <remarks>
/// Memory is bounded whatever the number of sources. A source not seen for <see cref="IdleAfter"/> of
/// wall-clock time (<see cref="TimeProvider"/>) is dropped by a sweep that runs at most once every
/// <see cref="SweepEvery"/>, on the next <see cref="Record"/>; by then its window no longer adds to any
/// judgement of live traffic (a source that comes back starts afresh). Past <c>maxSources</c> live
/// sources (default <see cref="MaxSources"/>), the least busy are dropped down to nine tenths of it, so a
/// flood of new sources costs one sort per tenth of the capacity, not one per event.
/// </remarks>
public sealed class VelocityTracker
{
    public const int MaxSources = 200_000;

    /// <summary>A source idle (in wall-clock time) this long is forgotten at the next sweep.</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(3);

    /// <summary>Idle sources are looked for at most this often.</summary>
    public static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly int _maxSources;
    private readonly Lock _sweepLock = new();
    private long _lastSweepTicks;

    private sealed class Window
    {
        public long Minute;
        public int Current;
        public int Previous;
        /// <summary>Wall-clock ticks of the last event recorded.</summary>
        public long LastSeenTicks;
        /// <summary>Set (under the window's lock) when a sweep removed it: a recorder holding it takes a fresh one.</summary>
        public bool Removed;
    }

    /// <summary>On the system clock.</summary>
    public VelocityTracker()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Idle sources are judged by <paramref name="timeProvider"/>.</summary>
    public VelocityTracker(TimeProvider timeProvider)
        : this(timeProvider, MaxSources)
    {
    }

    internal VelocityTracker(TimeProvider timeProvider, int maxSources)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSources, 10);
        _timeProvider = timeProvider;
        _maxSources = maxSources;
        _lastSweepTicks = timeProvider.GetUtcNow().UtcTicks;
    }

    /// <summary>How many sources are remembered now.</summary>
    public int Sources => _windows.Count;

    /// <summary>Counts the events and returns the sources now over <paramref name="maxPerMinute"/>.</summary>
    public HashSet<string> Record(IEnumerable<(string Source, DateTimeOffset At)> events, int maxPerMinute = BotDetector.MaxEventsPerMinute)
    {
        var now = _timeProvider.GetUtcNow().UtcTicks;
        var over = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (source, at) in events.OrderBy(e => e.At))
        {
            if (source.Length == 0)
            {
                continue;
            }

            var minute = at.ToUnixTimeSeconds() / 60;
            while (true)
            {
                var window = _windows.GetOrAdd(source, static (_, m) => new Window { Minute = m }, minute);
                lock (window)
                {
                    if (window.Removed)
                    {
                        continue; // swept between the lookup and the lock: count in a fresh window
                    }

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

                    window.LastSeenTicks = now;
                    var elapsed = at.ToUnixTimeSeconds() % 60 / 60.0;
                    if (window.Current + window.Previous * (1 - elapsed) > maxPerMinute)
                    {
                        over.Add(source);
                    }
                }

                break;
            }
        }

        if (now - Interlocked.Read(ref _lastSweepTicks) >= SweepEvery.Ticks || _windows.Count > _maxSources)
        {
            Sweep(now);
        }

        return over;
    }

    /// <summary>Drops the idle sources, then, still over capacity, the least busy down to nine tenths of it.</summary>
    private void Sweep(long now)
    {
        if (!_sweepLock.TryEnter())
        {
            return; // another recorder is sweeping
        }

        try
        {
            Interlocked.Exchange(ref _lastSweepTicks, now);
            var idleBefore = now - IdleAfter.Ticks;
            foreach (var (source, window) in _windows)
            {
                if (Volatile.Read(ref window.LastSeenTicks) < idleBefore)
                {
                    TryRemove(source, window, w => w.LastSeenTicks < idleBefore);
                }
            }

            if (_windows.Count > _maxSources)
            {
                var keep = _maxSources - _maxSources / 10;
                var quietest = _windows.Select(kv => (kv.Key, kv.Value, Busy: kv.Value.Current + kv.Value.Previous))
                    .OrderBy(w => w.Busy).ThenBy(w => w.Value.LastSeenTicks)
                    .Take(_windows.Count - keep).ToList();
                foreach (var (source, window, _) in quietest)
                {
                    TryRemove(source, window, _ => true);
                }
            }
        }
        finally
        {
            _sweepLock.Exit();
        }
    }

    private void TryRemove(string source, Window window, Func<Window, bool> stillDroppable)
    {
        lock (window)
        {
            if (!window.Removed && stillDroppable(window) && _windows.TryRemove(KeyValuePair.Create(source, window)))
            {
                window.Removed = true;
            }
        }
    }
}
