namespace Recommender.Models.Evaluation;

/// <summary>
/// The users to evaluate on one split and each user's relevant items.
/// <list type="bullet">
/// <item>Relevant items are the user's distinct held-out items: several interactions of a user with
/// one item are one relevant item.</item>
/// <item>With seen items removed, a held-out item the user already has in training is not
/// relevant (the model is not allowed to return it, so counting it would only cap every algorithm's
/// recall by the share of repeats in the split); a user left with no relevant item is not evaluated.
/// With seen items kept, every held-out item is relevant, repeats included.</item>
/// </list>
/// </summary>
public sealed class EvaluationSet
{
    private EvaluationSet(DataSplit split, bool excludeSeen, IReadOnlyList<EvaluatedUser> users, TrainingStatistics statistics)
    {
        Split = split;
        ExcludeSeen = excludeSeen;
        Users = users;
        Statistics = statistics;
    }

    public DataSplit Split { get; }

    public bool ExcludeSeen { get; }

    /// <summary>Evaluated users in ordinal order of their ids.</summary>
    public IReadOnlyList<EvaluatedUser> Users { get; }

    public TrainingStatistics Statistics { get; }

    public static EvaluationSet Create(DataSplit split, bool excludeSeen)
    {
        ArgumentNullException.ThrowIfNull(split);
        var seen = split.Train
            .GroupBy(i => i.User, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(i => i.Item).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var users = new List<EvaluatedUser>();
        foreach (var group in split.Test.GroupBy(i => i.User, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var relevant = group.Select(i => i.Item).ToHashSet(StringComparer.Ordinal);
            if (excludeSeen && seen.TryGetValue(group.Key, out var had))
            {
                relevant.ExceptWith(had);
            }

            if (relevant.Count > 0)
            {
                users.Add(new EvaluatedUser(group.Key, relevant));
            }
        }

        return new EvaluationSet(split, excludeSeen, users, new TrainingStatistics(split.Train));
    }
}

/// <summary>A test user and the items that count as hits.</summary>
public sealed record EvaluatedUser(string User, IReadOnlySet<string> Relevant);
