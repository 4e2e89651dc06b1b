namespace Recommender.Functions.Tests;

/// <summary>
/// A list that threads may add to while a test reads it: every call takes one lock, and a test reads
/// a <see cref="Snapshot"/>. OpenTelemetry's in-memory exporters need it: an <c>ActivityListener</c>
/// is process-wide, so a test's tracer provider also records the spans of tests running beside it,
/// and such a span may still be added while the test enumerates what was recorded (a plain
/// <see cref="List{T}"/> then throws "Collection was modified").
/// </summary>
public sealed class SharedList<T> : ICollection<T>
{
    private readonly List<T> _items = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    /// <summary>What was added so far, copied under the lock.</summary>
    public T[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        lock (_gate)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (_gate)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_gate)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_gate)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
