using System.Globalization;

namespace Recommender.Models.Algorithms;

/// <summary>
/// TF-IDF vectors of catalog items over attribute tokens, L2-normalized, with an inverted index.
/// Each attribute value becomes the token <c>name=value</c> (name and value trimmed and lower-cased;
/// a value holding several entries separated by <c>|</c> or <c>;</c> gives one token each, so
/// <c>tags: "red|wool"</c> works). A value that parses as a number is bucketed on a log₂ scale
/// (<c>price~2^5</c> for 32–63.99), which turns prices into price bands. Every token counts once per
/// item (one-hot term frequency), weighted by the smoothed idf ln((1 + N) / (1 + df)) + 1.
/// </summary>
internal sealed class ContentVectors
{
    private ContentVectors(string[] items, string[] tokens, int[][] itemTokens, float[][] itemWeights, int[][] postingItems, float[][] postingWeights)
    {
        Items = items;
        Tokens = tokens;
        ItemTokens = itemTokens;
        ItemWeights = itemWeights;
        PostingItems = postingItems;
        PostingWeights = postingWeights;
        ItemIndex = new Dictionary<string, int>(items.Length, StringComparer.Ordinal);
        for (var i = 0; i < items.Length; i++)
        {
            ItemIndex[items[i]] = i;
        }
    }

    /// <summary>Catalog items, ordinal order.</summary>
    public string[] Items { get; }

    public Dictionary<string, int> ItemIndex { get; }

    public string[] Tokens { get; }

    /// <summary>Per item: its token indices, ascending.</summary>
    public int[][] ItemTokens { get; }

    /// <summary>Per item: the normalized weights of <see cref="ItemTokens"/>.</summary>
    public float[][] ItemWeights { get; }

    /// <summary>Per token: the items having it, ascending.</summary>
    public int[][] PostingItems { get; }

    public float[][] PostingWeights { get; }

    public static ContentVectors Build(IEnumerable<ItemAttributes> catalog)
    {
        var byItem = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var entry in catalog)
        {
            if (!byItem.TryGetValue(entry.Item, out var tokens))
            {
                byItem[entry.Item] = tokens = new SortedSet<string>(StringComparer.Ordinal);
            }

            foreach (var (name, value) in entry.Attributes)
            {
                foreach (var token in TokensOf(name, value))
                {
                    tokens.Add(token);
                }
            }
        }

        var items = byItem.Keys.ToArray();
        var vocabulary = byItem.Values.SelectMany(t => t).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var tokenIndex = new Dictionary<string, int>(vocabulary.Length, StringComparer.Ordinal);
        for (var t = 0; t < vocabulary.Length; t++)
        {
            tokenIndex[vocabulary[t]] = t;
        }

        var documentFrequency = new int[vocabulary.Length];
        var itemTokens = new int[items.Length][];
        for (var i = 0; i < items.Length; i++)
        {
            itemTokens[i] = byItem[items[i]].Select(t => tokenIndex[t]).Order().ToArray();
            foreach (var t in itemTokens[i])
            {
                documentFrequency[t]++;
            }
        }

        var idf = documentFrequency.Select(df => (float)(Math.Log((1.0 + items.Length) / (1.0 + df)) + 1)).ToArray();
        var itemWeights = new float[items.Length][];
        var postings = new List<(int Item, float Weight)>[vocabulary.Length];
        for (var t = 0; t < postings.Length; t++)
        {
            postings[t] = [];
        }

        for (var i = 0; i < items.Length; i++)
        {
            var weights = itemTokens[i].Select(t => idf[t]).ToArray();
            var norm = VectorMath.Norm(weights);
            for (var n = 0; n < weights.Length; n++)
            {
                weights[n] /= norm;
                postings[itemTokens[i][n]].Add((i, weights[n]));
            }

            itemWeights[i] = weights;
        }

        return new ContentVectors(
            items,
            vocabulary,
            itemTokens,
            itemWeights,
            postings.Select(p => p.Select(e => e.Item).ToArray()).ToArray(),
            postings.Select(p => p.Select(e => e.Weight).ToArray()).ToArray());
    }

    /// <summary>Cosine similarity between a (not necessarily normalized) dense token profile and every item.</summary>
    public float[] Similarities(ReadOnlySpan<float> profile)
    {
        var scores = new float[Items.Length];
        var norm = VectorMath.Norm(profile);
        if (!(norm > 0))
        {
            return scores;
        }

        for (var t = 0; t < profile.Length; t++)
        {
            var weight = profile[t] / norm;
            if (weight == 0)
            {
                continue;
            }

            var items = PostingItems[t];
            var weights = PostingWeights[t];
            for (var n = 0; n < items.Length; n++)
            {
                scores[items[n]] += weight * weights[n];
            }
        }

        return scores;
    }

    /// <summary>Adds <paramref name="scale"/> times the vector of <paramref name="item"/> to a dense token profile.</summary>
    public void AddTo(Span<float> profile, int item, float scale)
    {
        var tokens = ItemTokens[item];
        var weights = ItemWeights[item];
        for (var n = 0; n < tokens.Length; n++)
        {
            profile[tokens[n]] += scale * weights[n];
        }
    }

    internal static IEnumerable<string> TokensOf(string name, string? value)
    {
        var key = name.Trim().ToLowerInvariant();
        if (key.Length == 0 || string.IsNullOrWhiteSpace(value))
        {
            yield break;
        }

        foreach (var part in value.Split(['|', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                var band = number >= 1 ? (int)Math.Floor(Math.Log2(number)) : 0;
                yield return string.Create(CultureInfo.InvariantCulture, $"{key}~2^{band}");
            }
            else
            {
                yield return $"{key}={part.ToLowerInvariant()}";
            }
        }
    }
}
