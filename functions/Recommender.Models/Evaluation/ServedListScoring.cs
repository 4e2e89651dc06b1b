namespace Recommender.Models.Evaluation;

/// <summary>Served lists scored against a split's held-out items.</summary>
/// <param name="Users">Evaluated users (those with relevant items).</param>
/// <param name="Ndcg">Mean nDCG@k.</param>
/// <param name="MapAtK">Mean MAP@k (Recommenders' <c>map_at_k</c>).</param>
/// <param name="Precision">Mean precision@k.</param>
/// <param name="Missing">Evaluated users for whom no list was served (they count as zero).</param>
public sealed record ServedScore(int Users, double Ndcg, double MapAtK, double Precision, int Missing);

/// <summary>
/// What the served benchmark needs besides the splitters: the lists an API returned, scored with
/// the same metrics and the same evaluated users as <see cref="Evaluator"/>, and a data set's
/// timestamps moved into the window the app accepts, order kept.
/// </summary>
public static class ServedListScoring
{
    /// <summary>Scores <paramref name="lists"/> (user → served items, best first) on <paramref name="set"/>'s users; a user without a list scores zero.</summary>
    public static ServedScore Score(IReadOnlyDictionary<string, IReadOnlyList<string>> lists, EvaluationSet set, int k)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(set);
        double ndcg = 0, map = 0, precision = 0;
        var missing = 0;
        foreach (var user in set.Users)
        {
            if (!lists.TryGetValue(user.User, out var list))
            {
                missing++;
                continue;
            }

            ndcg += RankingMetrics.Ndcg(list, user.Relevant, k);
            map += RankingMetrics.AveragePrecision(list, user.Relevant, k, capAtK: true);
            precision += RankingMetrics.Precision(list, user.Relevant, k);
        }

        var n = Math.Max(1, set.Users.Count);
        return new ServedScore(set.Users.Count, ndcg / n, map / n, precision / n, missing);
    }

    /// <summary>
    /// The served lists split by how each was made (<paramref name="groupOf"/>: the user's group, e.g. the response's
    /// source and strategy): each group scored on its own users, so a share of explored lists can be told apart from the
    /// model's. Users without a list are left out (<see cref="Score"/> counts them).
    /// </summary>
    public static IReadOnlyDictionary<string, ServedScore> ScoreBy(
        IReadOnlyDictionary<string, IReadOnlyList<string>> lists, IReadOnlyDictionary<string, string> groupOf, EvaluationSet set, int k)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(groupOf);
        ArgumentNullException.ThrowIfNull(set);
        var users = set.Users.Where(u => lists.ContainsKey(u.User) && groupOf.ContainsKey(u.User)).GroupBy(u => groupOf[u.User], StringComparer.Ordinal);
        return users.ToDictionary(
            g => g.Key,
            g => new ServedScore(
                g.Count(),
                g.Average(u => RankingMetrics.Ndcg(lists[u.User], u.Relevant, k)),
                g.Average(u => RankingMetrics.AveragePrecision(lists[u.User], u.Relevant, k, capAtK: true)),
                g.Average(u => RankingMetrics.Precision(lists[u.User], u.Relevant, k)),
                0),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// Maps every timestamp linearly from the data's own span onto [<paramref name="from"/>, <paramref name="to"/>]:
    /// the order of events (and so every split by time) is unchanged; equal timestamps stay equal.
    /// </summary>
    public static List<Interaction> Rescale(IReadOnlyList<Interaction> interactions, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        if (interactions.Count == 0)
        {
            return [];
        }

        var first = interactions.Min(i => i.At).UtcTicks;
        var last = interactions.Max(i => i.At).UtcTicks;
        var span = Math.Max(1, last - first);
        var target = (to - from).Ticks;
        return interactions.Select(i => i with { At = from.AddTicks((long)((i.At.UtcTicks - first) / (double)span * target)) }).ToList();
    }

    /// <summary>
    /// Cuts <paramref name="interactions"/> at a time: the earlier part holds the first <paramref name="share"/> of them
    /// (0 to 1) by time, with every interaction at the cut's own time (equal timestamps stay together); the later part
    /// holds the rest. Each part keeps the input's order.
    /// </summary>
    public static (List<Interaction> Earlier, List<Interaction> Later) SplitByTime(IReadOnlyList<Interaction> interactions, double share)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentOutOfRangeException.ThrowIfLessThan(share, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(share, 1);
        var count = (int)Math.Round(interactions.Count * share);
        if (count == 0)
        {
            return ([], [.. interactions]);
        }

        var cut = interactions.Select(i => i.At).Order().ElementAt(count - 1);
        return ([.. interactions.Where(i => i.At <= cut)], [.. interactions.Where(i => i.At > cut)]);
    }
}
