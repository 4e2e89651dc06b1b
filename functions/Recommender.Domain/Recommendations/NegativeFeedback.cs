using Recommender.Domain.Profiles;

namespace Recommender.Domain.Recommendations;

/// <summary>
/// What a customer's dislikes (<see cref="CustomerProfile.Dislikes"/>: <c>not_interested</c>, low
/// ratings, returns — the events <see cref="Events.EventWeights"/> weighs negative) do to every list at
/// request time, whatever the cache holds: the disliked products are excluded
/// (<see cref="AddExclusions"/>); their trained neighbours are down-weighted (<see cref="Adjust"/>: the
/// closest by <see cref="NeighbourPenalty"/>, the others in proportion to their similarity); and no item
/// is explained by a disliked product (its reason becomes "Recommended for you"). A step of its own,
/// run on the candidates before <see cref="ServingRules"/>.
/// </summary>
public static class NegativeFeedback
{
    /// <summary>The share of its score the closest neighbour of a disliked product loses (others lose less, by similarity).</summary>
    public const double NeighbourPenalty = 0.5;

    /// <summary>Adds the customer's disliked products to <paramref name="exclude"/>.</summary>
    public static void AddExclusions(ISet<string> exclude, CustomerProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(exclude);
        if (profile is { Dislikes.Count: > 0 })
        {
            exclude.UnionWith(profile.Dislikes.Keys);
        }
    }

    /// <summary>
    /// The candidates with the neighbours of disliked products down-weighted and explanations citing a
    /// disliked product replaced; <c>null</c> when the customer dislikes nothing (the candidates stand).
    /// </summary>
    public static IEnumerable<RecommendedItem>? Adjust(IEnumerable<RecommendedItem> candidates, CustomerProfile? profile, ItemSimilarityModel model)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(model);
        if (profile is not { Dislikes.Count: > 0 })
        {
            return null;
        }

        var dislikes = profile.Dislikes;
        var penalty = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var disliked in dislikes.Keys)
        {
            var neighbours = model.NeighborsOf(disliked);
            var top = neighbours.Count > 0 ? neighbours.Max(n => n.Score) : 0;
            foreach (var n in neighbours)
            {
                var share = top > 0 ? NeighbourPenalty * Math.Clamp(n.Score / top, 0, 1) : 0;
                if (share > penalty.GetValueOrDefault(n.ProductId))
                {
                    penalty[n.ProductId] = share;
                }
            }
        }

        return candidates.Select(item =>
        {
            if (penalty.TryGetValue(item.ProductId, out var share))
            {
                item = item with { Score = Math.Round(item.Score * (1 - share), 6) };
            }

            return Cites(item, dislikes) ? item with { Reason = "Recommended for you", ReasonCode = "for_you" } : item;
        });
    }

    /// <summary>Whether the item's reason names a disliked product (<c>viewed:SKU</c>, <c>similar:SKU</c>, <c>content:SKU</c>, ...).</summary>
    private static bool Cites(RecommendedItem item, IReadOnlyDictionary<string, DateTimeOffset> dislikes)
    {
        var colon = item.ReasonCode.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && dislikes.ContainsKey(item.ReasonCode[(colon + 1)..]);
    }
}
