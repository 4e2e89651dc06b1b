namespace Recommender.Models.Algorithms;

/// <summary>
/// User-based k-nearest-neighbour collaborative filtering ("customers like you"): each training
/// customer's history is weighted as serving weighs a history (<see cref="UserScoring.Weigh"/>:
/// interaction weights, repeats adding up, halved every <c>halfLife</c> before the customer's latest
/// interaction); a user's list is what their <c>neighbours</c> most similar customers (cosine or
/// weighted Jaccard over those weighted histories) hold, weighted by similarity
/// (<see cref="UserNeighbourhood"/>). Offline <see cref="Recommend"/> and serving score through the
/// same exported <see cref="UserScorer"/>, so a customer unknown to training is folded in from their
/// history against the trained customers. Unknown users get popularity. With seen items kept, the
/// user's own weighted history is blended in (<see cref="HistoryBlend"/>).
/// Memory and time: one sparse row per kept customer (at most <c>rowWidth</c> entries), never a
/// user × user matrix; at most <c>maxUsers</c> customers are kept as neighbours (the most active, by
/// distinct items; ties by id), which bounds both the model and the rows one scoring visits. Customers
/// beyond that limit are still scored — folded in from their history like a new customer.
/// </summary>
public sealed class UserKnnRecommender : IRecommenderAlgorithm, IUserScorable
{
    private readonly SimilarityKind _similarity;
    private readonly int _neighbours;
    private readonly TimeSpan _halfLife;
    private readonly int _rowWidth;
    private readonly int _maxUsers;
    private string[] _users = [];
    private Dictionary<string, int> _userIndex = new(StringComparer.Ordinal);
    private SparseRow[] _histories = [];
    private int[] _kept = [];
    private string[] _items = [];
    private double[] _frequencies = [];
    private UserScorer? _scorer;

    /// <param name="name">The registry name.</param>
    /// <param name="similarity"><see cref="SimilarityKind.Cosine"/> or <see cref="SimilarityKind.Jaccard"/> (weighted).</param>
    /// <param name="neighbours">How many nearest customers score a history.</param>
    /// <param name="halfLife">History half-life (default <see cref="UserScoring.DefaultHalfLife"/>, as served).</param>
    /// <param name="rowWidth">Entries kept per customer (the heaviest).</param>
    /// <param name="maxUsers">Customers kept as potential neighbours (the most active).</param>
    public UserKnnRecommender(string name, SimilarityKind similarity, int neighbours = 50, TimeSpan? halfLife = null, int rowWidth = 200, int maxUsers = 20_000)
    {
        if (similarity is not (SimilarityKind.Cosine or SimilarityKind.Jaccard))
        {
            throw new ArgumentOutOfRangeException(nameof(similarity), similarity, "user-user similarity is cosine or Jaccard");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxUsers, 1);
        Name = name;
        _maxUsers = maxUsers;
        _similarity = similarity;
        _neighbours = neighbours;
        _halfLife = halfLife ?? UserScoring.DefaultHalfLife;
        _rowWidth = rowWidth;
    }

    public string Name { get; }

    public void Fit(IReadOnlyList<Interaction> interactions, TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(context);
        _items = interactions.Select(i => i.Item).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var itemIndex = new Dictionary<string, int>(_items.Length, StringComparer.Ordinal);
        for (var i = 0; i < _items.Length; i++)
        {
            itemIndex[_items[i]] = i;
        }

        var byUser = interactions.GroupBy(i => i.User, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        context.Progress?.Report($"{Name}: {_similarity} similarity over {byUser.Count} customers' histories, {_neighbours} neighbours each");
        _users = byUser.Select(g => g.Key).ToArray();
        _userIndex = new Dictionary<string, int>(_users.Length, StringComparer.Ordinal);
        _frequencies = new double[_items.Length];
        _histories = new SparseRow[_users.Length];
        for (var u = 0; u < _users.Length; u++)
        {
            _userIndex[_users[u]] = u;
            var weighted = UserScoring.Weigh(byUser[u].Select(i => new HistoryEvent(i.Item, i.At, i.Weight)), _halfLife);
            _histories[u] = Row(weighted.Where(h => h.Weight > 0).Take(_rowWidth), itemIndex);
            foreach (var column in _histories[u].Columns)
            {
                _frequencies[column]++;
            }
        }

        // The most active customers (distinct items; ties by id) are the neighbours, in id order.
        _kept = Enumerable.Range(0, _users.Length)
            .Where(u => _histories[u].Columns.Length > 0)
            .OrderByDescending(u => _histories[u].Columns.Length).ThenBy(u => u)
            .Take(_maxUsers).Order().ToArray();
        _scorer = Scorer(_kept.Select(u => _histories[u]).ToArray());
    }

    /// <summary>The trained customers nearest to <paramref name="history"/> (ids and similarities, most similar first) — whom a list is borrowed from.</summary>
    public IReadOnlyList<(string User, double Similarity)> NeighboursOf(IReadOnlyList<HistoryItem> history)
    {
        var scorer = _scorer ?? throw new InvalidOperationException($"{Name} is not trained: call Fit first.");
        return UserNeighbourhood.Nearest(scorer, history).Select(n => (_users[_kept[n.Row]], n.Similarity)).ToList();
    }

    /// <summary>A trained customer's weighted history as the model holds it (heaviest first).</summary>
    public IReadOnlyList<HistoryItem> HistoryOf(string user)
    {
        _ = _scorer ?? throw new InvalidOperationException($"{Name} is not trained: call Fit first.");
        if (!_userIndex.TryGetValue(user, out var u))
        {
            return [];
        }

        var row = _histories[u];
        return row.Columns.Select((c, m) => new HistoryItem(_items[c], row.Weights[m]))
            .OrderByDescending(h => h.Weight).ThenBy(h => h.Item, StringComparer.Ordinal).ToList();
    }

    /// <summary>The customers' rows, each truncated to its <paramref name="rowWidth"/> heaviest entries.</summary>
    public UserScorer ExportScorer(int rowWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowWidth, 1);
        var scorer = _scorer ?? throw new InvalidOperationException($"{Name} is not trained: call Fit first.");
        return Scorer(_kept.Select(u => Row(HistoryOf(_users[u]).Take(rowWidth), scorer.Index)).ToArray());
    }

    public IReadOnlyList<ScoredItem> Recommend(string user, int k, bool excludeSeen)
    {
        var scorer = _scorer ?? throw new InvalidOperationException($"{Name} is not trained: call Fit first.");
        if (!_userIndex.TryGetValue(user, out var u))
        {
            return TopK.Select(_frequencies, k, _frequencies, _items, []);
        }

        var row = _histories[u];
        var history = row.Columns.Select((c, m) => new HistoryItem(_items[c], row.Weights[m])).ToList();
        var scores = UserScoring.Score(scorer, history);
        if (excludeSeen)
        {
            return TopK.Select(scores, k, _frequencies, _items, row.Columns);
        }

        HistoryBlend.Apply(scores, row.Columns, row.Weights.Select(w => (double)w).ToArray());
        return TopK.Select(scores, k, _frequencies, _items, []);
    }

    private UserScorer Scorer(SparseRow[] rows) => new()
    {
        Kind = UserScorer.UsersKind,
        Items = _items,
        UserRows = rows,
        Neighbours = _neighbours,
        Similarity = _similarity == SimilarityKind.Cosine ? UserNeighbourhood.Cosine : UserNeighbourhood.Jaccard,
    };

    private static SparseRow Row(IEnumerable<HistoryItem> history, IReadOnlyDictionary<string, int> itemIndex)
    {
        var entries = history.Select(h => (Column: itemIndex[h.Item], Weight: (float)h.Weight)).OrderBy(e => e.Column).ToArray();
        return new SparseRow(entries.Select(e => e.Column).ToArray(), entries.Select(e => e.Weight).ToArray());
    }
}
