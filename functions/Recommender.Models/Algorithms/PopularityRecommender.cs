namespace Recommender.Models.Algorithms;

/// <summary>
/// Popularity: an item's score is the number of distinct users who interacted with it, or — with a
/// half-life — the sum over those users of the decay of their latest interaction with it, measured
/// from the latest training timestamp. <c>trending</c> is this with a short half-life. With seen
/// items kept, the user's own decayed history is blended in (<see cref="HistoryBlend"/>).
/// </summary>
public sealed class PopularityRecommender : IRecommenderAlgorithm
{
    private readonly TimeSpan? _halfLife;
    private TrainingData? _data;
    private double[] _scores = [];
    private double[] _frequencies = [];

    /// <param name="name">The registry name.</param>
    /// <param name="halfLife">Null for plain distinct-user counts.</param>
    public PopularityRecommender(string name = "popularity", TimeSpan? halfLife = null)
    {
        Name = name;
        _halfLife = halfLife;
    }

    public string Name { get; }

    public void Fit(IReadOnlyList<Interaction> interactions, TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Progress?.Report($"{Name}: counting distinct users per item");
        var data = TrainingData.Create(interactions, _halfLife);
        var scores = new double[data.ItemCount];
        for (var u = 0; u < data.UserItems.Length; u++)
        {
            var items = data.UserItems[u];
            var recency = data.RecencyAffinity[u];
            for (var n = 0; n < items.Length; n++)
            {
                scores[items[n]] += recency[n];
            }
        }

        _data = data;
        _scores = scores;
        _frequencies = data.ItemFrequencies();
    }

    public IReadOnlyList<ScoredItem> Recommend(string user, int k, bool excludeSeen)
    {
        var data = _data ?? throw new InvalidOperationException($"{Name} is not trained: call Fit first.");
        if (!data.UserIndex.TryGetValue(user, out var u))
        {
            return TopK.Select(_scores, k, _frequencies, data.Items, []);
        }

        if (excludeSeen)
        {
            return TopK.Select(_scores, k, _frequencies, data.Items, data.UserItems[u]);
        }

        var scores = (double[])_scores.Clone();
        HistoryBlend.Apply(scores, data.UserItems[u], data.RecencyAffinity[u]);
        return TopK.Select(scores, k, _frequencies, data.Items, []);
    }
}
