using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Recommendations;

/// <summary>One search result after re-ranking, with where it was and why it moved.</summary>
public sealed record RerankedItem(string ProductId, int OriginalPosition, double Score, string Reason, string ReasonCode);

public sealed record SearchRerankResponse(string CustomerId, bool Personalized, IReadOnlyList<RerankedItem> Items)
{
    /// <summary>True when the stores could not be read (a 429 storm past the serving budget, an outage): the search's own order, not personalized.</summary>
    public bool Degraded { get; init; }
}

/// <summary>
/// Personalized search re-ranking: the engine's order is kept as the base (linear in position) and
/// each result gains up to <see cref="AffinityWeight"/> from the customer's affinities for its
/// category, brand, price band and size — each scaled to the customer's strongest of its kind. The
/// reason names the affinity that lifted it most. A customer who may not be personalized for gets the
/// original order back.
/// </summary>
public sealed class SearchReranker(ProfileStore profiles, CatalogProvider catalog, TimeProvider timeProvider)
{
    public const double AffinityWeight = 0.5;

    public async Task<SearchRerankResponse> RerankAsync(string customerId, IReadOnlyList<string> resultIds, CancellationToken cancellationToken = default)
    {
        var profileTask = profiles.GetAsync(customerId, cancellationToken);
        var catalogTask = catalog.GetAsync(cancellationToken);
        await Task.WhenAll(profileTask, catalogTask).ConfigureAwait(false);
        var (profile, products) = (profileTask.Result, catalogTask.Result);
        var ids = resultIds.Distinct(StringComparer.Ordinal).ToList();
        var n = ids.Count;
        if (profile is null || !profile.PersonalizationAllowed(timeProvider.GetUtcNow()))
        {
            return InSearchOrder(customerId, ids);
        }

        // Inferred affinities with what the customer said they like (stated categories and brands), as home lists use them.
        var taste = ProfileSignal.Of(profile);
        var scored = ids.Select((id, i) =>
        {
            var baseScore = 1.0 - ((double)i / n);
            products.TryGetValue(id, out var product);
            var (lift, reason, code) = product is null ? (0, "Search relevance", "search") : Lift(profile, taste, product);
            return new RerankedItem(id, i, Math.Round(baseScore + (AffinityWeight * lift), 6), lift > 0 ? reason : "Search relevance", lift > 0 ? code : "search");
        });
        return new SearchRerankResponse(customerId, true, scored.OrderByDescending(r => r.Score).ThenBy(r => r.OriginalPosition).ToList());
    }

    /// <summary>The results in the search's own order (no store read): for a customer not personalized for, and when the stores cannot be read.</summary>
    public static SearchRerankResponse InSearchOrder(string customerId, IReadOnlyList<string> resultIds)
    {
        ArgumentNullException.ThrowIfNull(resultIds);
        var ids = resultIds.Distinct(StringComparer.Ordinal).ToList();
        var n = ids.Count;
        return new SearchRerankResponse(customerId, false, ids.Select((id, i) => new RerankedItem(id, i, Math.Round(1.0 - ((double)i / n), 6), "Search relevance", "search")).ToList());
    }

    private static (double Lift, string Reason, string Code) Lift(CustomerProfile profile, ProfileSignal taste, Product product)
    {
        var factors = new List<(double Value, string Reason, string Code)>
        {
            (Normalized(taste.Categories, product.Category), $"Matches your interest in {product.Category}", $"affinity:category:{product.Category}"),
            (0.6 * Normalized(taste.Brands, product.Brand?.ToLowerInvariant()), $"You like {product.Brand}", $"affinity:brand:{product.Brand?.ToLowerInvariant()}"),
            (0.4 * Normalized(profile.PriceBandAffinities, ProfileUpdater.PriceBand(product.Price)), "In your usual price range", $"affinity:price:{ProfileUpdater.PriceBand(product.Price)}"),
        };
        if (product.Attributes?.FirstOrDefault(a => a.Key.Equals("size", StringComparison.OrdinalIgnoreCase)) is { Key: not null } size)
        {
            var key = $"size:{size.Value.ToLowerInvariant()}";
            factors.Add((0.4 * Normalized(profile.AttributeAffinities, key), $"In your size ({size.Value})", $"affinity:{key}"));
        }

        var total = Math.Min(1, factors.Sum(f => f.Value));
        var best = factors.MaxBy(f => f.Value);
        return (total, best.Reason, best.Code);
    }

    private static double Normalized(IReadOnlyDictionary<string, double> affinities, string? key)
    {
        if (key is null || affinities.Count == 0 || !affinities.TryGetValue(key, out var value))
        {
            return 0;
        }

        var max = affinities.Values.Max();
        return max <= 0 ? 0 : value / max;
    }
}
