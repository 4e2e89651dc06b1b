using Recommender.Domain.Events;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Catalog;

/// <summary>
/// The product catalog, kept as one JSON snapshot in blob storage (<c>catalog/products.json</c>)
/// and cached in memory; re-read at most every <see cref="RefreshInterval"/>.
/// </summary>
public sealed class CatalogProvider(IBlobStore blobs, TimeProvider timeProvider, Microsoft.Extensions.Options.IOptions<Privacy.PrivacyOptions>? privacy = null)
{
    public const string BlobName = BlobPrefixes.Catalog + "products.json";
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyDictionary<string, Product> _products = new Dictionary<string, Product>();
    private string? _etag;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;
    private volatile bool _loaded;

    /// <summary>
    /// Whether a catalog snapshot exists (as of the last <see cref="GetAsync"/>): once one does, serving
    /// shows only its products — none at all when it is empty — whatever lists or models still name.
    /// </summary>
    public bool IsLoaded => _loaded;

    /// <summary>The ids of the stored snapshot now (not the cached copy); null when there is none.</summary>
    public async Task<IReadOnlyCollection<string>?> ReadStoredIdsAsync(CancellationToken cancellationToken = default)
    {
        var blob = await blobs.GetAsync(BlobName, cancellationToken).ConfigureAwait(false);
        return blob is { } b ? Json.FromUtf8<List<Product>>(b.Content).Select(p => p.Id).ToHashSet(StringComparer.Ordinal) : null;
    }

    public async Task<IReadOnlyDictionary<string, Product>> GetAsync(CancellationToken cancellationToken = default)
    {
        if (timeProvider.GetUtcNow() - _checkedAt < RefreshInterval)
        {
            return _products;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (timeProvider.GetUtcNow() - _checkedAt >= RefreshInterval)
            {
                var blob = await blobs.GetAsync(BlobName, cancellationToken).ConfigureAwait(false);
                _loaded = blob is not null;
                if (blob is { } b && b.ETag != _etag)
                {
                    var list = Json.FromUtf8<List<Product>>(b.Content);
                    var sensitive = privacy?.Value ?? new Privacy.PrivacyOptions();
                    _products = list.Select(p => sensitive.IsSensitive(p.Category) ? p with { Sensitive = true } : p).ToDictionary(p => p.Id, StringComparer.Ordinal);
                    _etag = b.ETag;
                }

                _checkedAt = timeProvider.GetUtcNow();
            }
        }
        finally
        {
            _gate.Release();
        }

        return _products;
    }

    /// <summary>Replaces the catalog snapshot and makes it visible at once.</summary>
    public async Task SaveAsync(IReadOnlyCollection<Product> products, CancellationToken cancellationToken = default)
    {
        var duplicate = products.GroupBy(p => p.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"product id '{duplicate.Key}' appears more than once", nameof(products));
        }

        await blobs.PutAsync(BlobName, Json.ToUtf8(products), overwrite: true, cancellationToken).ConfigureAwait(false);
        _checkedAt = DateTimeOffset.MinValue;
    }

    /// <summary>
    /// Applies <c>catalog_change</c> events to the snapshot in event-time order (ETag-guarded
    /// read-modify-write of the blob): price and stock updates, new products, discontinued ones (a
    /// sale changes no product).
    /// Returns how many products changed.
    /// </summary>
    public async Task<int> ApplyChangesAsync(IReadOnlyList<ClickstreamEvent> changes, CancellationToken cancellationToken = default)
    {
        if (changes.Count == 0)
        {
            return 0;
        }

        for (var attempt = 0; ; attempt++)
        {
            var blob = await blobs.GetAsync(BlobName, cancellationToken).ConfigureAwait(false);
            var products = blob is { } b ? Json.FromUtf8<List<Product>>(b.Content).ToDictionary(p => p.Id, StringComparer.Ordinal) : new Dictionary<string, Product>(StringComparer.Ordinal);
            var changed = 0;
            foreach (var e in changes.Where(e => e.ProductId is not null).OrderBy(e => e.OccurredAt)) // a sale names a category, not a product
            {
                var id = e.ProductId!;
                products.TryGetValue(id, out var current);
                Product? updated = e.Change switch
                {
                    CatalogChangeKind.Discontinued => null,
                    _ when current is null => new Product(id, e.Name ?? id, e.Category ?? "uncategorized", e.Price ?? 0, e.InStock ?? true, e.Brand, Attributes: e.Attributes,
                        Visibility: e.Visibility ?? ProductVisibility.Visible, LaunchAt: e.LaunchAt, EndOfSaleAt: e.EndOfSaleAt),
                    _ => current! with
                    {
                        Price = e.Price ?? current.Price,
                        InStock = e.InStock ?? current.InStock,
                        Name = e.Name ?? current.Name,
                        Category = e.Category ?? current.Category,
                        Brand = e.Brand ?? current.Brand,
                        Attributes = e.Attributes ?? current.Attributes,
                        Visibility = e.Visibility ?? current.Visibility,
                        LaunchAt = e.LaunchAt ?? current.LaunchAt,
                        EndOfSaleAt = e.EndOfSaleAt ?? current.EndOfSaleAt,
                    },
                };
                if (updated is null)
                {
                    changed += products.Remove(id) ? 1 : 0;
                }
                else if (updated != current)
                {
                    products[id] = updated;
                    changed++;
                }
            }

            if (changed == 0)
            {
                // Applied before (a batch delivered again after a crash, or by another instance): the snapshot read here may be newer than the cache.
                if (blob?.ETag != _etag)
                {
                    _checkedAt = DateTimeOffset.MinValue;
                }

                return 0;
            }

            var content = Json.ToUtf8(products.Values.OrderBy(p => p.Id, StringComparer.Ordinal).ToList());
            try
            {
                if (blob is { } existing)
                {
                    await blobs.ReplaceAsync(BlobName, content, existing.ETag, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await blobs.PutAsync(BlobName, content, overwrite: false, cancellationToken).ConfigureAwait(false);
                }

                _checkedAt = DateTimeOffset.MinValue;
                return changed;
            }
            catch (DocumentConflictException) when (attempt < 10)
            {
                // Changed concurrently: apply again on the fresh snapshot.
            }
        }
    }
}
