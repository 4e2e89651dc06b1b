using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Recommendations;

/// <summary>
/// One placement's already-seen policy (section <c>Recommender:Serving:Seen:{placement}</c>; Gorse's
/// "replacement" as settings): what the customer viewed is excluded for <see cref="ViewedExcludedFor"/>
/// after the view, then allowed back at <see cref="ViewedReturnWeight"/> of its score, recovering
/// linearly to its full score over <see cref="ViewedDecay"/>; what they bought is excluded unless
/// replenishable and due; what is in their cart is excluded. A placement without a configured policy
/// gets <see cref="DefaultFor"/>; a configured one starts from this class's defaults (views never
/// excluded, purchases and cart excluded).
/// </summary>
public sealed class SeenPolicy
{
    /// <value>How long after a view the product is excluded (0: never). Default 0; home and email default to 30 days.</value>
    public TimeSpan ViewedExcludedFor { get; set; }
    /// <value>After the exclusion, how long a viewed product takes to get back from <see cref="ViewedReturnWeight"/> to its full score (0: at once). Default 0; home and email default to 30 days.</value>
    public TimeSpan ViewedDecay { get; set; }
    /// <value>The share of its score a viewed product has the instant its exclusion ends (0 to 1). Default 0.5.</value>
    public double ViewedReturnWeight { get; set; } = 0.5;
    /// <value>Exclude what the customer bought — a replenishable product (<c>replenishAfterDays</c>) comes back once due. Default true.</value>
    public bool ExcludePurchased { get; set; } = true;
    /// <value>Exclude what is in the customer's cart. Default true.</value>
    public bool ExcludeCarted { get; set; } = true;

    /// <summary>The longest window or decay a policy may set.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(3650);

    public bool IsValid =>
        ViewedExcludedFor >= TimeSpan.Zero && ViewedExcludedFor <= MaxWindow && ViewedDecay >= TimeSpan.Zero && ViewedDecay <= MaxWindow
        && ViewedReturnWeight is >= 0 and <= 1;

    /// <summary>
    /// The policy of a placement nobody configured: home and email ("for you" is for discovery) exclude a
    /// view for 30 days and bring it back over the next 30; recently viewed lists views by definition;
    /// the others (context placements, trending) do not exclude views. Purchases and cart: excluded everywhere.
    /// </summary>
    public static SeenPolicy DefaultFor(Placement placement) => placement is Placement.Home or Placement.Email
        ? new SeenPolicy { ViewedExcludedFor = TimeSpan.FromDays(30), ViewedDecay = TimeSpan.FromDays(30) }
        : new SeenPolicy();
}

/// <summary>
/// Applies a placement's <see cref="SeenPolicy"/> to a request, as a step of its own before
/// <see cref="ServingRules"/>: <see cref="Exclusions"/> (cart, purchases unless replenishable and due,
/// views within the window), <see cref="Adjust"/> (a view back from its exclusion at a reduced score) and
/// <see cref="ChangesAt"/> (when the exclusions next change by the clock alone, so a kept answer expires
/// then). Boundaries: a view is excluded while <c>now − viewedAt &lt; ViewedExcludedFor</c>; at exactly
/// <c>ViewedExcludedFor</c> it is back at <see cref="SeenPolicy.ViewedReturnWeight"/>, at
/// <c>ViewedExcludedFor + ViewedDecay</c> at its full score. A view of unknown time (a cached list written
/// before view times were kept) counts as just now. "now" is the app's <see cref="TimeProvider"/>.
/// </summary>
public static class AlreadySeen
{
    /// <summary>The products this customer must not be shown now on a placement with <paramref name="policy"/>.</summary>
    public static HashSet<string> Exclusions(CustomerProfile? profile, IReadOnlyDictionary<string, Product> products, DateTimeOffset now, SeenPolicy policy, Placement placement)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var exclude = new HashSet<string>(StringComparer.Ordinal);
        if (profile is null)
        {
            return exclude;
        }

        if (policy.ExcludeCarted)
        {
            exclude.UnionWith(profile.Cart.Keys);
        }

        if (policy.ExcludePurchased)
        {
            foreach (var (productId, boughtAt) in profile.Purchased)
            {
                var due = products.TryGetValue(productId, out var product) && product.ReplenishmentInterval is { } interval && now - boughtAt >= interval;
                if (!due)
                {
                    exclude.Add(productId);
                }
            }
        }

        if (ExcludesViews(policy, placement))
        {
            foreach (var view in profile.RecentViews)
            {
                if (Age(view, now) < policy.ViewedExcludedFor)
                {
                    exclude.Add(view.ProductId);
                }
            }
        }

        return exclude;
    }

    /// <summary>
    /// The candidates with every viewed product that is back from its exclusion but within its decay
    /// scaled down; <c>null</c> when none is (the candidates stand).
    /// </summary>
    public static IEnumerable<RecommendedItem>? Adjust(IEnumerable<RecommendedItem> candidates, CustomerProfile? profile, DateTimeOffset now, SeenPolicy policy, Placement placement)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(policy);
        if (profile is null || policy.ViewedDecay <= TimeSpan.Zero || policy.ViewedReturnWeight >= 1 || placement == Placement.RecentlyViewed)
        {
            return null;
        }

        Dictionary<string, double>? factors = null;
        foreach (var view in profile.RecentViews)
        {
            var since = Age(view, now) - policy.ViewedExcludedFor;
            if (since >= TimeSpan.Zero && since < policy.ViewedDecay)
            {
                var factor = policy.ViewedReturnWeight + ((1 - policy.ViewedReturnWeight) * (since / policy.ViewedDecay));
                factors ??= new(StringComparer.Ordinal);
                factors[view.ProductId] = Math.Min(factors.GetValueOrDefault(view.ProductId, 1), factor);
            }
        }

        return factors is null
            ? null
            : candidates.Select(item => factors.TryGetValue(item.ProductId, out var f) ? item with { Score = Math.Round(item.Score * f, 6) } : item);
    }

    /// <summary>When <see cref="Exclusions"/> next change by the clock alone: a replenishable purchase comes due or a view's exclusion ends (<see cref="DateTimeOffset.MaxValue"/>: never).</summary>
    public static DateTimeOffset ChangesAt(CustomerProfile? profile, IReadOnlyDictionary<string, Product> products, DateTimeOffset now, SeenPolicy policy, Placement placement)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var at = DateTimeOffset.MaxValue;
        if (profile is null)
        {
            return at;
        }

        if (policy.ExcludePurchased)
        {
            at = ServingRules.ExclusionsChangeAt(profile, products, now);
        }

        if (ExcludesViews(policy, placement))
        {
            foreach (var view in profile.RecentViews)
            {
                var age = Age(view, now);
                if (age < policy.ViewedExcludedFor)
                {
                    var back = now + (policy.ViewedExcludedFor - age);
                    at = back < at ? back : at;
                }
            }
        }

        return at;
    }

    /// <summary>Recently viewed lists views: no policy excludes them there.</summary>
    private static bool ExcludesViews(SeenPolicy policy, Placement placement) =>
        placement != Placement.RecentlyViewed && policy.ViewedExcludedFor > TimeSpan.Zero;

    private static TimeSpan Age(RecentItem view, DateTimeOffset now) => view.At == default ? TimeSpan.Zero : now - view.At;
}
