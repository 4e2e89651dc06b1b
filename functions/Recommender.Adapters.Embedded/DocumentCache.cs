using System.Collections.Concurrent;

namespace Recommender.Adapters.Embedded;

/// <summary>The address of one document.</summary>
internal readonly record struct DocumentKey(string Collection, string PartitionKey, string Id);

/// <summary>
/// Deserialized documents of one <see cref="SqliteDocumentStore"/> (and documents known to be
/// missing), at most <see cref="Capacity"/> of them. A lookup takes no lock; adding, evicting and
/// invalidating take one. When full, CLOCK (second chance) picks the entry to drop: one not read
/// since the hand last passed it.
/// <para>
/// Coherence: the store calls <see cref="Invalidate"/> exactly once per write of a document, after
/// the write is committed. A reader that missed asks <see cref="BeginRead"/> for a token before it
/// reads the database, and <see cref="TryAdd"/> keeps what it read only if no write to a key of the
/// same stripe was invalidated since — so a read racing a write never leaves the older version
/// behind. A writer takes its token before writing and adds what it wrote with <c>token + 1</c>:
/// kept only if its own invalidation was the only one since, so no write that may have committed
/// after it (and invalidated after it) can be overtaken.
/// </para>
/// </summary>
internal sealed class DocumentCache
{
    private const int Stripes = 1024;
    private static readonly object Missing = new();

    private readonly ConcurrentDictionary<DocumentKey, Entry> _entries = new();
    private readonly Entry?[] _slots;
    private readonly Stack<int> _free = new();
    private readonly long[] _versions = new long[Stripes];
    private readonly Lock _gate = new();
    private int _used;
    private int _hand;

    public DocumentCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _slots = new Entry?[capacity];
    }

    public int Capacity => _slots.Length;

    public int Count => _entries.Count;

    /// <summary>
    /// True when the key is cached as a <typeparamref name="T"/> (or as missing: <paramref name="value"/>
    /// is then <c>null</c>) and has not expired by <paramref name="now"/> (Unix ms).
    /// </summary>
    public bool TryGet<T>(in DocumentKey key, long now, out T? value)
        where T : class
    {
        if (_entries.TryGetValue(key, out var entry) && now < entry.ExpiresAt && (entry.Value is T || ReferenceEquals(entry.Value, Missing)))
        {
            if (!entry.Referenced)
            {
                entry.Referenced = true;
            }

            value = entry.Value as T;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>The token for <see cref="TryAdd"/>: take it before reading (or writing) the database.</summary>
    public long BeginRead(in DocumentKey key) => Volatile.Read(ref _versions[StripeOf(key)]);

    /// <summary>
    /// Keeps <paramref name="value"/> (<c>null</c>: the document is missing) until <paramref name="expiresAt"/>
    /// (Unix ms; <see cref="long.MaxValue"/>: until a write) if the key's stripe is still at version <paramref name="token"/>.
    /// </summary>
    public void TryAdd(in DocumentKey key, object? value, long expiresAt, long token)
    {
        lock (_gate)
        {
            if (_versions[StripeOf(key)] != token)
            {
                return;
            }

            // Another reader may have added it first (as the same version, or as another type): take its slot.
            var slot = _entries.TryGetValue(key, out var existing) ? existing.Slot : FreeSlot();
            var entry = new Entry(key, value ?? Missing, expiresAt, slot);
            _slots[slot] = entry;
            _entries[key] = entry;
        }
    }

    /// <summary>Forgets the key (call after the write that changed or deleted it).</summary>
    public void Invalidate(in DocumentKey key)
    {
        lock (_gate)
        {
            _versions[StripeOf(key)]++;
            if (_entries.TryRemove(key, out var entry))
            {
                _slots[entry.Slot] = null;
                _free.Push(entry.Slot);
            }
        }
    }

    /// <summary>A free slot, evicting the first entry the clock hand finds unread since its last pass when full (under the lock).</summary>
    private int FreeSlot()
    {
        if (_free.TryPop(out var slot))
        {
            return slot;
        }

        if (_used < _slots.Length)
        {
            return _used++;
        }

        while (true)
        {
            // Full and nothing freed: every slot holds an entry.
            var candidate = _slots[_hand]!;
            slot = _hand;
            _hand = (_hand + 1) % _slots.Length;
            if (candidate.Referenced)
            {
                candidate.Referenced = false;
                continue;
            }

            _entries.TryRemove(candidate.Key, out _);
            return slot;
        }
    }

    private static int StripeOf(in DocumentKey key) => (key.GetHashCode() & int.MaxValue) % Stripes;

    private sealed class Entry(DocumentKey key, object value, long expiresAt, int slot)
    {
        private volatile bool _referenced;

        public DocumentKey Key { get; } = key;
        public object Value { get; } = value;
        /// <summary>Unix ms at which the document expires from the store (and so from here).</summary>
        public long ExpiresAt { get; } = expiresAt;
        public int Slot { get; } = slot;

        /// <summary>Read since the clock hand last passed (set by lookups, cleared by the hand).</summary>
        public bool Referenced
        {
            get => _referenced;
            set => _referenced = value;
        }
    }
}
