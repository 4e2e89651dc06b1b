using Recommender.Domain.Catalog;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Storage;

namespace Recommender.Domain.Recommendations;

/// <summary>Where on the storefront the list is shown.</summary>
public enum Placement
{
    /// <summary>"Recommended for you" on the home page.</summary>
    Home,
    /// <summary>"Customers who viewed this also viewed" on a product page (needs a product id).</summary>
    Product,
    /// <summary>Cross-sell for the items in the customer's cart.</summary>
    Cart,
}

public sealed record RecommendationRequest(string CustomerId, Placement Placement, int Count, string? ProductId = null)
{
    public const int MaxCount = 50;
}

/// <summary>One item of a response, with what a storefront needs to show and explain it.</summary>
public sealed record RecommendationView(string ProductId, string? Name, string? Category, decimal? Price, string? ImageUrl, double Score, string Reason, string ReasonCode);

/// <summary>
/// A served list. <see cref="Source"/> tells where it came from: <c>cache</c> (precomputed),
/// <c>computed</c> (built now from the profile), <c>related</c> (product/cart context) or
/// <c>popular</c> (no history to personalize from).
/// </summary>
public sealed record RecommendationResponse(string RecommendationId, string CustomerId, string Placement, string ModelVersion, string Source, IReadOnlyList<RecommendationView> Items);

/// <summary>
/// Serves recommendations: the customer's cached ranked list with real-time filters on top
/// (nothing bought, nothing in the cart, nothing out of stock), degrading to a list computed now
/// and then to popular items, never to an error for an unknown customer.
/// </summary>
public sealed class RecommendationService(IDocumentStore documents, ProfileStore profiles, ModelStore models, CatalogProvider catalog, TimeProvider timeProvider)
{
    public async Task<RecommendationResponse> GetAsync(RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        var cacheTask = request.Placement == Placement.Home
            ? documents.GetAsync<CachedRecommendations>(Collections.Recommendations, request.CustomerId, request.CustomerId, cancellationToken)
            : Task.FromResult<CachedRecommendations?>(null);
        var profileTask = profiles.GetAsync(request.CustomerId, cancellationToken);
        var modelTask = models.GetCurrentAsync(cancellationToken);
        var catalogTask = catalog.GetAsync(cancellationToken);
        await Task.WhenAll(cacheTask, profileTask, modelTask, catalogTask).ConfigureAwait(false);

        var (cached, profile, model, products) = (cacheTask.Result, profileTask.Result, modelTask.Result, catalogTask.Result);
        var exclude = RecommendationEngine.ExclusionsFor(profile);
        if (profile is not null && !profile.ProfilingAllowed(timeProvider.GetUtcNow()))
        {
            // No analytics consent, or a minor: nothing built from their behaviour, ever.
            (cached, profile) = (null, null);
        }

        var (source, items) = request.Placement switch
        {
            Placement.Home when cached is not null && cached.ModelVersion == model.Version => ("cache", cached.Items),
            Placement.Home when profile is not null => ("computed", RecommendationEngine.ForCustomer(profile, model, products)),
            Placement.Product => ("related", await RelatedToProductAsync(request.ProductId!, model, products, exclude, request.Count, cancellationToken).ConfigureAwait(false)),
            Placement.Cart when profile is { Cart.Count: > 0 } => ("related", RecommendationEngine.RelatedTo(profile.Cart.Keys.ToList(), "in_cart", model, products, exclude, request.Count)),
            _ => ("popular", await PopularAsync(model, products, exclude, request.Count, cancellationToken).ConfigureAwait(false)),
        };

        var views = items
            .Where(i => !exclude.Contains(i.ProductId) && RecommendationEngine.IsOffered(i.ProductId, products))
            .Take(request.Count)
            .Select(i => ToView(i, products))
            .ToList();
        var recommendationId = $"rec-{Guid.CreateVersion7(timeProvider.GetUtcNow()):N}";
        return new RecommendationResponse(recommendationId, request.CustomerId, request.Placement.ToString().ToLowerInvariant(), model.Version, source, views);
    }

    /// <summary>Computes and stores a customer's ranked list (after a material profile change or a retraining).</summary>
    public async Task RefreshCacheAsync(CustomerProfile profile, CancellationToken cancellationToken = default)
    {
        if (!profile.ProfilingAllowed(timeProvider.GetUtcNow()))
        {
            await DeleteCacheAsync(profile.CustomerId, cancellationToken).ConfigureAwait(false);
            return;
        }

        var model = await models.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
        var products = await catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var items = RecommendationEngine.ForCustomer(profile, model, products);
        var entry = new CachedRecommendations(profile.CustomerId, model.Version, timeProvider.GetUtcNow(), items);
        await documents.PutAsync(Collections.Recommendations, profile.CustomerId, profile.CustomerId, entry, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> DeleteCacheAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.DeleteAsync(Collections.Recommendations, customerId, customerId, cancellationToken);

    private async Task<IReadOnlyList<RecommendedItem>> RelatedToProductAsync(string productId, ItemSimilarityModel model,
        IReadOnlyDictionary<string, Product> products, HashSet<string> exclude, int count, CancellationToken cancellationToken)
    {
        if (model.NeighborsOf(productId).Count > 0)
        {
            return RecommendationEngine.RelatedTo([productId], "similar", model, products, exclude, count + exclude.Count);
        }

        // Not in the trained model yet (a new product): use the real-time co-viewed counters.
        var stats = await profiles.GetItemAsync(productId, cancellationToken).ConfigureAwait(false);
        var name = products.TryGetValue(productId, out var p) ? p.Name : productId;
        var related = (stats?.CoViewed ?? [])
            .Where(kv => kv.Key != productId)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new RecommendedItem(kv.Key, kv.Value, $"Customers who viewed {name} also viewed this", $"similar:{productId}"))
            .ToList();
        var taken = new HashSet<string>(related.Select(r => r.ProductId), StringComparer.Ordinal) { productId };
        taken.UnionWith(exclude);
        related.AddRange(await PopularAsync(model, products, taken, count, cancellationToken).ConfigureAwait(false));
        return related;
    }

    private async Task<IReadOnlyList<RecommendedItem>> PopularAsync(ItemSimilarityModel model, IReadOnlyDictionary<string, Product> products,
        ISet<string> exclude, int count, CancellationToken cancellationToken)
    {
        var popular = model.Popular;
        if (popular.Count == 0)
        {
            // No model trained yet: the real-time popularity board.
            var board = await profiles.GetPopularityAsync(cancellationToken).ConfigureAwait(false);
            popular = (board?.Scores ?? []).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new ScoredItem(kv.Key, Math.Round(kv.Value, 6))).ToList();
        }

        return RecommendationEngine.Popular(popular, products, exclude).Take(count + exclude.Count).ToList();
    }

    private static RecommendationView ToView(RecommendedItem item, IReadOnlyDictionary<string, Product> products)
    {
        products.TryGetValue(item.ProductId, out var p);
        return new RecommendationView(item.ProductId, p?.Name, p?.Category, p?.Price, p?.ImageUrl, item.Score, item.Reason, item.ReasonCode);
    }
}
