using System.Runtime.CompilerServices;

namespace Recommender.Domain.Catalog;

/// <summary>
/// The catalog products no placement may show now — hidden, search-only, not yet launched, past their
/// end of sale (<see cref="Product.IsRecommendable"/>) — and when that set next changes by the clock
/// alone (a launch or an end of sale). Serving adds them to every request's exclusions, so they leave
/// every list — whatever a cached list or a kept answer holds — at the next request after a catalog
/// change, and at the instant of a launch or end of sale (a kept answer is valid only until then).
/// "Now" is the app's <see cref="TimeProvider"/>. The few restricted products are found once per
/// catalog instance (a catalog change replaces the instance).
/// </summary>
public static class CatalogAvailability
{
    private static readonly ConditionalWeakTable<IReadOnlyDictionary<string, Product>, Product[]> RestrictedOf = [];

    /// <summary>Adds the products not recommendable at <paramref name="now"/> to <paramref name="exclude"/>.</summary>
    public static void AddExclusions(ISet<string> exclude, IReadOnlyDictionary<string, Product> products, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(exclude);
        foreach (var product in Restricted(products))
        {
            if (!product.IsRecommendable(now))
            {
                exclude.Add(product.Id);
            }
        }
    }

    /// <summary>The first launch or end of sale after <paramref name="now"/> (<see cref="DateTimeOffset.MaxValue"/>: none).</summary>
    public static DateTimeOffset NextChangeAfter(IReadOnlyDictionary<string, Product> products, DateTimeOffset now)
    {
        var next = DateTimeOffset.MaxValue;
        foreach (var product in Restricted(products))
        {
            if (product.LaunchAt is { } launch && launch > now && launch < next)
            {
                next = launch;
            }

            if (product.EndOfSaleAt is { } end && end > now && end < next)
            {
                next = end;
            }
        }

        return next;
    }

    private static Product[] Restricted(IReadOnlyDictionary<string, Product> products)
    {
        ArgumentNullException.ThrowIfNull(products);
        return RestrictedOf.GetValue(products, static catalog => [.. catalog.Values.Where(p => p.IsRestricted)]);
    }
}
