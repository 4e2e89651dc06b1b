using Recommender.Functions.Endpoints;

namespace Recommender.Functions.Tests;

/// <summary>
/// The ring of kept answers' written items (<see cref="RenderedItems"/>): what it gives back is exactly what was kept
/// for that answer, or nothing — after the ring turned, after another answer took the slot, under concurrent writers.
/// </summary>
public class RenderedItemsTests
{
    private static byte[] BytesOf(long answer, int length) =>
        [.. Enumerable.Range(0, length).Select(i => (byte)((answer * 31) + i))];

    private static byte[]? Read(RenderedItems rendered, long answer)
    {
        var destination = new byte[RenderedItems.MaxEntryBytes];
        var length = rendered.TryCopy(answer, destination);
        return length < 0 ? null : destination[..length];
    }

    [Fact]
    public void WhatIsKept_IsGivenBackForItsAnswerOnly()
    {
        var rendered = new RenderedItems(capacityBytes: 64 * 1024, chunkBytes: 16 * 1024);
        Assert.Null(Read(rendered, 1)); // nothing kept yet
        Assert.Equal(0, rendered.AllocatedBytes); // arrays come as the ring reaches them

        rendered.Add(1, BytesOf(1, 300));
        rendered.Add(2, BytesOf(2, 2000));

        Assert.Equal(BytesOf(1, 300), Read(rendered, 1));
        Assert.Equal(BytesOf(2, 2000), Read(rendered, 2));
        Assert.Null(Read(rendered, 3));
        Assert.Equal(16 * 1024, rendered.AllocatedBytes);
        Assert.Equal(-1, rendered.TryCopy(2, new byte[1999])); // a destination too short gets nothing

        // Never kept: empty, or longer than an entry may be (written each time instead).
        rendered.Add(4, []);
        rendered.Add(5, new byte[RenderedItems.MaxEntryBytes + 1]);
        Assert.Null(Read(rendered, 4));
        Assert.Null(Read(rendered, 5));
    }

    [Fact]
    public void WhenTheRingTurns_TheOverwrittenAnswersAreGone_AndEveryOtherReadsBackExactly()
    {
        const int Chunk = 4 * 1024;
        var rendered = new RenderedItems(capacityBytes: 4 * Chunk, chunkBytes: Chunk);
        var lengths = new Dictionary<long, int>();
        for (long answer = 1; answer <= 200; answer++)
        {
            var length = 100 + (int)(answer * 37 % 900); // entries that do not divide the arrays evenly: some skip to the next array
            rendered.Add(answer, BytesOf(answer, length));
            lengths[answer] = length;
        }

        Assert.Equal(4 * Chunk, rendered.AllocatedBytes); // bounded: the ring never grows past its arrays
        var kept = lengths.Keys.Where(a => Read(rendered, a) is not null).ToList();
        Assert.All(kept, a => Assert.Equal(BytesOf(a, lengths[a]), Read(rendered, a)));
        Assert.Contains(200L, kept); // the latest are kept
        Assert.DoesNotContain(1L, kept); // the first were overwritten
        Assert.InRange(kept.Count, 15, 60); // about the ring's worth of ~550-byte entries (16 KB)
        Assert.Equal(kept.Count, kept.Max() - kept.Min() + 1); // the latest ones, with no hole
    }

    [Fact]
    public void AnAnswerWhoseSlotAnotherTook_IsGone()
    {
        var rendered = new RenderedItems(capacityBytes: 1024 * 1024, chunkBytes: 1024 * 1024); // 1,024 slots
        rendered.Add(7, BytesOf(7, 50));
        rendered.Add(7 + 1024, BytesOf(7 + 1024, 60)); // the same slot

        Assert.Null(Read(rendered, 7));
        Assert.Equal(BytesOf(7 + 1024, 60), Read(rendered, 7 + 1024));
    }

    [Fact]
    public async Task UnderConcurrentWritersAndReaders_AReadIsItsAnswersBytesOrNothing()
    {
        // A small ring that turns hundreds of times, answers that share slots: every interleaving of writers and readers
        // the scheduler produces must still give each reader its own answer's bytes or nothing (what fails is the assertion, never a timing).
        var rendered = new RenderedItems(capacityBytes: 8 * 1024, chunkBytes: 2 * 1024);
        var wrong = 0;
        var hits = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            var destination = new byte[RenderedItems.MaxEntryBytes];
            for (var i = 0; i < 20_000; i++)
            {
                long answer = 1 + (i % 3000);
                var length = 64 + (int)(answer % 700);
                if ((i + worker) % 2 == 0)
                {
                    rendered.Add(answer, BytesOf(answer, length));
                }

                var read = rendered.TryCopy(answer, destination);
                if (read >= 0)
                {
                    Interlocked.Increment(ref hits);
                    if (read != length || !destination.AsSpan(0, read).SequenceEqual(BytesOf(answer, length)))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            }
        })));

        Assert.Equal(0, wrong);
        Assert.True(hits > 0);
    }
}
