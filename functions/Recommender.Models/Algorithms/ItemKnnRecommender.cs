namespace Recommender.Models.Algorithms;

/// <summary>
/// Item-based k-nearest-neighbour collaborative filtering on co-occurrence (Deshpande and Karypis):
/// similarity from co-occurrence counts (Jaccard, lift or cosine), each item keeping only its
/// <c>neighbours</c> most similar other items (self-similarity zeroed); a user's items each count
/// once, weighted by the decay of the user's latest interaction with it (half-life 30 days from the
/// latest training timestamp), and a candidate's score is Σ over the user's items of that weight ·
/// similarity. Unlike SAR, repeats and interaction weights do not add up. With seen items kept,
/// the user's own decayed history is blended in (<see cref="HistoryBlend"/>) instead of the zeroed
/// self-similarity.
/// </summary>
public sealed class ItemKnnRecommender : IRecommenderAlgorithm, IItemToItem, IUserScorable
{
    private readonly SimilarityKind _similarity;
    private readonly TimeSpan _halfLife;
    private readonly int _neighbours;
    private TrainingData? _data;
    private ItemSimilarityMatrix? _matrix;
    private double[] _frequencies = [];

    public ItemKnnRecommender(string name, SimilarityKind similarity, int neighbours = 50, TimeSpan? halfLife = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours, 1);
        Name = name;
        _similarity = similarity;
        _neighbours = neighbours;
        _halfLife = halfLife ?? TimeSpan.FromDays(30);
    }

    public string Name { get; }

    public void Fit(IReadOnlyList<Interaction> interactions, TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _data = TrainingData.Create(interactions, _halfLife);
        context.Progress?.Report($"{Name}: {_similarity} similarity over {_data.ItemCount} items, {_neighbours} neighbours each");
        _matrix = ItemSimilarityMatrix.Build(_data, _similarity, threshold: 1, includeSelf: false, neighbours: _neighbours);
        _frequencies = _data.ItemFrequencies();
    }

    /// <summary>The learned (pruned) similarity of <paramref name="itemJ"/> as a neighbour of <paramref name="itemI"/>.</summary>
    public double Similarity(string itemI, string itemJ)
    {
        var data = _data ?? throw new InvalidOperationException($"{Name} is not trained: call Fit first.");
        return _matrix!.Get(data.ItemIndex[itemI], data.ItemIndex[itemJ]);
    }

    public IReadOnlyList<string> Items => _data?.Items ?? [];

    public IReadOnlyList<ScoredItem> SimilarItems(string item, int k) =>
        _data is null ? throw new InvalidOperationException($"{Name} is not trained: call Fit first.") : ItemToItem.FromMatrix(_data, _matrix!, item, k);

    /// <summary>The similarity rows (each truncated to <paramref name="rowWidth"/> entries): a user scores Σₕ wₕ·S[h, ·].</summary>
    public UserScorer ExportScorer(int rowWidth)
    {
        var data = _data ?? throw new InvalidOperationException($"{Name} is not trained: call Fit first.");
        return ItemToItem.Scorer(data.Items, rowWidth, (i, row) => _matrix!.AddRow(i, 1.0, row));
    }

    public IReadOnlyList<ScoredItem> Recommend(string user, int k, bool excludeSeen)
    {
        var data = _data ?? throw new InvalidOperationException($"{Name} is not trained: call Fit first.");
        if (!data.UserIndex.TryGetValue(user, out var u))
        {
            return TopK.Select(_frequencies, k, _frequencies, data.Items, []);
        }

        var scores = new double[data.ItemCount];
        var items = data.UserItems[u];
        var recency = data.RecencyAffinity[u];
        for (var n = 0; n < items.Length; n++)
        {
            _matrix!.AddRow(items[n], recency[n], scores);
        }

        if (excludeSeen)
        {
            return TopK.Select(scores, k, _frequencies, data.Items, items);
        }

        HistoryBlend.Apply(scores, items, recency);
        return TopK.Select(scores, k, _frequencies, data.Items, []);
    }
}
