namespace Recommender.Models.Algorithms;

/// <summary>
/// The training interactions as a sparse user × item matrix, in both orientations (rows per user,
/// rows per item), with repeated (user, item) pairs summed. Users and items are numbered in ordinal
/// order of their ids, so every algorithm built on it is independent of the input order.
/// Shared by ALS, EASE, the content model and the re-ranker.
/// </summary>
internal sealed class UserItemMatrix
{
    private UserItemMatrix(
        string[] users, string[] items, int[] userStart, int[] userItems, float[] userValues,
        int[] itemStart, int[] itemUsers, float[] itemValues)
    {
        Users = users;
        Items = items;
        UserIndex = Index(users);
        ItemIndex = Index(items);
        UserStart = userStart;
        UserItems = userItems;
        UserValues = userValues;
        ItemStart = itemStart;
        ItemUsers = itemUsers;
        ItemValues = itemValues;
        PopularityOrder = Enumerable.Range(0, items.Length)
            .OrderByDescending(i => itemStart[i + 1] - itemStart[i])
            .ThenBy(i => i)
            .ToArray();
    }

    public string[] Users { get; }

    public string[] Items { get; }

    public Dictionary<string, int> UserIndex { get; }

    public Dictionary<string, int> ItemIndex { get; }

    /// <summary>Row pointers: the items of user <c>u</c> are <c>UserItems[UserStart[u]..UserStart[u + 1]]</c>, ascending.</summary>
    public int[] UserStart { get; }

    public int[] UserItems { get; }

    /// <summary>Summed interaction weight per (user, item).</summary>
    public float[] UserValues { get; }

    /// <summary>Column pointers: the users of item <c>i</c> are <c>ItemUsers[ItemStart[i]..ItemStart[i + 1]]</c>, ascending.</summary>
    public int[] ItemStart { get; }

    public int[] ItemUsers { get; }

    public float[] ItemValues { get; }

    /// <summary>Item indices by number of distinct users, most popular first (ties by id).</summary>
    public int[] PopularityOrder { get; }

    public int UserCount => Users.Length;

    public int ItemCount => Items.Length;

    public int NonZeros => UserItems.Length;

    public ReadOnlySpan<int> ItemsOf(int user) => UserItems.AsSpan(UserStart[user], UserStart[user + 1] - UserStart[user]);

    public ReadOnlySpan<float> ValuesOf(int user) => UserValues.AsSpan(UserStart[user], UserStart[user + 1] - UserStart[user]);

    public ReadOnlySpan<int> UsersOf(int item) => ItemUsers.AsSpan(ItemStart[item], ItemStart[item + 1] - ItemStart[item]);

    public ReadOnlySpan<float> ValuesOfItem(int item) => ItemValues.AsSpan(ItemStart[item], ItemStart[item + 1] - ItemStart[item]);

    public int Popularity(int item) => ItemStart[item + 1] - ItemStart[item];

    public static UserItemMatrix Build(IReadOnlyList<Interaction> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var users = interactions.Select(i => i.User).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var items = interactions.Select(i => i.Item).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var userIndex = Index(users);
        var itemIndex = Index(items);

        var cells = new Dictionary<long, double>(interactions.Count);
        foreach (var interaction in interactions)
        {
            var key = ((long)userIndex[interaction.User] << 32) | (uint)itemIndex[interaction.Item];
            cells[key] = cells.GetValueOrDefault(key) + interaction.Weight;
        }

        var keys = cells.Keys.Order().ToArray();
        var userStart = new int[users.Length + 1];
        var userItems = new int[keys.Length];
        var userValues = new float[keys.Length];
        var itemCounts = new int[items.Length + 1];
        for (var n = 0; n < keys.Length; n++)
        {
            var user = (int)(keys[n] >> 32);
            var item = (int)(keys[n] & 0xFFFFFFFF);
            userStart[user + 1]++;
            itemCounts[item + 1]++;
            userItems[n] = item;
            userValues[n] = (float)cells[keys[n]];
        }

        for (var u = 0; u < users.Length; u++)
        {
            userStart[u + 1] += userStart[u];
        }

        for (var i = 0; i < items.Length; i++)
        {
            itemCounts[i + 1] += itemCounts[i];
        }

        var itemStart = (int[])itemCounts.Clone();
        var itemUsers = new int[keys.Length];
        var itemValues = new float[keys.Length];
        for (var u = 0; u < users.Length; u++)
        {
            for (var n = userStart[u]; n < userStart[u + 1]; n++)
            {
                var slot = itemCounts[userItems[n]]++;
                itemUsers[slot] = u;
                itemValues[slot] = userValues[n];
            }
        }

        return new UserItemMatrix(users, items, userStart, userItems, userValues, itemStart, itemUsers, itemValues);
    }

    /// <summary>The same users, items and pairs with every value passed through <paramref name="map"/>.</summary>
    public UserItemMatrix MapValues(Func<float, float> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new UserItemMatrix(Users, Items, UserStart, UserItems, Array.ConvertAll(UserValues, v => map(v)), ItemStart, ItemUsers, Array.ConvertAll(ItemValues, v => map(v)));
    }

    /// <summary>The <paramref name="k"/> most popular items, skipping the user's own items when asked.</summary>
    public IReadOnlyList<ScoredItem> MostPopular(int k, int user = -1, bool excludeSeen = false)
    {
        var seen = excludeSeen && user >= 0 ? ItemsOf(user).ToArray() : [];
        var result = new List<ScoredItem>(Math.Min(k, ItemCount));
        foreach (var item in PopularityOrder)
        {
            if (result.Count >= k)
            {
                break;
            }

            if (Array.BinarySearch(seen, item) < 0)
            {
                result.Add(new ScoredItem(Items[item], Popularity(item)));
            }
        }

        return result;
    }

    /// <summary>
    /// The top <paramref name="k"/> of a dense score vector over the items, best first, ties by item
    /// index (so by id); with <paramref name="excludeSeen"/> the user's items are skipped.
    /// </summary>
    public IReadOnlyList<ScoredItem> TopK(ReadOnlySpan<float> scores, int k, int user, bool excludeSeen)
    {
        if (excludeSeen && user >= 0)
        {
            var masked = scores.ToArray();
            foreach (var item in ItemsOf(user))
            {
                masked[item] = float.NegativeInfinity;
            }

            return TopKOf(masked, k, Items);
        }

        return TopKOf(scores, k, Items);
    }

    /// <summary>The top <paramref name="k"/> finite scores, best first, ties by index.</summary>
    public static IReadOnlyList<ScoredItem> TopKOf(ReadOnlySpan<float> scores, int k, IReadOnlyList<string> ids)
    {
        if (k <= 0)
        {
            return [];
        }

        // A bounded min-heap keyed by (score, -index): the root is the weakest kept candidate.
        var heap = new PriorityQueue<int, (float Score, int Index)>(k + 1, WeakestFirst.Instance);
        for (var i = 0; i < scores.Length; i++)
        {
            var score = scores[i];
            if (float.IsNegativeInfinity(score) || float.IsNaN(score))
            {
                continue;
            }

            if (heap.Count < k)
            {
                heap.Enqueue(i, (score, i));
            }
            else if (heap.TryPeek(out _, out var weakest) && WeakestFirst.Instance.Compare((score, i), weakest) > 0)
            {
                heap.DequeueEnqueue(i, (score, i));
            }
        }

        var result = new ScoredItem[heap.Count];
        for (var n = result.Length - 1; n >= 0; n--)
        {
            heap.TryDequeue(out var index, out var key);
            result[n] = new ScoredItem(ids[index], key.Score);
        }

        return result;
    }

    private static Dictionary<string, int> Index(string[] ids)
    {
        var index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            index[ids[i]] = i;
        }

        return index;
    }

    /// <summary>Orders lower scores first, and among equal scores the higher index first (it ranks lower).</summary>
    private sealed class WeakestFirst : IComparer<(float Score, int Index)>
    {
        public static readonly WeakestFirst Instance = new();

        public int Compare((float Score, int Index) x, (float Score, int Index) y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : y.Index.CompareTo(x.Index);
        }
    }
}
