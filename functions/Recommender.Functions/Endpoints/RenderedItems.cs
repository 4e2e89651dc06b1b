using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// The written <c>items</c> arrays of kept answers (<see cref="Domain.Recommendations.RecommendationResponse.KeptAnswer"/>),
/// by answer id, so that an answer served again is one copy instead of ten items written again. A kept answer is the
/// same items shown with the same catalog instance, so its bytes are the same for as long as its id is served; a
/// change to the list, the catalog or the customer's signals keeps a new answer under a new id, and the old bytes are
/// never looked up again.
/// <para>
/// Why not keep the bytes with the answer: every first serve then hung a new array on an old cached list, and the
/// collector's pauses in the rounds that first serve the lists were the serving benchmark's tail (docs/benchmarks.md,
/// "first serves"). Why not write each item from cached fragments every time: ten items' lookups in cold memory cost
/// about 8 µs per answer in a profile under load, the largest single cost of the request. Here the bytes live in a ring
/// of large arrays that hold no references (the collector never traces into them, nothing is promoted), allocated as
/// the ring first fills, up to <see cref="CapacityBytes"/> (<c>Recommender:RenderedItemsMegabytes</c>), then overwritten
/// oldest first; an index of fixed slots maps an answer id to its bytes. One per app (a singleton; absent when the
/// setting is 0).
/// </para>
/// <para>
/// Lock-free: a writer reserves its range by advancing <see cref="_next"/> before it writes, then publishes the slot
/// under the slot's sequence number (odd while it is written). A reader copies the bytes out and keeps them only if,
/// after the copy, the slot still names the answer with the same sequence number and no writer has reserved past the
/// range's place in the ring — so a reader never returns bytes another answer overwrote, whatever the interleaving.
/// </para>
/// <para>
/// What is kept: products' public fields, scores and reason texts, with no customer id; an entry can only be reached
/// through its answer id, which lives with the customer's cached list (dropped with it by an erasure), and its bytes
/// are overwritten as the ring turns, as the collector's freed memory is.
/// </para>
/// </summary>
internal sealed class RenderedItems
{
    /// <summary>The ring's default size (<c>Recommender:RenderedItemsMegabytes</c>): 100,000 customers' 10-item home answers (~2.2 KB each) fit.</summary>
    public const long DefaultCapacityBytes = 256L * 1024 * 1024;

    /// <summary>An answer longer than this is written each time (never the default shapes: 10 items take ~2.2 KB).</summary>
    public const int MaxEntryBytes = 64 * 1024;

    private const int DefaultChunkBytes = 4 * 1024 * 1024;

    private readonly byte[]?[] _chunks;
    private readonly int _chunkBytes;
    private readonly Slot[] _slots;
    private readonly int _slotMask;
    private long _next;

    /// <summary>The encoder the ring's bytes are written with, fixed at first use (boxed: null is the default encoder).</summary>
    private StrongBox<System.Text.Encodings.Web.JavaScriptEncoder?>? _encoder;

    public RenderedItems(long capacityBytes = DefaultCapacityBytes, int chunkBytes = DefaultChunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, chunkBytes);
        var chunks = (int)(capacityBytes / chunkBytes);
        _chunks = new byte[chunks][];
        _chunkBytes = chunkBytes;
        CapacityBytes = (long)chunks * chunkBytes;
        // About one slot per KB of ring (answers are ~2 KB): ids are given out in sequence, so the latest answers take distinct slots.
        var slots = (int)Math.Min(1 << 24, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1024, CapacityBytes / 1024)));
        _slots = new Slot[slots];
        _slotMask = slots - 1;
    }

    /// <summary>
    /// Whether items written with <paramref name="encoder"/> may be kept here: the first encoder used is the ring's (an app
    /// writes every answer with its one JSON options' encoder); items written with another are never kept or given back.
    /// </summary>
    public bool WritesWith(System.Text.Encodings.Web.JavaScriptEncoder? encoder)
    {
        var fixedTo = Volatile.Read(ref _encoder) ?? Interlocked.CompareExchange(ref _encoder, new(encoder), null) ?? _encoder!;
        return ReferenceEquals(fixedTo.Value, encoder);
    }

    /// <summary>The ring's size in bytes (a whole number of its arrays).</summary>
    public long CapacityBytes { get; }

    /// <summary>The bytes allocated so far (arrays are allocated as the ring first reaches them).</summary>
    public long AllocatedBytes => _chunks.Count(c => c is not null) * (long)_chunkBytes;

    /// <summary>Copies the bytes kept for <paramref name="answer"/> into <paramref name="destination"/>; their length, or -1 when none are kept (or they no longer fit).</summary>
    public int TryCopy(long answer, Span<byte> destination)
    {
        ref var slot = ref _slots[answer & _slotMask];
        var sequence = Volatile.Read(ref slot.Sequence);
        if ((sequence & 1) != 0)
        {
            return -1; // being written
        }

        var (id, position, length) = (slot.Answer, slot.Position, slot.Length);
        if (id != answer || length > destination.Length || _chunks[ChunkOf(position)] is not { } chunk || OffsetOf(position) + length > chunk.Length)
        {
            return -1;
        }

        chunk.AsSpan(OffsetOf(position), length).CopyTo(destination);
        Interlocked.MemoryBarrier(); // the copy is done before the checks below read
        return Volatile.Read(ref slot.Sequence) == sequence && Volatile.Read(ref _next) <= position + CapacityBytes ? length : -1;
    }

    /// <summary>Keeps <paramref name="bytes"/> as <paramref name="answer"/>'s (overwriting the oldest bytes of the ring when it is full).</summary>
    public void Add(long answer, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length is 0 or > MaxEntryBytes || bytes.Length > _chunkBytes)
        {
            return;
        }

        long position;
        while (true)
        {
            var next = Volatile.Read(ref _next);
            position = next;
            var inChunk = (int)(position % _chunkBytes);
            if (inChunk + bytes.Length > _chunkBytes)
            {
                position += _chunkBytes - inChunk; // an entry never spans two arrays
            }

            if (Interlocked.CompareExchange(ref _next, position + bytes.Length, next) == next)
            {
                break;
            }
        }

        var index = ChunkOf(position);
        var chunk = Volatile.Read(ref _chunks[index]);
        if (chunk is null)
        {
            // The ring reaches this array for the first time: one array of plain bytes (the large object heap), never traced into.
            Interlocked.CompareExchange(ref _chunks[index], GC.AllocateUninitializedArray<byte>(_chunkBytes), null);
            chunk = Volatile.Read(ref _chunks[index])!;
        }

        bytes.CopyTo(chunk.AsSpan(OffsetOf(position)));
        ref var slot = ref _slots[answer & _slotMask];
        var sequence = Volatile.Read(ref slot.Sequence);
        if ((sequence & 1) != 0 || Interlocked.CompareExchange(ref slot.Sequence, sequence + 1, sequence) != sequence)
        {
            return; // another writer has the slot: this answer is written again next time
        }

        (slot.Answer, slot.Position, slot.Length) = (answer, position, bytes.Length);
        Volatile.Write(ref slot.Sequence, sequence + 2); // publishes the bytes and the slot's fields with it
    }

    private int ChunkOf(long position) => (int)(position / _chunkBytes % _chunks.Length);

    private int OffsetOf(long position) => (int)(position % _chunkBytes);

    [StructLayout(LayoutKind.Sequential)]
    private struct Slot
    {
        public int Sequence;
        public int Length;
        public long Answer;
        public long Position;
    }
}
