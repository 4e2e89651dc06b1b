namespace Recommender.Models.Algorithms;

/// <summary>
/// Simple Algorithm for Recommendation, as Microsoft Recommenders' <c>SARSingleNode</c>
/// (<c>recommenders/models/sar/sar_singlenode.py</c>) with <c>timedecay_formula=True</c>:
/// <list type="bullet">
/// <item>user affinity A[u, i] = Σ over every interaction of u with i of weight · min(1, 2^(−(t_latest − t) / T)),
/// T = 30 days, t_latest the latest training timestamp (SAR's <c>time_now=None</c>);</item>
/// <item>co-occurrence C = Hᵀ H over the binary user-item matrix H (distinct pairs), entries below the threshold (1) dropped;</item>
/// <item>similarity from C (Jaccard by default, the diagonal kept);</item>
/// <item>scores = A[u, ·] · S; with seen items removed, every item the user has in training is excluded.</item>
/// </list>
/// With seen items kept the scores are SAR's unchanged: an item's similarity to itself (1 for Jaccard)
/// carries the user's own affinity into its score. Differences, both outside SAR's definition: ties
/// (zeros included) are broken by item frequency then item id instead of <c>argpartition</c>'s
/// arbitrary order, and a user unknown to training gets the most frequent items
/// (SAR's <c>get_popularity_based_topk</c>) instead of an error.
/// </summary>
public sealed class SarRecommender : IRecommenderAlgorithm, IItemToItem, IUserScorable
{
    private readonly SimilarityKind _similarity;
    private readonly TimeSpan _halfLife;
    private readonly int _threshold;
    private TrainingData? _data;
    private ItemSimilarityMatrix? _matrix;
    private double[] _frequencies = [];

    public SarRecommender(string name = "sar", SimilarityKind similarity = SimilarityKind.Jaccard, TimeSpan? halfLife = null, int threshold = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        Name = name;
        _similarity = similarity;
        _halfLife = halfLife ?? TimeSpan.FromDays(30);
        _threshold = threshold;
    }

    public string Name { get; }

    public void Fit(IReadOnlyList<Interaction> interactions, TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Progress?.Report($"{Name}: time-decayed affinities");
        _data = TrainingData.Create(interactions, _halfLife);
        context.Progress?.Report($"{Name}: co-occurrence and {_similarity} similarity over {_data.ItemCount} items");
        _matrix = ItemSimilarityMatrix.Build(_data, _similarity, _threshold, includeSelf: true);
        _frequencies = _data.ItemFrequencies();
    }

    /// <summary>The learned similarity S[i, j] between two training items (tests and diagnostics).</summary>
    public double Similarity(string itemI, string itemJ)
    {
        var data = _data ?? throw new InvalidOperationException($"{Name} is not trained: call Fit first.");
        return _matrix!.Get(data.ItemIndex[itemI], data.ItemIndex[itemJ]);
    }

    /// <summary>The user's affinity A[u, i] (0 when the user never touched the item).</summary>
    public double Affinity(string user, string item)
    {
        var data = _data ?? throw new InvalidOperationException($"{Name} is not trained: call Fit first.");
        if (!data.UserIndex.TryGetValue(user, out var u) || !data.ItemIndex.TryGetValue(item, out var i))
        {
            return 0.0;
        }

        var at = Array.BinarySearch(data.UserItems[u], i);
        return at >= 0 ? data.WeightedAffinity[u][at] : 0.0;
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
        var affinity = data.WeightedAffinity[u];
        for (var n = 0; n < items.Length; n++)
        {
            _matrix!.AddRow(items[n], affinity[n], scores);
        }

        return TopK.Select(scores, k, _frequencies, data.Items, excludeSeen ? items : []);
    }
}
