using System.Security.Cryptography;

namespace Recommender.Domain.Recommendations;

/// <summary>
/// UUIDv7 values (RFC 9562) for served lists' recommendation ids, without a call into the system's
/// random source per id (<see cref="Guid.CreateVersion7(DateTimeOffset)"/> makes one, a measurable
/// share of a cached request's CPU): the 48-bit Unix millisecond timestamp, then 74 bits that start
/// at a cryptographically random value drawn once per process and count up by one per id — RFC 9562
/// §6.2's "monotonic random" method. Ids are therefore distinct within a process (until 2^74 of them)
/// and collide across processes only as two random 74-bit values would. They stay unguessable enough
/// for what they are for (attribution, which trusts nothing the storefront echoes back beyond its shape).
/// </summary>
public static class ServedListIds
{
    private static readonly ulong SeedLow = RandomUInt64();
    private static readonly ushort SeedHigh = (ushort)(RandomUInt64() & 0x3FF); // 10 more bits: 74 in all
    private static long _sequence;

    public static Guid Next(DateTimeOffset now)
    {
        var sequence = (ulong)Interlocked.Increment(ref _sequence);
        var low = unchecked(SeedLow + sequence);
        var high = (ushort)((SeedHigh + (low < sequence ? 1u : 0u)) & 0x3FF); // carry into the top bits
        var ms = (ulong)now.ToUnixTimeMilliseconds() & 0xFFFF_FFFF_FFFF;

        // Layout: unix_ts_ms (48) | ver 0111 (4) | rand_a (12) | var 10 (2) | rand_b (62); 74 counting bits = rand_a + rand_b.
        var randA = (ushort)(((high << 2) | (ushort)(low >> 62)) & 0xFFF);
        var randB = low & 0x3FFF_FFFF_FFFF_FFFF;
        return new Guid(
            (uint)(ms >> 16),
            (ushort)(ms & 0xFFFF),
            (ushort)(0x7000 | randA),
            (byte)(0x80 | (byte)(randB >> 56)),
            (byte)(randB >> 48),
            (byte)(randB >> 40),
            (byte)(randB >> 32),
            (byte)(randB >> 24),
            (byte)(randB >> 16),
            (byte)(randB >> 8),
            (byte)randB);
    }

    private static ulong RandomUInt64()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }
}
