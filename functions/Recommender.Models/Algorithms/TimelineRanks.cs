namespace Recommender.Models.Algorithms;

/// <summary>
/// Each user's distinct items ranked by time: rank 0 is the item the user touched first (by its
/// latest interaction; ties by item index, so the ranks depend only on the data). Aligned with
/// <see cref="UserItemMatrix.ItemsOf"/>: <c>RanksOf(u)[p]</c> is the rank of <c>ItemsOf(u)[p]</c>.
/// </summary>
internal sealed class TimelineRanks
{
    private readonly int[] _ranks;
    private readonly int[] _start;

    private TimelineRanks(int[] ranks, int[] start, int longest)
    {
        _ranks = ranks;
        _start = start;
        Longest = longest;
    }

    /// <summary>The most items any user has (ranks are below it).</summary>
    public int Longest { get; }

    public ReadOnlySpan<int> RanksOf(int user) => _ranks.AsSpan(_start[user], _start[user + 1] - _start[user]);

    public static TimelineRanks Of(IReadOnlyList<Interaction> interactions, UserItemMatrix matrix)
    {
        var start = matrix.UserStart;
        var latest = new long[matrix.NonZeros];
        Array.Fill(latest, long.MinValue);
        foreach (var interaction in interactions)
        {
            var u = matrix.UserIndex[interaction.User];
            var at = start[u] + matrix.ItemsOf(u).BinarySearch(matrix.ItemIndex[interaction.Item]);
            latest[at] = Math.Max(latest[at], interaction.At.UtcTicks);
        }

        var ranks = new int[matrix.NonZeros];
        var longest = 0;
        for (var u = 0; u < matrix.UserCount; u++)
        {
            var count = start[u + 1] - start[u];
            longest = Math.Max(longest, count);
            var order = new int[count];
            for (var p = 0; p < count; p++)
            {
                order[p] = p;
            }

            // Positions are in item-index order: ties in time put the lower item index first.
            var offset = start[u];
            Array.Sort(order, (x, y) => latest[offset + x] != latest[offset + y] ? latest[offset + x].CompareTo(latest[offset + y]) : x.CompareTo(y));
            for (var r = 0; r < count; r++)
            {
                ranks[start[u] + order[r]] = r;
            }
        }

        return new TimelineRanks(ranks, start, longest);
    }
}
