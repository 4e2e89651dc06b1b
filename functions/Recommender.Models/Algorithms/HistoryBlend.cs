namespace Recommender.Models.Algorithms;

/// <summary>
/// The <c>--seen keep</c> scoring of the popularity and item-kNN models: the model's score and the
/// user's own decayed history, each scaled to a maximum of 1 for the user, are added — so an item the
/// user keeps coming back to can be recommended again, ahead of a merely similar one when the user's
/// own affinity is strong.
/// </summary>
internal static class HistoryBlend
{
    public static void Apply(Span<double> scores, ReadOnlySpan<int> userItems, ReadOnlySpan<double> userAffinity)
    {
        var maxScore = 0.0;
        foreach (var s in scores)
        {
            maxScore = Math.Max(maxScore, s);
        }

        if (maxScore > 0)
        {
            var scale = 1.0 / maxScore;
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] *= scale;
            }
        }

        var maxAffinity = 0.0;
        foreach (var a in userAffinity)
        {
            maxAffinity = Math.Max(maxAffinity, a);
        }

        if (maxAffinity <= 0)
        {
            return;
        }

        for (var n = 0; n < userItems.Length; n++)
        {
            scores[userItems[n]] += userAffinity[n] / maxAffinity;
        }
    }
}
