using Recommender.Domain.Events;

namespace Recommender.Domain.Training;

/// <summary>One weighted interaction a trainer learns from: a subject's interest in a product at a time.</summary>
public readonly record struct WeightedInteraction(string Subject, string ProductId, DateTimeOffset At, double Weight);

/// <summary>
/// Archived events as every trainer reads them, weighted by the store's <see cref="EventWeights"/>:
/// the interactions (<see cref="ItemSimilarityTrainer.IsInteraction"/>: view, wishlist add, cart add,
/// purchase — a purchase of a product the subject bought before weighs
/// <see cref="EventWeights.RepeatPurchase"/>) minus the negative signals (<c>not_interested</c>, low
/// ratings, returns). Per subject and product the weights are summed: a pair whose sum is zero or less
/// leaves the training data (a dislike cancels the interest), a pair a negative signal only weakened
/// keeps its interactions scaled down to the net share. None of the algorithms takes negative entries,
/// so this is how they all learn from dislikes. Pseudonymized events and
/// <paramref name="excludedSubjects"/> are skipped. Deterministic.
/// </summary>
public sealed record TrainingSignals(IReadOnlyList<WeightedInteraction> Interactions, int EventCount, int CustomerCount)
{
    public static TrainingSignals Of(IEnumerable<ClickstreamEvent> events, EventWeights weights, ISet<string>? excludedSubjects = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(weights);
        var positive = new List<(WeightedInteraction Interaction, bool Purchase)>();
        var negative = new Dictionary<(string, string), double>();
        var eventCount = 0;
        foreach (var e in events)
        {
            if (e.IsPseudonymized || e.SubjectId is not { } subject || excludedSubjects?.Contains(subject) == true)
            {
                continue;
            }

            if (ItemSimilarityTrainer.IsInteraction(e.Type))
            {
                eventCount++;
                var weight = weights.WeightOf(e);
                foreach (var productId in e.AllProductIds)
                {
                    positive.Add((new WeightedInteraction(subject, productId, e.OccurredAt, weight), e.Type == EventType.Purchase));
                }
            }
            else if (weights.WeightOf(e) is var dislike and < 0)
            {
                foreach (var productId in e.AllProductIds)
                {
                    negative[(subject, productId)] = negative.GetValueOrDefault((subject, productId)) + dislike;
                }
            }
        }

        // Repeat purchases: every purchase of a pair after its first (in event time) weighs RepeatPurchase.
        var bought = new HashSet<(string, string)>();
        var order = Enumerable.Range(0, positive.Count).OrderBy(i => positive[i].Interaction.At).ThenBy(i => i).ToList();
        foreach (var i in order)
        {
            var (interaction, purchase) = positive[i];
            if (purchase && !bought.Add((interaction.Subject, interaction.ProductId)))
            {
                positive[i] = (interaction with { Weight = weights.RepeatPurchase }, true);
            }
        }

        IReadOnlyList<WeightedInteraction> kept = positive.Select(p => p.Interaction).Where(i => i.Weight > 0).ToList();
        if (negative.Count > 0)
        {
            var sums = new Dictionary<(string, string), double>();
            foreach (var i in kept)
            {
                sums[(i.Subject, i.ProductId)] = sums.GetValueOrDefault((i.Subject, i.ProductId)) + i.Weight;
            }

            kept = kept.Select(i =>
            {
                var key = (i.Subject, i.ProductId);
                var sum = sums[key];
                var net = sum + negative.GetValueOrDefault(key);
                return i with { Weight = net <= 0 ? 0 : i.Weight * Math.Min(1, net / sum) };
            }).Where(i => i.Weight > 0).ToList();
        }

        return new TrainingSignals(kept, eventCount, kept.Select(i => i.Subject).Distinct(StringComparer.Ordinal).Count());
    }
}
