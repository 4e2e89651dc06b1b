namespace Recommender.Models.Algorithms;

/// <summary>
/// Content-based recommendations from catalog attributes (<see cref="TrainingContext.Catalog"/>):
/// items are TF-IDF vectors over attribute tokens (category, brand, price band, any other
/// attribute; see <see cref="ContentVectors"/>), a user's profile is the sum of the vectors of the
/// items they interacted with, weighted by the interaction weight, and items are ranked by cosine
/// similarity to the profile. Items need no interactions to be recommended, so new (cold-start)
/// catalog items are served from their first day.
/// Fallbacks: without a catalog the model is plain popularity (most distinct users) and says so
/// through <see cref="TrainingContext.Progress"/>; unknown users, and users none of whose items
/// are in the catalog, get popularity too; when fewer than k items share any attribute with the
/// profile the list is filled with popular items scored 0.
/// </summary>
public sealed class ContentRecommender : IRecommenderAlgorithm
{
    private UserItemMatrix? _matrix;
    private ContentVectors? _vectors;
    private int[] _contentIndexOfItem = [];

    public string Name => "content";

    /// <summary>Whether the last <see cref="Fit"/> had no catalog and serves popularity only.</summary>
    public bool IsPopularityFallback => _vectors is null;

    public void Fit(IReadOnlyList<Interaction> interactions, TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(context);
        var matrix = UserItemMatrix.Build(interactions);
        if (context.Catalog is not { Count: > 0 } catalog)
        {
            context.Progress?.Report("content: no catalog given, falling back to popularity");
            _matrix = matrix;
            _vectors = null;
            _contentIndexOfItem = [];
            return;
        }

        var vectors = ContentVectors.Build(catalog);
        context.Progress?.Report($"content: {vectors.Items.Length} catalog items over {vectors.Tokens.Length} attribute tokens");
        _contentIndexOfItem = matrix.Items.Select(item => vectors.ItemIndex.GetValueOrDefault(item, -1)).ToArray();
        _matrix = matrix;
        _vectors = vectors;
    }

    public IReadOnlyList<ScoredItem> Recommend(string user, int k, bool excludeSeen)
    {
        var matrix = _matrix ?? throw new InvalidOperationException("Fit the model before asking for recommendations.");
        if (!matrix.UserIndex.TryGetValue(user, out var u))
        {
            return matrix.MostPopular(k);
        }

        if (_vectors is not { } vectors)
        {
            return matrix.MostPopular(k, u, excludeSeen);
        }

        var profile = new float[vectors.Tokens.Length];
        var items = matrix.ItemsOf(u);
        var values = matrix.ValuesOf(u);
        for (var n = 0; n < items.Length; n++)
        {
            var content = _contentIndexOfItem[items[n]];
            if (content >= 0)
            {
                vectors.AddTo(profile, content, values[n]);
            }
        }

        var scores = vectors.Similarities(profile);
        for (var i = 0; i < scores.Length; i++)
        {
            if (!(scores[i] > 0))
            {
                scores[i] = float.NegativeInfinity;
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            seen.Add(matrix.Items[item]);
            if (excludeSeen && _contentIndexOfItem[item] >= 0)
            {
                scores[_contentIndexOfItem[item]] = float.NegativeInfinity;
            }
        }

        var result = UserItemMatrix.TopKOf(scores, k, vectors.Items).ToList();
        if (result.Count < k)
        {
            var chosen = result.Select(r => r.Item).ToHashSet(StringComparer.Ordinal);
            foreach (var popular in matrix.PopularityOrder)
            {
                if (result.Count >= k)
                {
                    break;
                }

                var id = matrix.Items[popular];
                if (!chosen.Contains(id) && !(excludeSeen && seen.Contains(id)))
                {
                    result.Add(new ScoredItem(id, 0));
                }
            }
        }

        return result;
    }
}
