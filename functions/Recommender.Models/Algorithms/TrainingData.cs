namespace Recommender.Models.Algorithms;

/// <summary>
/// The training interactions indexed for the algorithms: users and items mapped to dense indices
/// (items in ordinal order of their ids, so indices do not depend on input order), each user's
/// distinct items (sorted) with their decayed affinities, and each item's distinct users.
/// </summary>
internal sealed class TrainingData
{
    private TrainingData(
        string[] items,
        Dictionary<string, int> itemIndex,
        Dictionary<string, int> userIndex,
        int[][] userItems,
        double[][] weightedAffinity,
        double[][] recencyAffinity,
        int[][] itemUsers,
        double latestSeconds)
    {
        Items = items;
        ItemIndex = itemIndex;
        UserIndex = userIndex;
        UserItems = userItems;
        WeightedAffinity = weightedAffinity;
        RecencyAffinity = recencyAffinity;
        ItemUsers = itemUsers;
        LatestSeconds = latestSeconds;
    }

    public string[] Items { get; }

    public Dictionary<string, int> ItemIndex { get; }

    public Dictionary<string, int> UserIndex { get; }

    /// <summary>Per user, the distinct item indices in ascending order.</summary>
    public int[][] UserItems { get; }

    /// <summary>Per user, aligned with <see cref="UserItems"/>: Σ weight · decay(t) over every interaction with the item (SAR's affinity).</summary>
    public double[][] WeightedAffinity { get; }

    /// <summary>Per user, aligned with <see cref="UserItems"/>: decay of the latest interaction with the item (weights and repeats ignored).</summary>
    public double[][] RecencyAffinity { get; }

    /// <summary>Per item, the distinct user indices in ascending order.</summary>
    public int[][] ItemUsers { get; }

    /// <summary>The latest training timestamp (Unix seconds), the reference of every decay.</summary>
    public double LatestSeconds { get; }

    public int ItemCount => Items.Length;

    public static TrainingData Create(IReadOnlyList<Interaction> interactions, TimeSpan? halfLife)
    {
        ArgumentNullException.ThrowIfNull(interactions);

        var latest = double.NegativeInfinity;
        var itemSet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var interaction in interactions)
        {
            latest = Math.Max(latest, TimeDecay.ToSeconds(interaction.At));
            itemSet.Add(interaction.Item);
        }

        var items = itemSet.ToArray();
        Array.Sort(items, StringComparer.Ordinal);
        var itemIndex = new Dictionary<string, int>(items.Length, StringComparer.Ordinal);
        for (var i = 0; i < items.Length; i++)
        {
            itemIndex[items[i]] = i;
        }

        // (user, item) → (Σ w·decay, latest t); users in order of first appearance.
        var userIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var perUser = new List<Dictionary<int, (double Weighted, double LastSeconds)>>();
        foreach (var interaction in interactions)
        {
            if (!userIndex.TryGetValue(interaction.User, out var u))
            {
                u = perUser.Count;
                userIndex[interaction.User] = u;
                perUser.Add([]);
            }

            var item = itemIndex[interaction.Item];
            var seconds = TimeDecay.ToSeconds(interaction.At);
            var weighted = interaction.Weight * TimeDecay.Factor(seconds, latest, halfLife);
            perUser[u][item] = perUser[u].TryGetValue(item, out var current)
                ? (current.Weighted + weighted, Math.Max(current.LastSeconds, seconds))
                : (weighted, seconds);
        }

        var userItems = new int[perUser.Count][];
        var weightedAffinity = new double[perUser.Count][];
        var recencyAffinity = new double[perUser.Count][];
        var itemUserLists = new List<int>[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            itemUserLists[i] = [];
        }

        for (var u = 0; u < perUser.Count; u++)
        {
            var keys = perUser[u].Keys.ToArray();
            Array.Sort(keys);
            userItems[u] = keys;
            weightedAffinity[u] = new double[keys.Length];
            recencyAffinity[u] = new double[keys.Length];
            for (var n = 0; n < keys.Length; n++)
            {
                var (weighted, lastSeconds) = perUser[u][keys[n]];
                weightedAffinity[u][n] = weighted;
                recencyAffinity[u][n] = TimeDecay.Factor(lastSeconds, latest, halfLife);
                itemUserLists[keys[n]].Add(u);
            }
        }

        var itemUsers = itemUserLists.Select(list => list.ToArray()).ToArray();
        return new TrainingData(items, itemIndex, userIndex, userItems, weightedAffinity, recencyAffinity, itemUsers, latest);
    }

    /// <summary>Distinct users per item: SAR's item frequencies (the diagonal of the co-occurrence matrix).</summary>
    public double[] ItemFrequencies()
    {
        var frequencies = new double[ItemCount];
        for (var i = 0; i < ItemCount; i++)
        {
            frequencies[i] = ItemUsers[i].Length;
        }

        return frequencies;
    }
}
