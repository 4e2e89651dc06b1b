namespace Recommender.Domain.Attribution;

/// <summary>The attribution models of the report.</summary>
public enum AttributionModel
{
    /// <summary>The whole amount to the latest eligible touch (a click wins a tie with a view).</summary>
    LastTouch,
    /// <summary>An equal share to every eligible touch.</summary>
    Linear,
    /// <summary>Shares weighted 2^(−age / half-life), age = purchase time − touch time.</summary>
    TimeDecay,
}

/// <summary>How one amount splits over buckets under each model; every model's amounts add up to the amount exactly.</summary>
public sealed record AttributionSplit(IReadOnlyList<Touchpoint> Eligible, IReadOnlyDictionary<AttributionModel, IReadOnlyDictionary<AttributionBucket, decimal>> ByModel)
{
    public static readonly IReadOnlyList<AttributionModel> Models = Enum.GetValues<AttributionModel>();

    /// <summary>The last touch's bucket (the one credited with the order itself), or the unattributed bucket.</summary>
    public AttributionBucket LastTouchBucket => ByModel[AttributionModel.LastTouch].Keys.Single();

    public bool IsAttributed => Eligible.Count > 0;
}

/// <summary>
/// The three models over one journey, pure and deterministic: a touch is eligible when it happened at
/// or before the purchase and no longer before it than its window (<see cref="AttributionOptions.ClickWindow"/>
/// for clicks, <see cref="AttributionOptions.ViewWindow"/> for views, both bounds inclusive). Amounts are
/// split in cents; the rounding remainder goes to the latest touch, so each model reconciles exactly.
/// Without an eligible touch the whole amount is unattributed.
/// </summary>
public static class AttributionModels
{
    public static bool IsEligible(Touchpoint touch, DateTimeOffset purchaseAt, AttributionOptions options) =>
        touch.At <= purchaseAt && purchaseAt - touch.At <= (touch.Kind == TouchKind.Click ? options.ClickWindow : options.ViewWindow);

    public static AttributionSplit Split(decimal amount, DateTimeOffset purchaseAt, IEnumerable<Touchpoint> journey, AttributionOptions options)
    {
        // Oldest first; among simultaneous touches a view before a click, so the click is the "latest".
        var eligible = journey.Where(t => IsEligible(t, purchaseAt, options))
            .OrderBy(t => t.At).ThenBy(t => t.Kind).ThenBy(t => t.EventId, StringComparer.Ordinal).ToList();
        if (eligible.Count == 0)
        {
            var all = new Dictionary<AttributionBucket, decimal> { [AttributionBucket.Unattributed] = amount };
            return new AttributionSplit(eligible, AttributionSplit.Models.ToDictionary(m => m, _ => (IReadOnlyDictionary<AttributionBucket, decimal>)all));
        }

        var halfLifeHours = options.TimeDecayHalfLife.TotalHours;
        var weights = new Dictionary<AttributionModel, double[]>
        {
            [AttributionModel.LastTouch] = [.. eligible.Select((_, i) => i == eligible.Count - 1 ? 1.0 : 0.0)],
            [AttributionModel.Linear] = [.. eligible.Select(_ => 1.0)],
            [AttributionModel.TimeDecay] = [.. eligible.Select(t => Math.Pow(2, -(purchaseAt - t.At).TotalHours / halfLifeHours))],
        };
        return new AttributionSplit(eligible, weights.ToDictionary(w => w.Key, w => Apportion(amount, eligible, w.Value)));
    }

    /// <summary>Splits <paramref name="amount"/> in proportion to <paramref name="weights"/>, in cents, the remainder to the latest touch.</summary>
    private static IReadOnlyDictionary<AttributionBucket, decimal> Apportion(decimal amount, List<Touchpoint> touches, double[] weights)
    {
        var total = weights.Sum();
        var shares = new Dictionary<AttributionBucket, decimal>();
        var given = 0m;
        for (var i = 0; i < touches.Count - 1; i++)
        {
            if (weights[i] == 0)
            {
                continue;
            }

            var share = Math.Round(amount * (decimal)(weights[i] / total), 2, MidpointRounding.ToEven);
            shares[touches[i].Bucket] = shares.GetValueOrDefault(touches[i].Bucket) + share;
            given += share;
        }

        var last = touches[^1].Bucket;
        shares[last] = shares.GetValueOrDefault(last) + (amount - given);
        return shares;
    }
}
