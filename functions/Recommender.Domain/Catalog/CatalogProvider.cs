using Recommender.Domain.Ports;
using Recommender.Domain.Storage;

namespace Recommender.Domain.Catalog;

/// <summary>
/// The product catalog, kept as one JSON snapshot in blob storage (<c>catalog/products.json</c>)
/// and cached in memory; re-read at most every <see cref="RefreshInterval"/>.
/// </summary>
public sealed class CatalogProvider(IBlobStore blobs, TimeProvider timeProvider)
{
    public const string BlobName = BlobPrefixes.Catalog + "products.json";
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyDictionary<string, Product> _products = new Dictionary<string, Product>();
    private string? _etag;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

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
                if (blob is { } b && b.ETag != _etag)
                {
                    var list = Json.FromUtf8<List<Product>>(b.Content);
                    _products = list.ToDictionary(p => p.Id, StringComparer.Ordinal);
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
}
