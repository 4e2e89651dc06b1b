namespace Recommender.Models.Evaluation;

/// <summary>
/// What the beyond-accuracy metrics need from the training split, computed once per split: each
/// item's distinct users and the number of distinct user-item pairs (Recommenders treats
/// <c>train_df</c> as free of duplicates, so repeats are collapsed here).
/// </summary>
public sealed class TrainingStatistics
{
    private readonly Dictionary<string, int[]> _itemUsers;
    private readonly Dictionary<(string, string), double> _cosineCache = [];

    public TrainingStatistics(IReadOnlyList<Interaction> train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var userIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var pairs = new Dictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        foreach (var interaction in train)
        {
            if (!userIndex.TryGetValue(interaction.User, out var u))
            {
                u = userIndex.Count;
                userIndex[interaction.User] = u;
            }

            if (!pairs.TryGetValue(interaction.Item, out var users))
            {
                users = [];
                pairs[interaction.Item] = users;
            }

            users.Add(u);
        }

        _itemUsers = pairs.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        DistinctPairs = _itemUsers.Values.Sum(u => u.Length);
    }

    /// <summary>Distinct items in training (the denominator of catalog coverage).</summary>
    public int ItemCount => _itemUsers.Count;

    /// <summary>Distinct user-item pairs in training (the denominator of an item's choice probability).</summary>
    public int DistinctPairs { get; }

    /// <summary>Distinct training users of <paramref name="item"/> (0 when unknown).</summary>
    public int Frequency(string item) => _itemUsers.TryGetValue(item, out var users) ? users.Length : 0;

    /// <summary>
    /// Co-occurrence cosine c(i, j) / √(c(i) · c(j)) — Recommenders' default
    /// <c>item_sim_measure="item_cooccurrence_count"</c> for diversity; 0 for items that never co-occur.
    /// </summary>
    public double CooccurrenceCosine(string itemI, string itemJ)
    {
        var key = string.CompareOrdinal(itemI, itemJ) <= 0 ? (itemI, itemJ) : (itemJ, itemI);
        if (_cosineCache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var value = 0.0;
        if (_itemUsers.TryGetValue(itemI, out var a) && _itemUsers.TryGetValue(itemJ, out var b))
        {
            var both = 0;
            for (int x = 0, y = 0; x < a.Length && y < b.Length;)
            {
                if (a[x] == b[y])
                {
                    both++;
                    x++;
                    y++;
                }
                else if (a[x] < b[y])
                {
                    x++;
                }
                else
                {
                    y++;
                }
            }

            value = both / Math.Sqrt((double)a.Length * b.Length);
        }

        _cosineCache[key] = value;
        return value;
    }
}
